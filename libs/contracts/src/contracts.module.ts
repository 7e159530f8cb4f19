import { DynamicModule, InjectionToken, Module, ModuleMetadata } from '@nestjs/common';
import { ActivityEventValidator } from './activity-event.validator';
import { ActivityTypeRegistry } from './activity-types';
import { UPCASTERS, Upcaster } from './schema-version';

export interface ContractsModuleOptions {
  /** Activity types accepted besides the built-in ones (ACTIVITY_TYPES_EXTRA). */
  activityTypes?: readonly string[];
  /** Upcasters run after the built-in ones, in order: how an app reads an older event shape. */
  upcasters?: readonly Upcaster[];
}

export interface ContractsModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: InjectionToken[];
  useFactory: (...args: never[]) => ContractsModuleOptions | Promise<ContractsModuleOptions>;
}

export const CONTRACTS_OPTIONS: InjectionToken<ContractsModuleOptions> =
  Symbol('CONTRACTS_OPTIONS');
/** Every upcaster the validator applies, built-in first (injectable for docs and diagnostics). */
export const ACTIVITY_UPCASTERS: InjectionToken<readonly Upcaster[]> = Symbol('ACTIVITY_UPCASTERS');

/**
 * The event contract of an app: the validator both edges use (HTTP before producing, Kafka before
 * storing) and the activity-type registry. An app adds activity types or upcasters by passing
 * options, never by editing this lib:
 *
 *   ContractsModule.forRoot({ activityTypes: ['hologram_call'], upcasters: [channelDefault] })
 */
@Module({})
export class ContractsModule {
  static forRoot(options: ContractsModuleOptions = {}): DynamicModule {
    return ContractsModule.forRootAsync({ useFactory: () => options });
  }

  static forRootAsync(options: ContractsModuleAsyncOptions): DynamicModule {
    return {
      module: ContractsModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: CONTRACTS_OPTIONS,
          inject: options.inject ?? [],
          useFactory: options.useFactory as (...args: unknown[]) => ContractsModuleOptions,
        },
        {
          provide: ActivityTypeRegistry,
          inject: [CONTRACTS_OPTIONS],
          useFactory: (o: ContractsModuleOptions) => new ActivityTypeRegistry(o.activityTypes),
        },
        {
          provide: ACTIVITY_UPCASTERS,
          inject: [CONTRACTS_OPTIONS],
          useFactory: (o: ContractsModuleOptions) => [...UPCASTERS, ...(o.upcasters ?? [])],
        },
        {
          provide: ActivityEventValidator,
          inject: [ActivityTypeRegistry, ACTIVITY_UPCASTERS],
          useFactory: (types: ActivityTypeRegistry, upcasters: readonly Upcaster[]) =>
            new ActivityEventValidator(types, upcasters),
        },
      ],
      exports: [
        CONTRACTS_OPTIONS,
        ActivityTypeRegistry,
        ACTIVITY_UPCASTERS,
        ActivityEventValidator,
      ],
    };
  }
}

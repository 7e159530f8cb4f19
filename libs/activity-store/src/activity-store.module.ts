import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { TerminusModule } from '@nestjs/terminus';
import { Activity, ActivitySchema } from './activity.schema';
import { ActivityRepository } from './activity.repository';
import {
  ACTIVITY_STORE_OPTIONS,
  ActivityStoreAsyncOptions,
  ActivityStoreOptions,
} from './activity-store.options';
import { MongoHealthIndicator } from './mongo.health';

/**
 * Stored activity events on MongoDB (or FerretDB), through @nestjs/mongoose: the Activity model in
 * the configured collection, ActivityRepository (the ingestion engine's default sink and the read
 * API's queries) and the database's readiness indicator. Needs MongooseModule.forRoot(Async) in
 * the app, with autoIndex off: the repository creates the indexes the server can use.
 */
@Module({})
export class ActivityStoreModule {
  static forRootAsync(options: ActivityStoreAsyncOptions): DynamicModule {
    const optionsProvider = {
      provide: ACTIVITY_STORE_OPTIONS,
      inject: options.inject ?? [],
      useFactory: options.useFactory as (...args: unknown[]) => ActivityStoreOptions,
    };
    return {
      module: ActivityStoreModule,
      imports: [
        ...(options.imports ?? []),
        TerminusModule,
        MongooseModule.forFeatureAsync([
          {
            name: Activity.name,
            imports: options.imports ?? [],
            inject: options.inject ?? [],
            // The collection is configuration, so the schema is bound to it here.
            useFactory: async (...args: unknown[]) => {
              const { collection } = await (optionsProvider.useFactory(...args) as
                ActivityStoreOptions | Promise<ActivityStoreOptions>);
              return ActivitySchema.clone().set('collection', collection);
            },
          },
        ]),
      ],
      providers: [optionsProvider, ActivityRepository, MongoHealthIndicator],
      exports: [ActivityRepository, MongoHealthIndicator, ACTIVITY_STORE_OPTIONS],
    };
  }
}

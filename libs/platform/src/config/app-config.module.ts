import { DynamicModule, Module, Type } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';

/** Variables as the loader sees them: the `.env` file under the process environment. */
export type RawEnv = Record<string, string | undefined>;

export interface AppConfigOptions<T extends object> {
  /** The typed configuration class; it is also the injection token. */
  token: Type<T>;
  /** Validates the variables into the typed object; throws naming every bad variable. */
  load(env: RawEnv): T;
  /** Default: `.env` in the working directory, or the file named by ENV_FILE. Missing is fine. */
  envFilePath?: string;
}

/** Where the optional env file is: ENV_FILE, else `.env` in the working directory. */
export function envFilePath(): string {
  // The one place outside a config loader that reads the environment: it says where the rest is.
  return process.env.ENV_FILE ?? '.env';
}

/**
 * The one configuration path of an app (CONVENTIONS.md, habit 3). Nest's ConfigModule reads the
 * optional `.env` file under the process environment (a variable set in the environment wins),
 * the app's loader validates the result once, and the typed object is provided globally under its
 * class. Everything else, the HTTP server's security and body limit included, takes its settings
 * from that object; nothing reads `process.env` on its own.
 */
@Module({})
export class AppConfigModule {
  static async forRoot<T extends object>(options: AppConfigOptions<T>): Promise<DynamicModule> {
    let loaded: T | undefined;
    const configModule = await ConfigModule.forRoot({
      envFilePath: options.envFilePath ?? envFilePath(),
      cache: true,
      // Throws before any provider exists, naming the variables; the app does not start.
      validate: (env: Record<string, unknown>) => {
        loaded = options.load(toRawEnv(env));
        // Returned as is so that ConfigService (for modules that use it) sees the same values.
        return env;
      },
    });
    return {
      module: AppConfigModule,
      global: true,
      imports: [configModule],
      providers: [{ provide: options.token, useValue: loaded }],
      exports: [options.token, ConfigModule],
    };
  }
}

function toRawEnv(env: Record<string, unknown>): RawEnv {
  const raw: RawEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === 'string') raw[name] = value;
  }
  return raw;
}

import { DynamicModule, InjectionToken, LogLevel, Module, ModuleMetadata } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { HealthCheckLogger } from './health/health-check.logger';
import { HttpAdmission } from './http/admission';
import { ProblemFilter } from './http/problem.filter';
import { HttpLimits } from './http/http-limits';
import { MetricsModule } from './metrics/metrics.module';
import { z } from 'zod';
import { baseEnvSchema } from './config/app-env';
import { SecuritySettings, toSecuritySettings } from './security/security.config';
import { ProblemValidationPipe } from './validation/problem-validation.pipe';

/** What the platform needs of an app's validated configuration. */
export interface PlatformOptions {
  logLevel: LogLevel;
  http: {
    /** Largest accepted request body; 413 PAYLOAD_TOO_LARGE above it. */
    bodyLimitBytes: number;
    /** Timeouts for slow clients and load shedding; defaults when absent (DEFAULT_HTTP_LIMITS). */
    limits?: HttpLimits;
    /**
     * Routes for navigator.sendBeacon, which can neither send application/json without a CORS
     * preflight nor set headers: there a text/plain body is parsed as JSON and the API key may
     * come as the `apiKey` query parameter (BEACON_API_KEY_PARAM). None when absent.
     */
    beaconRoutes?: readonly string[];
  };
  /** API keys, rate limit, CORS, trusted proxies, IP masking (security headers are always on). */
  security: SecuritySettings;
}

/** The platform options of the running app (read by createHttpApp once the app is built). */
export const PLATFORM_OPTIONS: InjectionToken<PlatformOptions> = Symbol('PLATFORM_OPTIONS');

export interface PlatformModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: InjectionToken[];
  useFactory: (...args: never[]) => PlatformOptions | Promise<PlatformOptions>;
}

/**
 * What every HTTP app of the pipeline shares, as providers so that `Test.createTestingModule`
 * gets them too: the problem+json filter (APP_FILTER), the validation pipe (APP_PIPE), metrics
 * (GET /metrics and HTTP series), Terminus with structured health logs, and the platform options
 * (body limit, security, log level) that createHttpApp applies to the HTTP server.
 */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    return PlatformModule.forRootAsync({ useFactory: () => options });
  }

  static forRootAsync(options: PlatformModuleAsyncOptions): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      imports: [
        ...(options.imports ?? []),
        MetricsModule,
        TerminusModule.forRoot({ errorLogStyle: 'json', logger: HealthCheckLogger }),
      ],
      providers: [
        {
          provide: PLATFORM_OPTIONS,
          inject: options.inject ?? [],
          useFactory: options.useFactory as (...args: unknown[]) => PlatformOptions,
        },
        HttpAdmission,
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useClass: ProblemValidationPipe },
      ],
      exports: [PLATFORM_OPTIONS, HttpAdmission, MetricsModule, TerminusModule],
    };
  }
}

/** PlatformOptions from variables parsed with baseEnvSchema (plus the app's body limit). */
export function platformOptionsOf(
  env: z.output<typeof baseEnvSchema>,
  bodyLimitBytes: number,
): PlatformOptions {
  return {
    logLevel: env.LOG_LEVEL,
    http: {
      bodyLimitBytes,
      limits: {
        requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
        headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
        keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
        shedEventLoopDelayMs: env.HTTP_SHED_EVENT_LOOP_DELAY_MS,
        maxInFlight: env.HTTP_MAX_IN_FLIGHT,
        maxInFlightBytes: env.HTTP_MAX_IN_FLIGHT_BYTES,
        unsizedBodyBytes: bodyLimitBytes,
      },
    },
    security: toSecuritySettings(env, env.NODE_ENV),
  };
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Injectable, Module, Query } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { IsOptional, Matches } from 'class-validator';
import { z } from 'zod';
import { AppConfigModule } from './config/app-config.module';
import { parseEnv } from './config/env';
import { Metrics } from './metrics/metrics';
import { PLATFORM_OPTIONS, PlatformModule, PlatformOptions } from './platform.module';
import { toSecuritySettings, securityEnvSchema } from './security/security.config';

/** An app's typed configuration, loaded by AppConfigModule. */
class TestConfig {
  constructor(
    readonly greeting: string,
    readonly platform: PlatformOptions,
  ) {}
}
const loadTestConfig = (env: Record<string, unknown>) => {
  const e = parseEnv(securityEnvSchema.extend({ GREETING: z.string().default('hello') }), env);
  return new TestConfig(e.GREETING, {
    logLevel: 'error',
    http: { bodyLimitBytes: 2048 },
    security: toSecuritySettings(e, 'test'),
  });
};

class NameQuery {
  @IsOptional()
  @Matches(/^[a-z]+$/)
  name?: string;
}

@Controller('hello')
class HelloController {
  @Get()
  hello(@Query() query: NameQuery): { hello: string } {
    return { hello: query.name ?? 'world' };
  }
}

@Injectable()
class Greeter {
  constructor(readonly config: TestConfig) {}
}

@Module({ controllers: [HelloController], providers: [Greeter] })
class FeatureModule {}

describe('PlatformModule and AppConfigModule', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'platform-spec-'));
    writeFileSync(join(dir, 'test.env'), 'GREETING=from-the-file\nRATE_LIMIT_MAX=7\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // ConfigModule copies what the file set into process.env (for ConfigService users); each case
  // starts from the environment it had.
  const before = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in before)) delete process.env[key];
  });

  const imports = () => [
    AppConfigModule.forRoot({
      token: TestConfig,
      load: loadTestConfig,
      envFilePath: join(dir, 'test.env'),
    }),
    PlatformModule.forRootAsync({
      inject: [TestConfig],
      useFactory: (c: TestConfig) => c.platform,
    }),
    FeatureModule,
  ];

  it('provides the typed config from the env file and the platform options derived from it', async () => {
    const moduleRef = await Test.createTestingModule({ imports: imports() }).compile();
    expect(moduleRef.get(Greeter).config.greeting).toBe('from-the-file');
    const options = moduleRef.get<PlatformOptions>(PLATFORM_OPTIONS);
    expect(options.security.rateLimit.max).toBe(7);
    expect(options.http.bodyLimitBytes).toBe(2048);
    expect(moduleRef.get(Metrics)).toBeInstanceOf(Metrics);
  });

  it('registers the problem filter and the validation pipe as APP_FILTER and APP_PIPE', async () => {
    const moduleRef = await Test.createTestingModule({ imports: imports() }).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      logger: false,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    try {
      const fastify = app.getHttpAdapter().getInstance();
      const ok = await fastify.inject({ method: 'GET', url: '/hello?name=ada' });
      expect(ok.json()).toEqual({ hello: 'ada' });
      const bad = await fastify.inject({ method: 'GET', url: '/hello?name=ADA&colour=red' });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(bad.json()).toMatchObject({
        code: 'VALIDATION_ERROR',
        errors: [
          { field: 'colour', rule: 'unknownField', message: 'unknown query parameter "colour"' },
          { field: 'name', rule: 'matches' },
        ],
      });
    } finally {
      await app.close();
    }
  });

  it('refuses to build when a variable is invalid, naming it', async () => {
    writeFileSync(join(dir, 'bad.env'), 'RATE_LIMIT_MAX=lots\n');
    await expect(
      AppConfigModule.forRoot({
        token: TestConfig,
        load: loadTestConfig,
        envFilePath: join(dir, 'bad.env'),
      }),
    ).rejects.toThrow(/RATE_LIMIT_MAX/);
  });
});

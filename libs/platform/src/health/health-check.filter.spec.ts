import { Controller, Get, Module, UseFilters } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TerminusModule,
} from '@nestjs/terminus';
import { ProblemFilter } from '../http/problem.filter';
import { HealthCheckFilter } from './health-check.filter';

let databaseUp = false;

@Controller('health')
@UseFilters(HealthCheckFilter)
class ProbeController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.indicators.check('kafka').up(),
      () => {
        const db = this.indicators.check('mongodb');
        return databaseUp ? db.up() : db.down({ message: 'connect ECONNREFUSED' });
      },
    ]);
  }
}

@Module({ imports: [TerminusModule.forRoot({ logger: false })], controllers: [ProbeController] })
class ProbeModule {}

describe('HealthCheckFilter', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(ProbeModule, new FastifyAdapter(), {
      logger: false,
    });
    // The apps' global problem+json filter must not swallow the check result.
    app.useGlobalFilters(new ProblemFilter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  const probe = () => app.getHttpAdapter().getInstance().inject({ url: '/health/ready' });

  it('answers 503 with a body naming the failing dependency and why', async () => {
    databaseUp = false;
    const res = await probe();
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      status: 'error',
      info: { kafka: { status: 'up' } },
      error: { mongodb: { status: 'down', message: 'connect ECONNREFUSED' } },
      details: {
        kafka: { status: 'up' },
        mongodb: { status: 'down', message: 'connect ECONNREFUSED' },
      },
    });
  });

  it('answers 200 again once the dependency is back', async () => {
    databaseUp = true;
    const res = await probe();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok' });
  });
});

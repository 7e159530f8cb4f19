import { Controller, Get, HttpException, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Metrics } from './metrics';
import { MetricsModule } from './metrics.module';

@Controller('things')
class ThingsController {
  @Get(':id')
  get(@Param('id') id: string): { id: string } {
    if (id === 'missing') throw new HttpException('not found', 404);
    return { id };
  }
}

@Module({ imports: [MetricsModule], controllers: [ThingsController] })
class AppModule {}

describe('MetricsModule', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), {
      logger: false,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  it('counts requests by route template and status, not by raw path', async () => {
    const fastify = app.getHttpAdapter().getInstance();
    await fastify.inject({ method: 'GET', url: '/things/a' });
    await fastify.inject({ method: 'GET', url: '/things/b' });
    await fastify.inject({ method: 'GET', url: '/things/missing' });
    await fastify.inject({ method: 'GET', url: '/no/such/path' });

    const counter = await app.get(Metrics).httpRequests.get();
    const count = (route: string, status: string) =>
      counter.values.find((v) => v.labels.route === route && v.labels.status === status)?.value;
    expect(count('/things/:id', '200')).toBe(2);
    expect(count('/things/:id', '404')).toBe(1);
    expect(count('unmatched', '404')).toBe(1);
    expect(counter.values.some((v) => v.labels.route === '/things/a')).toBe(false);
  });

  it('serves the catalogue in Prometheus text format on GET /metrics', async () => {
    const res = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('eyego_http_request_duration_seconds_bucket{');
    expect(res.body).toContain('eyego_process_cpu_seconds_total');
  });
});

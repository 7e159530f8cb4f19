export * from './health/kafka.health';
export * from './http/http-app';
export * from './http/problem.exception';
export * from './http/problem.filter';
export * from './metrics/metrics';
export * from './metrics/metrics.module';

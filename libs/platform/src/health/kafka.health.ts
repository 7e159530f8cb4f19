import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Admin } from 'kafkajs';

export const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });

/** Ready when the Kafka cluster answers a metadata request within the bound. */
@Injectable()
export class KafkaHealthIndicator {
  constructor(private readonly health: HealthIndicatorService) {}

  async isHealthy(key: string, admin: Admin, timeoutMs: number): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      const cluster = await withTimeout(admin.describeCluster(), timeoutMs, 'Kafka');
      return indicator.up({ brokers: cluster.brokers.length });
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}

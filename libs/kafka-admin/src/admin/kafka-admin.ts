import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { ConfigurationError } from '@app/platform';
import { kafkaConfigurationProblem } from '../config/kafka-errors';

/**
 * The app's one Kafka admin client (provisioning, readiness, partition counts, lag). Connected on
 * first use; a failed connect is forgotten so the next caller tries again. Disconnected on
 * application shutdown, after the transports stopped.
 */
@Injectable()
export class KafkaAdmin implements OnApplicationShutdown {
  readonly client: Admin;
  private connected?: Promise<Admin>;

  constructor(@Inject(Kafka) kafka: Kafka) {
    this.client = kafka.admin();
  }

  /** The connected admin client. Wrong credentials or TLS settings reject with what to check. */
  connect(): Promise<Admin> {
    this.connected ??= this.client.connect().then(
      () => this.client,
      (error: unknown) => {
        this.connected = undefined;
        const problem = kafkaConfigurationProblem(error);
        throw problem ? new ConfigurationError(problem, { cause: error }) : error;
      },
    );
    return this.connected;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.disconnect();
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { KafkaAdmin } from '../admin/kafka-admin';
import { KAFKA_MODULE_OPTIONS, KafkaModuleOptions } from '../kafka.options';
import { TopicProvisioner } from './topic-provisioner';

/**
 * When the app's topics are provisioned (KafkaModuleOptions.provisioning): at bootstrap, before
 * any transport starts, or on first use. `ensure()` runs the provisioner once per process; a
 * failure is forgotten, so a caller retrying after a broker outage provisions then.
 */
@Injectable()
export class TopicProvisioning implements OnApplicationBootstrap {
  private readonly logger = new Logger(TopicProvisioning.name);
  private done?: Promise<void>;

  constructor(
    @Inject(KAFKA_MODULE_OPTIONS) private readonly options: KafkaModuleOptions,
    private readonly admin: KafkaAdmin,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.provisioning === 'bootstrap') await this.ensure();
  }

  /** Resolves once the topics match their specs (at once when provisioning is off). */
  ensure(): Promise<void> {
    if (this.options.provisioning === 'off') return Promise.resolve();
    this.done ??= (async () => {
      const admin = await this.admin.connect();
      await new TopicProvisioner(admin, this.logger).provision(Object.values(this.options.topics));
    })().catch((error: unknown) => {
      this.done = undefined;
      throw error;
    });
    return this.done;
  }
}

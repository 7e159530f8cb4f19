import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Db, MongoClient } from 'mongodb';
import { ConsumerConfig } from '../config/consumer.config';
import { serverFlavourOf } from './server-flavour';

/**
 * One MongoClient for the process; it reconnects by itself after the database comes back. Closed
 * on application shutdown, i.e. after the Kafka transport stopped, so final flushes can still write.
 */
@Injectable()
export class MongoConnection implements OnApplicationShutdown {
  private readonly logger = new Logger(MongoConnection.name);
  readonly client: MongoClient;
  readonly db: Db;

  constructor(config: ConsumerConfig) {
    this.client = new MongoClient(config.mongo.uri, {
      serverSelectionTimeoutMS: config.mongo.serverSelectionTimeoutMs,
      appName: config.consumer.clientId,
    });
    this.db = this.client.db();
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  /** "ferretdb x.y" or "mongodb x.y": logged at boot, so a reader knows which server was used. */
  serverFlavour(): Promise<string> {
    return serverFlavourOf(this.db);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
    this.logger.log('MongoDB connection closed');
  }
}

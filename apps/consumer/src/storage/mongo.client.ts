import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Db, MongoClient } from 'mongodb';
import { ConsumerConfig } from '../config/consumer.config';

/** One MongoClient for the process; it reconnects by itself after the database comes back. */
@Injectable()
export class MongoConnection implements OnModuleDestroy {
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

  async onModuleDestroy(): Promise<void> {
    await this.client.close();
    this.logger.log('MongoDB connection closed');
  }
}

import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Collection, MongoBulkWriteError, MongoServerError, WriteError } from 'mongodb';
import { ConsumerConfig } from '../config/consumer.config';
import { MongoConnection } from './mongo.client';
import { StoredActivity } from './stored-activity';

export const DUPLICATE_KEY = 11000;

export interface InsertOutcome {
  inserted: number;
  duplicates: number;
}

/** All MongoDB access for activities; no business rules here. */
@Injectable()
export class ActivityRepository implements OnModuleInit {
  private readonly logger = new Logger(ActivityRepository.name);
  readonly collection: Collection<StoredActivity>;

  constructor(connection: MongoConnection, config: ConsumerConfig) {
    this.collection = connection.db.collection<StoredActivity>(config.mongo.collection);
  }

  async onModuleInit(): Promise<void> {
    await this.ensureIndexes();
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([
      { key: { eventId: 1 }, name: 'eventId_unique', unique: true },
      { key: { userId: 1, timestamp: -1, eventId: -1 }, name: 'userId_timestamp' },
      { key: { activityType: 1, timestamp: -1, eventId: -1 }, name: 'activityType_timestamp' },
    ]);
    this.logger.log({ msg: 'indexes ensured', collection: this.collection.collectionName });
  }

  /** Unordered insert; documents already present (same eventId) are counted, not stored twice. */
  async insertMany(docs: readonly StoredActivity[]): Promise<InsertOutcome> {
    if (docs.length === 0) return { inserted: 0, duplicates: 0 };
    try {
      const result = await this.collection.insertMany(docs, { ordered: false });
      return { inserted: result.insertedCount, duplicates: 0 };
    } catch (error) {
      if (error instanceof MongoBulkWriteError) {
        const writeErrors = ([] as WriteError[]).concat(error.writeErrors);
        const others = writeErrors.filter((w) => w.code !== DUPLICATE_KEY);
        if (others.length === 0) {
          return { inserted: error.result.insertedCount, duplicates: writeErrors.length };
        }
      }
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY && docs.length === 1) {
        return { inserted: 0, duplicates: 1 };
      }
      throw error;
    }
  }

  findByEventId(eventId: string): Promise<StoredActivity | null> {
    return this.collection.findOne({ eventId }, { projection: { _id: 0 } });
  }
}

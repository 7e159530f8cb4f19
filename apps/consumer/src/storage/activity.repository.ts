import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Collection, Filter, MongoBulkWriteError, MongoServerError, WriteError } from 'mongodb';
import { ConsumerConfig } from '../config/consumer.config';
import { MongoConnection } from './mongo.client';
import { StoredActivity } from './stored-activity';
import { EVENT_ID_INDEX, ReadIndexMode, activityIndexes } from './activity-indexes';

/** The stored shape: the event with its eventId as primary key. */
type ActivityDocument = StoredActivity & { _id?: string };

export const DUPLICATE_KEY = 11000;
/** _id is the eventId, so a redelivered event may hit the primary key before the eventId index. */
const PRIMARY_KEY_INDEX = '_id_';

export interface DocumentFailure {
  /** Index of the document in the inserted array. */
  index: number;
  code: number | undefined;
  message: string;
}

export interface InsertOutcome {
  /** Indexes of the documents stored by this call. */
  inserted: number[];
  /** Indexes of documents whose eventId was already stored (redelivery): counted, not stored twice. */
  duplicates: number[];
  /** Per-document failures other than duplicates; the caller decides to retry or dead-letter. */
  failures: DocumentFailure[];
}

export interface ActivityQuery {
  userId?: string;
  activityType?: string;
  /** Inclusive lower bound, ISO-8601 UTC. */
  from?: string;
  /** Exclusive upper bound, ISO-8601 UTC. */
  to?: string;
  /** Keyset position: only items strictly after it in (timestamp desc, eventId desc) order. */
  after?: { timestamp: string; eventId: string };
  limit: number;
}

/** All MongoDB access for activities; no business rules here. */
@Injectable()
export class ActivityRepository implements OnModuleInit {
  private readonly logger = new Logger(ActivityRepository.name);
  readonly collection: Collection<ActivityDocument>;
  private readonly readIndexes: ReadIndexMode;

  constructor(
    private readonly connection: MongoConnection,
    config: ConsumerConfig,
  ) {
    this.collection = connection.db.collection<ActivityDocument>(config.mongo.collection);
    this.readIndexes = config.mongo.readIndexes;
  }

  async onModuleInit(): Promise<void> {
    await this.ensureIndexes();
  }

  /**
   * The unique eventId index is what makes redelivery harmless, so without it the app must not
   * start. Read indexes only speed queries up: a server that refuses one is logged and tolerated,
   * and on FerretDB, which does not use them, they are not created (MONGODB_READ_INDEXES).
   */
  async ensureIndexes(): Promise<void> {
    const server = await this.connection.serverFlavour();
    const [dedup, ...reads] = activityIndexes(this.readIndexes, server);
    await this.collection.createIndex(dedup.key, { name: dedup.name, unique: true });
    for (const index of reads) {
      try {
        await this.collection.createIndex(index.key, { name: index.name });
      } catch (error) {
        this.logger.warn({
          msg: 'read index not created; queries still work, slower',
          index: index.name,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    if (reads.length === 0)
      this.logger.log({
        msg:
          this.readIndexes === 'never'
            ? 'read indexes not created (MONGODB_READ_INDEXES=never)'
            : 'read indexes not created: this server plans the read queries as scans either way, and they would slow inserts (MONGODB_READ_INDEXES=always creates them)',
        server,
      });
    this.logger.log({
      msg: 'indexes ensured',
      collection: this.collection.collectionName,
      indexes: [dedup, ...reads].map((i) => i.name),
      server,
    });
  }

  /** Unordered insert: one round trip for the batch; every document gets its own outcome. */
  async insertMany(docs: readonly StoredActivity[]): Promise<InsertOutcome> {
    if (docs.length === 0) return { inserted: [], duplicates: [], failures: [] };
    try {
      // _id = eventId: the primary key doubles as the dedup key, and point reads by eventId use
      // it (FerretDB's SQLite backend only uses the _id index for lookups). Copies, because the
      // driver writes into the objects it is given.
      await this.collection.insertMany(
        docs.map((d) => ({ _id: d.eventId, ...d })),
        { ordered: false },
      );
      return { inserted: docs.map((_, i) => i), duplicates: [], failures: [] };
    } catch (error) {
      const writeErrors = perDocumentErrors(error, docs.length);
      if (!writeErrors) throw error;
      const failed = new Set(writeErrors.map((w) => w.index));
      return {
        inserted: docs.map((_, i) => i).filter((i) => !failed.has(i)),
        duplicates: writeErrors.filter(isDuplicateEvent).map((w) => w.index),
        failures: writeErrors
          .filter((w) => !isDuplicateEvent(w))
          .map((w) => ({ index: w.index, code: w.code, message: w.errmsg ?? 'write error' })),
      };
    }
  }

  /** A point read on the primary key: cheap on FerretDB too, also when nothing is found. */
  findByEventId(eventId: string): Promise<StoredActivity | null> {
    return this.collection.findOne({ _id: eventId }, { projection: { _id: 0 } });
  }

  /** Newest first, ties broken by eventId, so a (timestamp, eventId) position is a stable cursor. */
  find(query: ActivityQuery): Promise<StoredActivity[]> {
    const filter: Filter<ActivityDocument> = {};
    if (query.userId !== undefined) filter.userId = query.userId;
    if (query.activityType !== undefined) filter.activityType = query.activityType;
    if (query.from !== undefined || query.to !== undefined) {
      filter.timestamp = {
        ...(query.from !== undefined ? { $gte: query.from } : {}),
        ...(query.to !== undefined ? { $lt: query.to } : {}),
      };
    }
    if (query.after) {
      const { timestamp, eventId } = query.after;
      filter.$or = [{ timestamp: { $lt: timestamp } }, { timestamp, eventId: { $lt: eventId } }];
    }
    return this.collection
      .find(filter, { projection: { _id: 0 } })
      .sort({ timestamp: -1, eventId: -1 })
      .limit(query.limit)
      .toArray();
  }
}

interface IndexedWriteError {
  index: number;
  code: number | undefined;
  errmsg: string | undefined;
}

/**
 * A duplicate of an already stored event. MongoDB names the violated index in the message, so a
 * clash on any other unique index is not mistaken for one; FerretDB names none, and there the
 * eventId index is the only unique index this app creates.
 */
function isDuplicateEvent(w: IndexedWriteError): boolean {
  if (w.code !== DUPLICATE_KEY) return false;
  const index = /index: (\S+)/.exec(w.errmsg ?? '')?.[1];
  return index === undefined || index === EVENT_ID_INDEX || index === PRIMARY_KEY_INDEX;
}

/** The per-document errors of a failed insert, or null when the failure concerns the whole call. */
function perDocumentErrors(error: unknown, count: number): IndexedWriteError[] | null {
  if (error instanceof MongoBulkWriteError) {
    if (error.writeConcernError) return null;
    const list = ([] as WriteError[]).concat(error.writeErrors);
    if (list.length === 0) return null;
    return list.map((w) => ({ index: w.index, code: w.code, errmsg: w.errmsg }));
  }
  // Some servers answer a one-document batch with a plain server error.
  if (error instanceof MongoServerError && error.code === DUPLICATE_KEY && count === 1) {
    return [{ index: 0, code: DUPLICATE_KEY, errmsg: error.message }];
  }
  return null;
}

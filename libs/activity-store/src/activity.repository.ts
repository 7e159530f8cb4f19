import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectConnection, InjectModel } from '@nestjs/mongoose';
import {
  Collection,
  CreateIndexesOptions,
  MongoBulkWriteError,
  MongoServerError,
  WriteError,
} from 'mongodb';
import type { Connection, FilterQuery, Model } from 'mongoose';
import type { ActivitySink, FailureKind, IngestedActivity, SinkWriteResult } from '@app/ingestion';
import type { EveryField } from '@app/contracts';
import { EVENT_ID_INDEX, activityIndexes } from './activity-indexes';
import { Activity } from './activity.schema';
import { ACTIVITY_STORE_OPTIONS, ActivityStoreOptions } from './activity-store.options';
import { classifyMongoFailure } from './mongo-failures';
import { serverFlavourOf } from './server-flavour';

/** A stored event as the read API returns it (without `_id`, which repeats the eventId). */
export type StoredActivity = IngestedActivity;

/** The stored shape: the event with its eventId as primary key. */
type ActivityDocument = IngestedActivity & { _id: string };

export const DUPLICATE_KEY = 11000;
/** _id is the eventId, so a redelivered event may hit the primary key before the eventId index. */
const PRIMARY_KEY_INDEX = '_id_';

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

/**
 * All MongoDB access for activities, no business rules: the ingestion engine's default sink
 * (unordered bulk inserts, duplicates recognised by the eventId) and the read API's queries.
 */
@Injectable()
export class ActivityRepository implements ActivitySink, OnModuleInit {
  private readonly logger = new Logger(ActivityRepository.name);

  constructor(
    @InjectModel(Activity.name) private readonly model: Model<Activity>,
    @InjectConnection() private readonly connection: Connection,
    @Inject(ACTIVITY_STORE_OPTIONS) private readonly options: ActivityStoreOptions,
  ) {}

  /** The driver's collection under the model (see `write`). */
  private get native(): Collection<ActivityDocument> {
    return this.model.collection as unknown as Collection<ActivityDocument>;
  }

  /** The database must answer at boot (within the server selection timeout); then the indexes. */
  async onModuleInit(): Promise<void> {
    await this.connection.asPromise();
    await this.ensureIndexes();
  }

  /** "ferretdb x.y" or "mongodb x.y": logged at boot and used to choose the indexes. */
  serverFlavour(): Promise<string> {
    const db = this.connection.db;
    return db ? serverFlavourOf(db) : Promise.resolve('unknown');
  }

  /**
   * The unique eventId index is what makes redelivery harmless, so without it the app must not
   * start. Read indexes only speed queries up: a server that refuses one is logged and tolerated,
   * and on a stock FerretDB, which does not use them, they are not created (MONGODB_READ_INDEXES;
   * the patched build of scripts/infra/install.sh does use them). The definitions are the
   * schema's (activity.schema.ts).
   */
  async ensureIndexes(): Promise<void> {
    const server = await this.serverFlavour();
    const [dedup, ...reads] = activityIndexes(this.options.readIndexes, server);
    const declared = new Map(
      this.model.schema.indexes().map(([key, options]) => [String(options.name), { key, options }]),
    );
    const create = (name: string) => {
      const index = declared.get(name);
      if (!index) throw new Error(`index ${name} is not declared on the Activity schema`);
      return this.native.createIndex(
        index.key as Record<string, 1 | -1>,
        index.options as CreateIndexesOptions,
      );
    };
    await create(dedup.name);
    for (const index of reads) {
      try {
        await create(index.name);
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
          this.options.readIndexes === 'never'
            ? 'read indexes not created (MONGODB_READ_INDEXES=never)'
            : 'read indexes not created: this server plans the read queries as scans either way, and they would slow inserts (MONGODB_READ_INDEXES=always creates them; the FerretDB build of scripts/infra/install.sh uses them)',
        server,
      });
    this.logger.log({
      msg: 'indexes ensured',
      collection: this.native.collectionName,
      indexes: [dedup, ...reads].map((i) => i.name),
      server,
    });
  }

  /**
   * One unordered bulk insert for the flush; every event gets its own outcome. Through the
   * model's native collection rather than Model.insertMany: even with `lean` and `ordered: false`,
   * Model.insertMany cost the consumer 16-17 ms of CPU per 1,000 documents against 11-14 ms here
   * (20,000 documents in batches of 500 into FerretDB 1.24.2, three alternating rounds; rates
   * equal within the noise). The consumer shares its cores with the database, so CPU is drain rate.
   */
  async write(docs: readonly IngestedActivity[]): Promise<SinkWriteResult> {
    if (docs.length === 0) return { stored: [], duplicates: [], failed: [] };
    try {
      // _id = eventId. Copies, because the driver writes into the objects it is given.
      await this.native.insertMany(docs.map(storedDocument), { ordered: false });
      return { stored: docs.map((_, i) => i), duplicates: [], failed: [] };
    } catch (error) {
      const writeErrors = perDocumentErrors(error, docs.length);
      if (!writeErrors) throw error;
      const failed = new Set(writeErrors.map((w) => w.index));
      return {
        stored: docs.map((_, i) => i).filter((i) => !failed.has(i)),
        duplicates: writeErrors.filter(isDuplicateEvent).map((w) => w.index),
        failed: writeErrors
          .filter((w) => !isDuplicateEvent(w))
          .map((w) => ({
            index: w.index,
            kind: classifyMongoFailure(w),
            reason: w.errmsg ?? 'write error',
          })),
      };
    }
  }

  classify(error: unknown): FailureKind {
    return classifyMongoFailure(error);
  }

  /** A point read on the primary key: cheap on FerretDB too, also when nothing is found. */
  findByEventId(eventId: string): Promise<StoredActivity | null> {
    return this.model.findById(eventId, { _id: 0 }).lean<StoredActivity>().exec();
  }

  /** Newest first, ties broken by eventId, so a (timestamp, eventId) position is a stable cursor. */
  find(query: ActivityQuery): Promise<StoredActivity[]> {
    const filter: FilterQuery<Activity> = {};
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
    return this.model
      .find(filter, { _id: 0 })
      .sort({ timestamp: -1, eventId: -1 })
      .limit(query.limit)
      .lean<StoredActivity[]>()
      .exec();
  }
}

/**
 * The stored form, field by field rather than `{ _id, ...doc }`: a spread with other properties
 * leaves V8's fast object-clone path, a measurable share of the consumer's CPU per document. The
 * mapped type turns a field added to the event into a compile error here.
 */
function storedDocument(d: IngestedActivity): EveryField<ActivityDocument> {
  return {
    _id: d.eventId,
    eventId: d.eventId,
    userId: d.userId,
    activityType: d.activityType,
    timestamp: d.timestamp,
    metadata: d.metadata,
    version: d.version,
    kafka: d.kafka,
    receivedAt: d.receivedAt,
  };
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

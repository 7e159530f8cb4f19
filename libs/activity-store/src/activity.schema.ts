import { Prop, Schema, SchemaFactory, raw } from '@nestjs/mongoose';
import { DEDUP_INDEX, READ_INDEXES } from './activity-indexes';

/**
 * A stored activity event: the event, where it came from in Kafka and when the consumer took it.
 * `_id` is the eventId, so the primary key doubles as the dedup key and point reads by eventId are
 * primary-key lookups (FerretDB's SQLite backend uses no other index for lookups).
 */
@Schema({ versionKey: false, minimize: false })
export class Activity {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  eventId!: string;

  @Prop({ required: true })
  userId!: string;

  @Prop({ required: true })
  activityType!: string;

  /** ISO-8601 UTC with milliseconds, so it sorts as a string. */
  @Prop({ required: true })
  timestamp!: string;

  @Prop({ type: Object, required: true })
  metadata!: Record<string, unknown>;

  @Prop({ required: true })
  version!: string;

  @Prop(raw({ topic: String, partition: Number, offset: String }))
  kafka!: { topic: string; partition: number; offset: string };

  @Prop({ required: true })
  receivedAt!: Date;
}

export const ActivitySchema = SchemaFactory.createForClass(Activity);

// Declared here, created by ActivityRepository.ensureIndexes (autoIndex is off): which read indexes
// exist depends on the server (activity-indexes.ts).
ActivitySchema.index(DEDUP_INDEX.key, { name: DEDUP_INDEX.name, unique: true });
for (const index of READ_INDEXES) ActivitySchema.index(index.key, { name: index.name });

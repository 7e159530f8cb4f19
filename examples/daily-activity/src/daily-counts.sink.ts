import { Injectable } from '@nestjs/common';
import { InjectModel, Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { ActivitySink, IngestedActivity, SinkWriteResult } from '@app/ingestion';

/** One user's events of one UTC day (`_id` "userId|day"); a set, so a redelivery counts once. */
@Schema({ versionKey: false })
export class DailyCount {
  @Prop({ type: String }) _id!: string;
  @Prop({ type: [String] }) eventIds!: string[];
}
export const DailyCountSchema = SchemaFactory.createForClass(DailyCount);

const dayOf = (e: IngestedActivity) => `${e.userId}|${e.timestamp.slice(0, 10)}`;

/** The example's sink: per-user daily activity counts, idempotent under redelivery. */
@Injectable()
export class DailyCountsSink implements ActivitySink {
  constructor(@InjectModel(DailyCount.name) private readonly counts: Model<DailyCount>) {}

  /** One upsert per user and day; FerretDB 1.24 hangs on a bulk write upserting one _id twice. */
  async write(events: readonly IngestedActivity[]): Promise<SinkWriteResult> {
    const days = new Map<string, string[]>(); // user ids never hold a "|"
    for (const e of events) days.set(dayOf(e), [...(days.get(dayOf(e)) ?? []), e.eventId]);
    const upserts = [...days].map(([_id, eventIds]) => ({
      updateOne: {
        filter: { _id },
        update: { $addToSet: { eventIds: { $each: eventIds } } },
        upsert: true,
      },
    }));
    await this.counts.bulkWrite(upserts, { ordered: false });
    return { stored: events.map((_, i) => i), duplicates: [], failed: [] };
  }

  async countsOf(userId: string) {
    const range = { $gt: `${userId}|`, $lt: `${userId}|~` };
    const days = await this.counts.find({ _id: range }).sort({ _id: 1 }).lean().exec();
    return days.map((d) => ({ day: d._id.slice(userId.length + 1), count: d.eventIds.length }));
  }
}

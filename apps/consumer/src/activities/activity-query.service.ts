import { Injectable } from '@nestjs/common';
import { ActivityRepository, StoredActivity } from '@app/activity-store';
import { CodedError, ErrorCode } from '@app/contracts';
import { ConsumerConfig } from '../config/consumer.config';
import { decodeCursor, encodeCursor } from './activity-cursor';
import { ActivityFilterDto, PAGE_LIMIT_DEFAULT } from './activity-query.dto';

export interface ActivityPage {
  items: StoredActivity[];
  nextCursor: string | null;
}

/** Reads stored events: pages a validated filter with a keyset cursor. */
@Injectable()
export class ActivityQueryService {
  constructor(
    private readonly repository: ActivityRepository,
    private readonly config: ConsumerConfig,
  ) {}

  async findOne(eventId: string, apiKey?: unknown): Promise<StoredActivity> {
    const found = await this.repository.findByEventId(eventId);
    if (!found)
      throw new CodedError(ErrorCode.NOT_FOUND, `no stored event with eventId ${eventId}`);
    return this.reveal(found, apiKey);
  }

  /** Encrypted metadata fields: decrypted for FIELD_DECRYPT_API_KEYS callers, masked for others. */
  private reveal(activity: StoredActivity, apiKey: unknown): StoredActivity {
    const cipher = this.config.fieldCipher;
    if (!cipher) return activity;
    const allowed = typeof apiKey === 'string' && this.config.decryptApiKeys.includes(apiKey);
    return { ...activity, metadata: cipher.reveal(activity.metadata, allowed) };
  }

  /** `filter` was validated by the pipe (ActivityFilterDto's rules). */
  async list(
    filter: ActivityFilterDto & { userId?: string },
    apiKey?: unknown,
  ): Promise<ActivityPage> {
    const limit = filter.limit ?? PAGE_LIMIT_DEFAULT;
    const utc = (value?: string): string | undefined =>
      value === undefined ? undefined : new Date(value).toISOString();
    // One extra item tells whether another page exists without a count query.
    const items = await this.repository.find({
      userId: filter.userId,
      activityType: filter.activityType,
      from: utc(filter.from),
      to: utc(filter.to),
      after: filter.cursor === undefined ? undefined : decodeCursor(filter.cursor),
      limit: limit + 1,
    });
    const more = items.length > limit;
    const page = more ? items.slice(0, limit) : items;
    const last = page[page.length - 1];
    return {
      items: page.map((item) => this.reveal(item, apiKey)),
      nextCursor: more && last ? encodeCursor(last) : null,
    };
  }
}

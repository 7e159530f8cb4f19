import { Injectable } from '@nestjs/common';
import { ActivityRepository, StoredActivity } from '@app/activity-store';
import { CodedError, ErrorCode } from '@app/contracts';
import { decodeCursor, encodeCursor } from './activity-cursor';
import { ActivityFilterDto, PAGE_LIMIT_DEFAULT } from './activity-query.dto';

export interface ActivityPage {
  items: StoredActivity[];
  nextCursor: string | null;
}

/** Reads stored events: pages a validated filter with a keyset cursor. */
@Injectable()
export class ActivityQueryService {
  constructor(private readonly repository: ActivityRepository) {}

  async findOne(eventId: string): Promise<StoredActivity> {
    const found = await this.repository.findByEventId(eventId);
    if (!found)
      throw new CodedError(ErrorCode.NOT_FOUND, `no stored event with eventId ${eventId}`);
    return found;
  }

  /** `filter` was validated by the pipe (ActivityFilterDto's rules). */
  async list(filter: ActivityFilterDto & { userId?: string }): Promise<ActivityPage> {
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
    return { items: page, nextCursor: more && last ? encodeCursor(last) : null };
  }
}

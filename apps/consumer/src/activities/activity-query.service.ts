import { Injectable } from '@nestjs/common';
import { ValidationError, validateSync } from 'class-validator';
import { CodedError, ErrorCode, FieldIssue, LIMITS, USER_ID_PATTERN } from '@app/contracts';
import { ActivityRepository } from '../storage/activity.repository';
import { StoredActivity } from '../storage/stored-activity';
import { decodeCursor, encodeCursor } from './activity-cursor';
import {
  ActivityFilterDto,
  PAGE_LIMIT_DEFAULT,
  PAGE_LIMIT_MAX,
  UserActivityFilterDto,
} from './activity-query.dto';

export interface ActivityPage {
  items: StoredActivity[];
  nextCursor: string | null;
}

const FILTER_PARAMETERS = ['userId', 'activityType', 'from', 'to', 'limit', 'cursor'];
const USER_FILTER_PARAMETERS = FILTER_PARAMETERS.filter((key) => key !== 'userId');

const issue = (field: string, message: string, rule: string): FieldIssue => ({
  field,
  message,
  rule,
});

function toIssues(errors: ValidationError[]): FieldIssue[] {
  return errors.flatMap((e) =>
    Object.entries(e.constraints ?? {}).map(([rule, message]) =>
      rule === 'whitelistValidation'
        ? issue(e.property, `unknown query parameter "${e.property}"`, 'unknownField')
        : issue(e.property, message, rule),
    ),
  );
}

/** Reads stored events: validates the query, pages with a keyset cursor. */
@Injectable()
export class ActivityQueryService {
  constructor(private readonly repository: ActivityRepository) {}

  async findOne(eventId: string): Promise<StoredActivity> {
    const found = await this.repository.findByEventId(eventId);
    if (!found)
      throw new CodedError(ErrorCode.NOT_FOUND, `no stored event with eventId ${eventId}`);
    return found;
  }

  list(query: Record<string, unknown>): Promise<ActivityPage> {
    return this.page(this.validate(ActivityFilterDto, query, []));
  }

  listForUser(userId: string, query: Record<string, unknown>): Promise<ActivityPage> {
    const extra =
      userId.length <= LIMITS.userIdMaxLength && USER_ID_PATTERN.test(userId)
        ? []
        : [issue('userId', 'is not a valid user id', 'matches')];
    return this.page({ ...this.validate(UserActivityFilterDto, query, extra), userId });
  }

  private validate(
    type: typeof ActivityFilterDto | typeof UserActivityFilterDto,
    query: Record<string, unknown>,
    extra: FieldIssue[],
  ): ActivityFilterDto {
    // Copy only the known parameters: Object.assign would let `__proto__` or `constructor` reshape
    // the DTO (and silently pass or garble validation) instead of being rejected as unknown.
    const known = type === ActivityFilterDto ? FILTER_PARAMETERS : USER_FILTER_PARAMETERS;
    const dto = new type() as ActivityFilterDto & Record<string, unknown>;
    for (const key of known) if (Object.hasOwn(query, key)) dto[key] = query[key];
    const unknownKeys = Object.keys(query).filter((key) => !known.includes(key));
    const issues = [
      ...extra,
      ...unknownKeys.map((key) => issue(key, `unknown query parameter "${key}"`, 'unknownField')),
      ...toIssues(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true })),
    ];
    const limit = dto.limit === undefined ? PAGE_LIMIT_DEFAULT : Number(dto.limit);
    if (!issues.some((i) => i.field === 'limit') && (limit < 1 || limit > PAGE_LIMIT_MAX)) {
      issues.push(issue('limit', `must be from 1 to ${PAGE_LIMIT_MAX}`, 'range'));
    }
    const bothTimes = dto.from !== undefined && dto.to !== undefined;
    if (bothTimes && !issues.some((i) => i.field === 'from' || i.field === 'to')) {
      if (Date.parse(dto.from!) > Date.parse(dto.to!)) {
        issues.push(issue('from', 'must not be after to', 'order'));
      }
    }
    if (issues.length > 0) {
      throw new CodedError(
        ErrorCode.VALIDATION_ERROR,
        issues.map((i) => `${i.field}: ${i.message}`).join('; '),
        issues,
      );
    }
    return dto;
  }

  private async page(filter: ActivityFilterDto): Promise<ActivityPage> {
    const limit = filter.limit === undefined ? PAGE_LIMIT_DEFAULT : Number(filter.limit);
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

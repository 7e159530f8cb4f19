import { ErrorCode } from '@app/contracts';
import { ProblemExample } from '@app/platform';
import { PAGE_LIMIT_MAX } from './activity-query.dto';

/** Documented errors of the read API (the schemathesis fuzz run checks every status is listed). */
const badQuery: ProblemExample = {
  code: ErrorCode.VALIDATION_ERROR,
  summary: 'A filter or paging parameter breaks a rule; `errors` names each one',
  detail: `limit: must be from 1 to ${PAGE_LIMIT_MAX}`,
  errors: [{ field: 'limit', message: `must be from 1 to ${PAGE_LIMIT_MAX}`, rule: 'range' }],
};
const unknownParameter: ProblemExample = {
  code: ErrorCode.VALIDATION_ERROR,
  name: 'UNKNOWN_PARAMETER',
  summary: 'Query parameters outside the contract are rejected, not ignored',
  detail: 'colour: unknown query parameter "colour"',
  errors: [{ field: 'colour', message: 'unknown query parameter "colour"', rule: 'unknownField' }],
};
const badCursor: ProblemExample = {
  code: ErrorCode.VALIDATION_ERROR,
  name: 'BAD_CURSOR',
  summary: 'The cursor was not returned by this API',
  detail: 'cursor: cursor is not a cursor returned by this API',
  errors: [
    { field: 'cursor', message: 'cursor is not a cursor returned by this API', rule: 'matches' },
  ],
};
const badUserId: ProblemExample = {
  code: ErrorCode.VALIDATION_ERROR,
  name: 'BAD_USER_ID',
  summary: 'The userId in the path is not a valid user id',
  detail: 'userId: is not a valid user id',
  errors: [{ field: 'userId', message: 'is not a valid user id', rule: 'matches' }],
};
const notStored: ProblemExample = {
  code: ErrorCode.NOT_FOUND,
  summary: 'No stored event has this eventId (yet: the consumer may still be catching up)',
  detail: 'no stored event with eventId evt_01JD5K8ZQ0M6T4V3B2N1X9Y8W7',
};

export const LIST_ERRORS: ProblemExample[] = [badQuery, unknownParameter, badCursor];
export const USER_LIST_ERRORS: ProblemExample[] = [badUserId, badQuery, badCursor];
export const FIND_ONE_ERRORS: ProblemExample[] = [notStored];

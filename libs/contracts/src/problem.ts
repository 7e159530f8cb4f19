import { ErrorCode } from './error-codes';

/** RFC 9457 problem details, the one error shape of every HTTP endpoint. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `metadata.ipAddress` or `events[3].userId`. */
  field: string;
  message: string;
  /** The rule that failed, e.g. `maxLength`, `isIn`, `whitelist`. */
  rule: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance?: string;
  /** Correlation id of the request; also in logs and the `x-request-id` response header. */
  requestId?: string;
  errors?: FieldIssue[];
}

export const problemType = (code: ErrorCode): string =>
  `https://eyego.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`;

import { HttpException } from '@nestjs/common';
import { ErrorCode, FieldIssue } from '@app/contracts';

/** An HTTP error with a machine-readable code; rendered as problem+json by ProblemFilter. */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors?: FieldIssue[],
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail, status);
  }
}

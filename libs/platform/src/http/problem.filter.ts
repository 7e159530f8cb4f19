import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CodedError,
  ErrorCode,
  FieldIssue,
  PROBLEM_CONTENT_TYPE,
  ProblemDetails,
  problemType,
} from '@app/contracts';
import { redactApiKey } from '../security/apply-security';
import { ProblemException } from './problem.exception';

export const PROBLEM_TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.MALFORMED_REQUEST,
  401: ErrorCode.UNAUTHORIZED,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  408: ErrorCode.REQUEST_TIMEOUT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCode.RATE_LIMITED,
};

/** HTTP status of each error code when it reaches a client. */
export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  [ErrorCode.VALIDATION_ERROR]: 400,
  [ErrorCode.UNSUPPORTED_SCHEMA_VERSION]: 400,
  [ErrorCode.MALFORMED_MESSAGE]: 400,
  [ErrorCode.MALFORMED_REQUEST]: 400,
  [ErrorCode.UNAUTHORIZED]: 401,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.METHOD_NOT_ALLOWED]: 405,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.BATCH_TOO_LARGE]: 413,
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.STORAGE_UNAVAILABLE]: 503,
  [ErrorCode.BROKER_UNAVAILABLE]: 503,
  [ErrorCode.PROCESSING_FAILED]: 500,
  [ErrorCode.INTERNAL_ERROR]: 500,
  [ErrorCode.REQUEST_TIMEOUT]: 408,
  [ErrorCode.OVERLOADED]: 503,
  [ErrorCode.UNSUPPORTED_CONTENT_ENCODING]: 415,
  [ErrorCode.CORRUPT_COMPRESSED_BODY]: 400,
  [ErrorCode.IDEMPOTENCY_KEY_MISMATCH]: 400,
};

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

interface ProblemParts {
  status: number;
  code: ErrorCode;
  detail: string;
  errors?: FieldIssue[];
  headers?: Record<string, string>;
}

/** What a thrown value means for the client: status, code, public detail, field errors. */
function partsOf(error: unknown): ProblemParts {
  if (error instanceof CodedError) {
    const status = HTTP_STATUS_BY_CODE[error.code];
    const retry = error.retryAfterSeconds;
    return {
      status,
      code: error.code,
      detail:
        status >= 500 && retry === undefined ? 'An unexpected error occurred.' : error.message,
      errors: error.issues,
      headers: retry !== undefined ? { 'retry-after': String(retry) } : {},
    };
  }
  if (error instanceof ProblemException) {
    const { code, detail, errors, headers } = error;
    return { status: error.getStatus(), code, detail, errors, headers };
  }
  const status =
    error instanceof HttpException
      ? error.getStatus()
      : ((error as FastifyLikeError | null)?.statusCode ?? HttpStatus.INTERNAL_SERVER_ERROR);
  if (status >= 500) {
    const detail = 'An unexpected error occurred; quote the requestId when reporting it.';
    return { status, code: ErrorCode.INTERNAL_ERROR, detail };
  }
  const code = CODE_BY_STATUS[status] ?? ErrorCode.MALFORMED_REQUEST;
  return { status, code, detail: error instanceof Error ? error.message : 'request failed' };
}

/** Maps any thrown value to a problem body; internals of 5xx errors never reach the client. */
export function toProblem(
  error: unknown,
  requestId: string | undefined,
  instance?: string,
): {
  problem: ProblemDetails;
  headers: Record<string, string>;
} {
  const { status, code, detail, errors, headers } = partsOf(error);
  return {
    problem: {
      type: problemType(code),
      title: PROBLEM_TITLES[status] ?? 'Error',
      status,
      code,
      detail,
      instance,
      requestId,
      ...(errors ? { errors } : {}),
    },
    headers: headers ?? {},
  };
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const url = redactApiKey(request.url);
    const { problem, headers } = toProblem(error, String(request.id), url);
    // Shed load is answered by design (the request log has its line at warn); every other 5xx
    // is a failure worth its stack here, never in the answer.
    if (problem.status >= 500 && problem.code !== ErrorCode.OVERLOADED) {
      this.logger.error({
        msg: 'request failed',
        requestId: problem.requestId,
        url,
        error:
          error instanceof Error
            ? { name: error.name, message: error.message, stack: error.stack }
            : error,
      });
    }
    void reply.status(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(problem);
  }
}

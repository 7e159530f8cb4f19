import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ResponseObject,
  getSchemaPath,
} from '@nestjs/swagger';
import {
  ErrorCode,
  FieldIssue,
  PROBLEM_CONTENT_TYPE,
  ProblemDetails,
  problemType,
} from '@app/contracts';
import { HTTP_STATUS_BY_CODE, PROBLEM_TITLES } from './problem.filter';

export class FieldIssueDto implements FieldIssue {
  @ApiProperty({ example: 'metadata.ipAddress' }) field!: string;
  @ApiProperty({ example: 'must be an IPv4 or IPv6 address' }) message!: string;
  @ApiProperty({ example: 'isIP' }) rule!: string;
}

/** The one error body of every endpoint (RFC 9457 problem details plus a stable `code`). */
export class ProblemDto implements ProblemDetails {
  @ApiProperty({ example: problemType(ErrorCode.VALIDATION_ERROR) }) type!: string;
  @ApiProperty({ example: 'Bad Request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ enum: ErrorCode, enumName: 'ErrorCode', example: ErrorCode.VALIDATION_ERROR })
  code!: ErrorCode;
  @ApiProperty({ example: 'metadata.ipAddress: must be an IPv4 or IPv6 address' })
  detail!: string;
  @ApiPropertyOptional({ example: '/v1/activities' }) instance?: string;
  @ApiPropertyOptional({
    example: '0b8f6a9e-3c2d-4a51-9b7e-2f1c0d4e5a6b',
    description: 'Also in the x-request-id response header and in the logs.',
  })
  requestId?: string;
  @ApiPropertyOptional({ type: [FieldIssueDto], description: 'One entry per offending field.' })
  errors?: FieldIssueDto[];
}

export interface ProblemExample {
  code: ErrorCode;
  /** Name of the example in the document; defaults to the code. */
  name?: string;
  summary: string;
  detail: string;
  errors?: FieldIssue[];
  /** The documented status when it is not the code's usual one. */
  status?: number;
  instance?: string;
}

const REQUEST_ID = '0b8f6a9e-3c2d-4a51-9b7e-2f1c0d4e5a6b';

/** The problem body an example stands for, exactly as the error handler would render it. */
export function problemExampleBody(example: ProblemExample): ProblemDetails {
  const status = example.status ?? HTTP_STATUS_BY_CODE[example.code];
  return {
    type: problemType(example.code),
    title: PROBLEM_TITLES[status] ?? 'Error',
    status,
    code: example.code,
    detail: example.detail,
    instance: example.instance,
    requestId: REQUEST_ID,
    ...(example.errors ? { errors: example.errors } : {}),
  };
}

/** The OpenAPI response object of one error status, with the problem schema and examples. */
export function problemResponse(list: ProblemExample[]): ResponseObject {
  const status = list[0].status ?? HTTP_STATUS_BY_CODE[list[0].code];
  return {
    description: list.map((e) => `\`${e.code}\`: ${e.summary}`).join('; '),
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: { $ref: getSchemaPath(ProblemDto) },
        examples: Object.fromEntries(
          list.map((e) => [e.name ?? e.code, { summary: e.summary, value: problemExampleBody(e) }]),
        ),
      },
    },
    ...(status === 429 || status === 503
      ? {
          headers: {
            'Retry-After': {
              description: 'Seconds to wait before retrying.',
              schema: { type: 'integer', example: 5 },
            },
          },
        }
      : {}),
  };
}

/** Documents error responses, grouped by status, each with the problem schema and examples. */
export function ApiProblems(...examples: ProblemExample[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ProblemExample[]>();
  for (const e of examples) {
    const status = e.status ?? HTTP_STATUS_BY_CODE[e.code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), e]);
  }
  return applyDecorators(
    ApiExtraModels(ProblemDto, FieldIssueDto),
    ...[...byStatus].map(([status, list]) => ApiResponse({ status, ...problemResponse(list) })),
  );
}

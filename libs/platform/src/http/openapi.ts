import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ErrorCode, PROBLEM_CONTENT_TYPE } from '@app/contracts';
import { API_KEY_HEADER } from '../security/apply-security';
import { REQUEST_CONTENT_ENCODINGS } from './content-encoding';
import { isOpenPath } from '../security/api-keys';
import { HTTP_STATUS_BY_CODE } from './problem.filter';
import { FieldIssueDto, ProblemDto, ProblemExample, problemResponse } from './problem.openapi';

export interface OpenApiInfo {
  title: string;
  description: string;
  version: string;
}

const API_KEY_SCHEME = 'apiKey';

/** Errors the platform itself raises (security and body parsing), documented on every route. */
const PLATFORM_ERRORS: { applies: (hasBody: boolean) => boolean; examples: ProblemExample[] }[] = [
  {
    applies: () => true,
    examples: [
      {
        code: ErrorCode.UNAUTHORIZED,
        summary: 'API keys are on and x-api-key is missing or wrong',
        detail: `a valid ${API_KEY_HEADER} header is required`,
      },
    ],
  },
  {
    applies: () => true,
    examples: [
      {
        code: ErrorCode.RATE_LIMITED,
        summary: 'Too many requests from this API key (or address)',
        detail: 'more than 3000 requests in 10 seconds; retry in 4 s',
      },
    ],
  },
  {
    applies: (hasBody) => hasBody,
    examples: [
      {
        code: ErrorCode.PAYLOAD_TOO_LARGE,
        summary: 'The body is larger than HTTP_BODY_LIMIT_BYTES',
        detail: 'Request body is too large',
      },
      {
        code: ErrorCode.PAYLOAD_TOO_LARGE,
        name: 'PAYLOAD_TOO_LARGE_DECODED',
        summary:
          'A compressed body inflates past HTTP_BODY_LIMIT_BYTES (the limit applies to the decoded size, checked while decoding)',
        detail: 'the gzip-decoded body is larger than 1048576 bytes',
      },
    ],
  },
  {
    applies: () => true,
    examples: [
      {
        code: ErrorCode.OVERLOADED,
        summary: 'The service sheds load; retry after Retry-After seconds',
        detail: 'the service is overloaded (event loop 310 ms late); retry in 1 s',
      },
    ],
  },
  {
    applies: () => true,
    examples: [
      {
        code: ErrorCode.REQUEST_TIMEOUT,
        summary: 'The request did not arrive whole within HTTP_REQUEST_TIMEOUT_MS',
        detail: 'the request was not received in time',
      },
    ],
  },
  {
    applies: (hasBody) => hasBody,
    examples: [
      {
        code: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        summary: 'The body is not application/json',
        detail: 'Unsupported Media Type: text/plain',
      },
      {
        code: ErrorCode.UNSUPPORTED_CONTENT_ENCODING,
        summary: 'Content-Encoding is not gzip, deflate, br or identity',
        detail:
          'Content-Encoding "compress" is not supported; send one of gzip, deflate, br or identity',
      },
    ],
  },
  {
    applies: (hasBody) => hasBody,
    examples: [
      {
        code: ErrorCode.CORRUPT_COMPRESSED_BODY,
        summary: 'The body does not decode with its Content-Encoding (corrupt or truncated)',
        detail: 'the body is not valid gzip data: unexpected end of file',
      },
    ],
  },
];

/**
 * Compressed bodies, documented on every operation with a body. Not as a header parameter: its
 * value describes the body bytes, so a client (or schemathesis) setting it from the schema alone
 * sends a JSON body labelled gzip, a 400 for a schema-valid request.
 */
const CONTENT_ENCODING_NOTE = `The body may be compressed: Content-Encoding ${REQUEST_CONTENT_ENCODINGS.join(', ')} (deflate = zlib) or identity. HTTP_BODY_LIMIT_BYTES applies to the decoded size.`;

type Operation = NonNullable<OpenAPIObject['paths'][string]['post']>;

function addPlatformErrors(path: string, operation: Operation): void {
  if (isOpenPath(path)) return;
  if (operation.requestBody !== undefined) {
    const body = operation.requestBody as { description?: string };
    body.description = body.description
      ? `${body.description} ${CONTENT_ENCODING_NOTE}`
      : CONTENT_ENCODING_NOTE;
  }
  operation.security = [{ [API_KEY_SCHEME]: [] }];
  for (const { applies, examples } of PLATFORM_ERRORS) {
    const status = String(HTTP_STATUS_BY_CODE[examples[0].code]);
    if (!applies(operation.requestBody !== undefined)) continue;
    const existing = operation.responses[status] as ResponseObject | undefined;
    const content = existing?.content?.[PROBLEM_CONTENT_TYPE];
    if (!existing) operation.responses[status] = problemResponse(examples);
    else if (content?.examples) {
      // The route documents this status already (e.g. 503 BROKER_UNAVAILABLE): add ours to it.
      const ours = problemResponse(examples).content?.[PROBLEM_CONTENT_TYPE]?.examples ?? {};
      content.examples = { ...content.examples, ...ours };
      existing.description = `${existing.description}; ${problemResponse(examples).description}`;
    }
  }
}

/**
 * The app's OpenAPI document, from code alone: building it needs the Nest app created but not
 * initialised, so no broker or database is contacted (scripts/openapi.ts relies on that).
 */
export function buildOpenApiDocument(app: INestApplication, info: OpenApiInfo): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(info.description)
    .setVersion(info.version)
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: API_KEY_HEADER,
        description:
          'Required when API keys are on (default with NODE_ENV=production); /health, /metrics and /docs stay open.',
      },
      API_KEY_SCHEME,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDto, FieldIssueDto],
  });
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (operation) addPlatformErrors(path, operation);
    }
  }
  return document;
}

/** Serves Swagger UI at /docs and the document at /docs-json. */
export function setupSwagger(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

/**
 * `main.js --write-openapi <file>`: the app writes its document to the file and exits without
 * being initialised, so no broker or database is contacted (scripts/openapi.ts).
 */
export const WRITE_OPENAPI_FLAG = '--write-openapi';

/** The file given after WRITE_OPENAPI_FLAG, or null when the app is to run. */
export function openApiOutputFile(argv: readonly string[]): string | null {
  const at = argv.indexOf(WRITE_OPENAPI_FLAG);
  return at >= 0 && argv[at + 1] ? argv[at + 1] : null;
}

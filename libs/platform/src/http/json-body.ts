import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import { CodedError, ErrorCode } from '@app/contracts';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

const malformed = (detail: string) => new CodedError(ErrorCode.MALFORMED_REQUEST, detail);

/** Paths of own `__proto__` keys anywhere in a parsed JSON value. */
function protoKeys(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.keys(value).flatMap((key) => {
    const field = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    const inner = protoKeys((value as Record<string, unknown>)[key], field);
    return key === '__proto__' ? [field, ...inner] : inner;
  });
}

/**
 * JSON is the only body type, parsed strictly: invalid UTF-8 is rejected rather than replaced
 * with U+FFFD, and each failure says what is wrong. JSON.parse makes `__proto__` an own key
 * (no pollution); such keys are still rejected, naming where they are.
 */
export function useStrictJsonBodies(
  fastify: FastifyInstance,
  bodyLimitBytes: number,
  /** Routes where `text/plain` carries JSON (navigator.sendBeacon); 415 on every other route. */
  beaconRoutes: readonly string[] = [],
): void {
  fastify.removeAllContentTypeParsers();
  // The body limit lives here, not in the server's options: the server is built before the
  // app's configuration is read, and JSON is the only body type there is.
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: bodyLimitBytes },
    (_request, body: Buffer, done) => parseStrictJson(body, done),
  );
  if (beaconRoutes.length === 0) return;
  // A CORS-simple request (no preflight) may only be text/plain, form or multipart: sendBeacon
  // and no-preflight fetch send JSON as text/plain. It is parsed as strictly as JSON.
  fastify.addContentTypeParser(
    'text/plain',
    { parseAs: 'buffer', bodyLimit: bodyLimitBytes },
    (request: FastifyRequest, body: Buffer, done) => {
      if (!beaconRoutes.includes(request.routeOptions.url ?? '')) {
        return done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE());
      }
      parseStrictJson(body, done);
    },
  );
}

function parseStrictJson(body: Buffer, done: (error: Error | null, body?: unknown) => void): void {
  if (body.length === 0) return done(malformed('the body is empty; send a JSON value'));
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    return done(malformed('the body is not valid UTF-8'));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return done(malformed(`the body is not valid JSON: ${(error as Error).message}`));
  }
  const forbidden = text.includes('__proto__') ? protoKeys(parsed) : [];
  if (forbidden.length > 0) {
    return done(
      new CodedError(
        ErrorCode.VALIDATION_ERROR,
        'the body has forbidden keys',
        forbidden.map((field) => ({
          field,
          message: 'key "__proto__" is not allowed',
          rule: 'forbiddenKey',
        })),
      ),
    );
  }
  done(null, parsed);
}

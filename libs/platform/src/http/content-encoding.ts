import { PassThrough, Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CodedError, ErrorCode } from '@app/contracts';

/** Content codings a request body may arrive in (besides identity). */
export const REQUEST_CONTENT_ENCODINGS = ['gzip', 'deflate', 'br'] as const;
export type RequestContentEncoding = (typeof REQUEST_CONTENT_ENCODINGS)[number];

const DECODERS: Record<RequestContentEncoding, () => Transform> = {
  gzip: () => createGunzip(),
  // HTTP's "deflate" is the zlib format (RFC 9110 8.4.1.2), what CompressionStream('deflate') writes.
  deflate: () => createInflate(),
  br: () => createBrotliDecompress(),
};

const isSupported = (coding: string): coding is RequestContentEncoding =>
  (REQUEST_CONTENT_ENCODINGS as readonly string[]).includes(coding);

/** What fastify reads as the body: the decoded bytes, plus how many encoded bytes came in. */
type DecodedBody = PassThrough & { receivedEncodedLength: number };

/**
 * Decodes the request body while it is read, so the body limit applies to what the JSON parser
 * would get, not to what crossed the wire: a few KB of gzip that inflate to gigabytes stop with
 * 413 as soon as the decoded bytes pass the limit, and no more than one zlib chunk (16 KB) past
 * it is ever held. The socket is left alone (not destroyed), so the client reads its answer.
 */
function decoding(
  source: Readable,
  coding: RequestContentEncoding,
  bodyLimitBytes: number,
): DecodedBody {
  const out = new PassThrough() as DecodedBody;
  out.receivedEncodedLength = 0;
  // Fastify reads `out` only on routes that parse a body: on a 404 or a TRACE nobody listens, and
  // a corrupt stream's error would then be unhandled and end the process. Readers still get it.
  out.on('error', () => undefined);
  const decoder = DECODERS[coding]();
  let decoded = 0;
  let failed = false;
  const fail = (error: CodedError): void => {
    if (failed) return;
    failed = true;
    source.unpipe(meter);
    meter.unpipe(decoder);
    decoder.unpipe(limiter);
    decoder.destroy();
    out.destroy(error);
  };
  // Encoded bytes: fastify compares them with Content-Length and with the limit.
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      out.receivedEncodedLength += chunk.length;
      done(null, chunk);
    },
  });
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      decoded += chunk.length;
      if (decoded > bodyLimitBytes) {
        done();
        fail(
          new CodedError(
            ErrorCode.PAYLOAD_TOO_LARGE,
            `the ${coding}-decoded body is larger than ${bodyLimitBytes} bytes`,
          ),
        );
        return;
      }
      done(null, chunk);
    },
  });
  decoder.on('error', (error: Error) =>
    fail(
      new CodedError(
        ErrorCode.CORRUPT_COMPRESSED_BODY,
        `the body is not valid ${coding} data: ${error.message}`,
      ),
    ),
  );
  source.on('error', (error: Error) => {
    if (!failed) {
      failed = true;
      decoder.destroy();
      out.destroy(error);
    }
  });
  source.pipe(meter).pipe(decoder).pipe(limiter).pipe(out);
  return out;
}

/**
 * Request bodies with `Content-Encoding: gzip | deflate | br` are decoded before parsing, with
 * the body limit applied to the decoded size while decoding; `identity` (or none) passes as is.
 * Another coding is 415 UNSUPPORTED_CONTENT_ENCODING, a stream that does not decode 400
 * CORRUPT_COMPRESSED_BODY. Register after the API-key hook: nothing is inflated for a caller
 * without a key.
 */
export function decodeRequestBodies(fastify: FastifyInstance, bodyLimitBytes: number): void {
  // A callback hook, not an async one: it runs on every request, and nearly all have no coding.
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const header = request.headers['content-encoding'];
    if (header === undefined) return done(null, payload);
    decodedBody(header, request, payload, bodyLimitBytes).then((body) => done(null, body), done);
  });
}

async function decodedBody(
  header: string,
  request: FastifyRequest,
  payload: Readable,
  bodyLimitBytes: number,
): Promise<Readable> {
  const coding = header.trim().toLowerCase();
  if (coding === '' || coding === 'identity') return payload;
  if (!isSupported(coding)) {
    throw new CodedError(
      ErrorCode.UNSUPPORTED_CONTENT_ENCODING,
      `Content-Encoding "${coding.slice(0, 64)}" is not supported; send one of ${REQUEST_CONTENT_ENCODINGS.join(', ')} or identity`,
    );
  }
  // Nothing to decode: an empty body stays empty (and is answered as one).
  const length = request.headers['content-length'];
  if (
    request.headers['transfer-encoding'] === undefined &&
    (length === undefined || length === '0')
  )
    return payload;
  return decoding(payload, coding, bodyLimitBytes);
}

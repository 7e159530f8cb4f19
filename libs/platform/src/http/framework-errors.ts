import { randomUUID } from 'node:crypto';
import { STATUS_CODES, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE } from '@app/contracts';
import { toProblem } from './problem.filter';

/**
 * Errors fastify raises before routing (a URL that is not valid percent-encoding, a path parameter
 * over the length limit): problem+json like every other error, instead of fastify's own JSON.
 */
export function frameworkErrorAsProblem(
  error: Error,
  request: { id: unknown; url: string },
  reply: { raw: ServerResponse },
): void {
  const { problem, headers } = toProblem(error, String(request.id), request.url);
  const body = JSON.stringify(problem);
  reply.raw.writeHead(problem.status, {
    ...headers,
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'x-request-id': String(request.id),
  });
  reply.raw.end(body);
}

/**
 * Requests Node's HTTP parser rejects (headers or URL too large, malformed request line) never
 * reach fastify; they get a problem+json answer on the raw socket before it is closed.
 */
export function clientErrorAsProblem(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : 400;
  const detail =
    status === 431
      ? 'the request line and headers are larger than the server accepts'
      : status === 408
        ? 'the request was not received in time'
        : 'the request is not valid HTTP';
  const requestId = randomUUID();
  const { problem } = toProblem(
    Object.assign(new Error(detail), { statusCode: status }),
    requestId,
  );
  problem.title = STATUS_CODES[status] ?? problem.title;
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

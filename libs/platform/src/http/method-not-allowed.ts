import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '@app/contracts';
import { ProblemException } from './problem.exception';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * A request whose path exists under other methods answers 405 with an `Allow` header (RFC 9110
 * §15.5.6) instead of 404, so a client that used the wrong method is told which ones work.
 * Runs only for requests no route matched; paths that exist under no method stay 404.
 */
export function answerWrongMethodWith405(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request) => {
    if (!request.is404) return;
    const path = request.url.split('?', 1)[0];
    const allowed = METHODS.filter(
      (method) => method !== request.method && fastify.findRoute({ method, url: path }) !== null,
    );
    if (allowed.length === 0) return;
    throw new ProblemException(
      405,
      ErrorCode.METHOD_NOT_ALLOWED,
      `${request.method} is not supported on ${path}; allowed: ${allowed.join(', ')}`,
      undefined,
      { allow: allowed.join(', ') },
    );
  });
}

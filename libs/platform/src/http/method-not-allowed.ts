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
  // A callback hook, not an async one: it runs on every request, and matched ones (nearly all)
  // leave at once without a promise.
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (!request.is404) return done();
    const path = request.url.split('?', 1)[0];
    const allowed = METHODS.filter(
      (method) => method !== request.method && fastify.findRoute({ method, url: path }) !== null,
    );
    if (allowed.length === 0) return done();
    done(
      new ProblemException(
        405,
        ErrorCode.METHOD_NOT_ALLOWED,
        `${request.method} is not supported on ${path}; allowed: ${allowed.join(', ')}`,
        undefined,
        { allow: allowed.join(', ') },
      ),
    );
  });
}

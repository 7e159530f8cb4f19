import { ArgumentsHost, Catch, ExceptionFilter, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/**
 * Terminus signals a failed check by throwing 503 with the check result as the body. The global
 * problem+json filter would replace that body with a generic 5xx problem, hiding which dependency
 * failed; on health controllers this filter sends the result itself: 503 naming each dependency.
 */
@Catch(ServiceUnavailableException)
export class HealthCheckFilter implements ExceptionFilter {
  catch(error: ServiceUnavailableException, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(503).type('application/json; charset=utf-8').send(error.getResponse());
  }
}

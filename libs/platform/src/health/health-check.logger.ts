import { Injectable, Logger, LoggerService, Optional } from '@nestjs/common';

const FAILED = 'Health Check has failed! ';

type Details = Record<string, { status: string; message?: string }>;

/**
 * Terminus's logger (`TerminusModule.forRoot({ errorLogStyle: 'json', logger: HealthCheckLogger })`).
 * Terminus writes a failed check as one string with the JSON pasted in; this turns it into fields,
 * naming the failing dependencies, at warn level: an unready instance is a state the orchestrator
 * handles, and the cause is what an operator needs.
 */
@Injectable()
export class HealthCheckLogger implements LoggerService {
  // Nest passes undefined (nothing to inject); tests pass a recording logger.
  constructor(
    @Optional()
    private readonly logger: Pick<Logger, 'log' | 'warn' | 'error'> = new Logger('Health'),
  ) {}

  log(message: unknown): void {
    this.logger.log(message);
  }

  warn(message: unknown): void {
    this.logger.warn(message);
  }

  error(message: unknown, ...rest: unknown[]): void {
    const details = typeof message === 'string' ? parseFailure(message) : null;
    if (details) {
      const failing = Object.keys(details).filter((key) => details[key].status !== 'up');
      this.logger.warn({ msg: 'health check failed', failing, details });
    } else {
      this.logger.error(message, ...rest);
    }
  }
}

function parseFailure(message: string): Details | null {
  if (!message.startsWith(FAILED)) return null;
  try {
    return JSON.parse(message.slice(FAILED.length)) as Details;
  } catch {
    return null;
  }
}

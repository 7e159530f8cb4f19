import { Injectable } from '@nestjs/common';

/** What an admission gate sees of a request: its line and headers, never its body. */
export interface AdmissionRequest {
  method: string;
  /** The matched route's template (`/v1/activities/batch`), or undefined for no route. */
  route: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * An app's own view of its backlog, asked before a request's body is read. A request the app
 * would refuse anyway once parsed (a full send queue, say) is answered 503 OVERLOADED at once:
 * under overload the CPU then goes to the requests that are admitted, not to parsing bodies that
 * are thrown away.
 */
export interface AdmissionGate {
  /** Why this request would be refused now (the 503's detail), or null to admit it. */
  refusal(request: AdmissionRequest): string | null;
}

/**
 * The gates of the running app (PlatformModule exports it): a provider registers itself, usually
 * in its onModuleInit, and createHttpApp asks them all before each body is read. Health, metrics
 * and docs are never asked about (see applyHttpLimits).
 */
@Injectable()
export class HttpAdmission implements AdmissionGate {
  private readonly gates: AdmissionGate[] = [];

  register(gate: AdmissionGate): void {
    this.gates.push(gate);
  }

  refusal(request: AdmissionRequest): string | null {
    for (const gate of this.gates) {
      const why = gate.refusal(request);
      if (why !== null) return why;
    }
    return null;
  }
}

import { Injectable } from '@nestjs/common';

/**
 * Whether this instance is a member of the consumer group right now, for readiness: updated from
 * the consumer's GROUP_JOIN, REBALANCING, CRASH, DISCONNECT and STOP events.
 */
@Injectable()
export class GroupMembership {
  private joined = false;
  private error: string | null = null;
  private assignment: Record<string, number[]> = {};

  isJoined(): boolean {
    return this.joined;
  }

  lastError(): string | null {
    return this.error;
  }

  /** Partitions per topic assigned at the last join. */
  assigned(): Record<string, number[]> {
    return this.assignment;
  }

  markJoined(assignment: Record<string, number[]>): void {
    this.joined = true;
    this.error = null;
    this.assignment = assignment;
  }

  markLeft(reason: string, error?: string): void {
    this.joined = false;
    this.assignment = {};
    this.error = error ?? reason;
  }
}

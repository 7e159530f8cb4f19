// docs/extending/file-sink.ts — a sink to another store: JSON lines in a file.
import { appendFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import type { ActivitySink, FailureKind, IngestedActivity, SinkWriteResult } from '@app/ingestion';

@Injectable()
export class JsonLinesSink implements ActivitySink {
  constructor(private readonly path = 'activities.jsonl') {}

  async write(events: readonly IngestedActivity[]): Promise<SinkWriteResult> {
    // One append per flush; a redelivered event is appended again, so readers dedup by eventId.
    await appendFile(this.path, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    return { stored: events.map((_, i) => i), duplicates: [], failed: [] };
  }

  /** A full disk clears up (transient: the partition waits); anything else is retried, then DLQ. */
  classify(error: unknown): FailureKind {
    return (error as { code?: string }).code === 'ENOSPC' ? 'transient' : 'other';
  }
}

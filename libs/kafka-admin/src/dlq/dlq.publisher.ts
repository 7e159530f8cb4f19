import { CompressionTypes, Producer } from 'kafkajs';
import { DlqError, OriginalRecord, toDlqRecord } from '@app/contracts';

/**
 * Writes failed records to the dead-letter topic in the spec's envelope, keyed like the original
 * so a user's failures stay in order. Resolves only after the broker acknowledged (acks=all):
 * the caller commits the original offset after that, so a crash in between redelivers, never loses.
 */
export class DlqPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  async publish(failures: readonly { original: OriginalRecord; error: DlqError }[]): Promise<void> {
    if (failures.length === 0) return;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: failures.map((f) => toDlqRecord(f.original, f.error)),
    });
  }
}

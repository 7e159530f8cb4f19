import { Logger } from '@nestjs/common';
import { type LogEntry, type logCreator, logLevel } from 'kafkajs';

type Sink = Pick<Logger, 'error' | 'warn' | 'log' | 'debug'>;

/**
 * Routes kafkajs's own log lines through the application's JSON logger, so every line of the
 * process is one JSON object with the same fields (kafkajs's extras, e.g. groupId, topic,
 * partition, broker, stay fields instead of being pasted into the message). Pass it as
 * `logCreator` to `new Kafka({...})` and to the Nest Kafka transport's `client` options.
 */
export const kafkaLogCreator: logCreator = () => {
  const logger = new Logger('kafkajs');
  return (entry) => writeKafkaLog(logger, entry);
};

// kafkajs's protocol error table (an internal module: the version is pinned in package.json, and
// the spec runs against this very table).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { errorCodes } = require('kafkajs/src/protocol/error') as {
  errorCodes: { message: string; retriable: boolean }[];
};
const RETRIABLE = errorCodes.filter((e) => e.retriable).map((e) => e.message);
const isRetriable = (text: unknown): boolean =>
  typeof text === 'string' && RETRIABLE.some((m) => text.includes(m));

/** kafkajs's warning for any idempotent producer whose retries are bounded. */
export const EOS_RETRIES_WARNING =
  'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/**
 * The level a kafkajs line deserves here. kafkajs logs every error response of the broker at
 * error level before its own retry handles it, and warns about bounded retries on any idempotent
 * producer; on a healthy first boot that made seven error lines and a warning. Expected, handled
 * conditions go to debug or info, real failures stay errors:
 * - a response with a retriable protocol error (the coordinator is loading, no leader yet...):
 *   kafkajs retries it; the caller sees the error only if the retries run out;
 * - "Topic creation errors" on CreateTopics: a concurrent provisioner created the topic first; the
 *   TopicProvisioner treats that as success and reports any real failure itself;
 * - a consumer crash on a retriable error and its restart: kafkajs restarts the consumer, and the
 *   engine logs the crash with its cause (ConsumerHandle);
 * - the bounded-retries warning: the retries are bounded on purpose (after a failed send the API
 *   replaces its producer and the engine retries the DLQ write itself); what really weakens the
 *   guarantees, PRODUCER_IDEMPOTENT=false, is warned about by the producer-api naming the variable.
 */
export function kafkaLogLevel({ namespace, level, log }: LogEntry): logLevel {
  const { message } = log;
  if (level === logLevel.WARN && message === EOS_RETRIES_WARNING) return logLevel.DEBUG;
  if (level !== logLevel.ERROR) return level;
  const error = (log as { error?: unknown }).error;
  if (namespace === 'Connection' && message.startsWith('Response ')) {
    if (isRetriable(error) || error === 'Topic creation errors') return logLevel.DEBUG;
  }
  if (message.startsWith('Crash: ') && isRetriable(message)) return logLevel.INFO;
  if (message.startsWith('Restarting the consumer in ')) return logLevel.INFO;
  return level;
}

export function writeKafkaLog(logger: Sink, entry: LogEntry): void {
  const { namespace, log } = entry;
  // kafkajs's timestamp and `logger: 'kafkajs'` duplicate the logger's own timestamp and context.
  const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
  const line = { msg: message, namespace, ...fields };
  switch (kafkaLogLevel(entry)) {
    case logLevel.NOTHING:
    case logLevel.ERROR:
      return logger.error(line);
    case logLevel.WARN:
      return logger.warn(line);
    case logLevel.INFO:
      return logger.log(line);
    case logLevel.DEBUG:
      return logger.debug(line);
  }
}

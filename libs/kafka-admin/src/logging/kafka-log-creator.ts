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

export function writeKafkaLog(logger: Sink, { namespace, level, log }: LogEntry): void {
  // kafkajs's timestamp and `logger: 'kafkajs'` duplicate the logger's own timestamp and context.
  const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
  const line = { msg: message, namespace, ...fields };
  switch (level) {
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

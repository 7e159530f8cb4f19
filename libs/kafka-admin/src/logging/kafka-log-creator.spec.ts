import { logLevel } from 'kafkajs';
import { writeKafkaLog } from './kafka-log-creator';

const sink = () => ({ error: jest.fn(), warn: jest.fn(), log: jest.fn(), debug: jest.fn() });
const entry = (level: logLevel) => ({
  namespace: 'Consumer',
  level,
  label: 'INFO',
  log: {
    timestamp: '2026-01-01T00:00:00.000Z',
    logger: 'kafkajs',
    message: 'Consumer has joined the group',
    groupId: 'g1',
    topic: 't',
    partition: 2,
  },
});

describe('kafkaLogCreator', () => {
  it('writes kafkajs entries as structured fields instead of one pasted string', () => {
    const logger = sink();
    writeKafkaLog(logger, entry(logLevel.INFO));
    expect(logger.log).toHaveBeenCalledWith({
      msg: 'Consumer has joined the group',
      namespace: 'Consumer',
      groupId: 'g1',
      topic: 't',
      partition: 2,
    });
  });

  it('maps each kafkajs level to the logger level of the same severity', () => {
    const logger = sink();
    writeKafkaLog(logger, entry(logLevel.ERROR));
    writeKafkaLog(logger, entry(logLevel.WARN));
    writeKafkaLog(logger, entry(logLevel.DEBUG));
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.debug).toHaveBeenCalledTimes(1);
    expect(logger.log).not.toHaveBeenCalled();
  });
});

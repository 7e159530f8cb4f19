import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { KAFKA_BROKERS, MONGO_BASE_URI } from './infra';

/**
 * Every e2e suite gets its own topics (prefix), consumer group and database, so suites cannot see
 * each other's events and counts are exact.
 */
export interface IsolatedEnv {
  label: string;
  prefix: string;
  groupId: string;
  dbName: string;
  mongoUri: string;
  topic: string;
  dlqTopic: string;
  env: Record<string, string>;
}

export function isolatedEnv(name: string): IsolatedEnv {
  const id = `${name}-${randomBytes(3).toString('hex')}`;
  const prefix = `e2e.${id}.`;
  const dbName = `e2e_${id.replace(/-/g, '_')}`;
  const mongoUri = `${MONGO_BASE_URI}/${dbName}`;
  const groupId = `${prefix}user-activity-processor`;
  return {
    label: id,
    prefix,
    groupId,
    dbName,
    mongoUri,
    topic: `${prefix}user-activity-logs`,
    dlqTopic: `${prefix}user-activity-logs-dlq`,
    env: {
      KAFKA_BROKERS,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: groupId,
      MONGODB_URI: mongoUri,
      LOG_LEVEL: 'log',
    },
  };
}

export async function withMongo<T>(
  uri: string,
  fn: (client: MongoClient) => Promise<T>,
): Promise<T> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { CompressionTypes } from 'kafkajs';
import { ActivityRepository, ActivityStoreModule } from '@app/activity-store';
import { ContractsModule, Upcaster, resolveTopicSpecs } from '@app/contracts';
import {
  AnalyticsAlert,
  AnalyticsRule,
  DEFAULT_INGESTION,
  IngestedActivity,
  IngestionModule,
  connectIngestion,
} from '@app/ingestion';
import { KafkaModule } from '@app/kafka-admin';
import { PlatformModule } from '@app/platform';
import { eventually } from '../support/app-process';
import { KAFKA_BROKERS } from '../support/infra';
import { isolatedEnv, withMongo } from '../support/isolation';
import { deleteTopicsWithPrefix, kafka } from '../kafka-admin/kafka-admin.support';
import { readTopic } from '../producer-api/producer-api.support';

/** A rule of the app's own: every hologram call of a user raises an alert. */
@Injectable()
class HologramCallRule implements AnalyticsRule {
  readonly name = 'hologram_call_seen';
  observe(_partition: number, events: readonly IngestedActivity[]): AnalyticsAlert[] {
    return events
      .filter((e) => e.activityType === 'hologram_call')
      .map((e) => ({ kind: 'alert', rule: this.name, userId: e.userId, eventId: e.eventId }));
  }
}

/** Schema 1.1 adds metadata.channel (default "web"): 1.0 events are read as 1.1 with it. */
const channelDefault: Upcaster = {
  description: '1.0.x events get metadata.channel = "web" and become 1.1.0',
  appliesTo: (raw) => typeof raw.version === 'string' && raw.version.startsWith('1.0'),
  upgrade: (raw) => ({
    ...raw,
    version: '1.1.0',
    metadata: { channel: 'web', ...(raw.metadata as Record<string, unknown>) },
  }),
};

describe('extending through module options only: an activity type, an upcaster, an analytics rule', () => {
  const iso = isolatedEnv('extending');
  const topics = resolveTopicSpecs({ prefix: iso.prefix });
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const store = ActivityStoreModule.forRootAsync({
      useFactory: () => ({ collection: 'activities', readIndexes: 'never' }),
    });
    @Module({
      imports: [
        PlatformModule.forRoot({
          logLevel: 'warn',
          http: { bodyLimitBytes: 1024 },
          security: {
            apiKeys: [],
            rateLimit: { max: 0, windowMs: 1000 },
            corsOrigins: [],
            trustProxy: [],
            maskIps: false,
          },
        }),
        KafkaModule.forRoot({
          connection: {
            brokers: KAFKA_BROKERS.split(','),
            connectionTimeoutMs: 3000,
            requestTimeoutMs: 30_000,
            retry: { initialRetryTime: 100, retries: 8 },
          },
          clientId: 'e2e-extending',
          topics,
          provisioning: 'bootstrap',
        }),
        ContractsModule.forRoot({ activityTypes: ['hologram_call'], upcasters: [channelDefault] }),
        MongooseModule.forRoot(iso.mongoUri, { autoIndex: false, bufferCommands: false }),
        store,
        IngestionModule.forRootAsync({
          imports: [store],
          sink: ActivityRepository,
          analyticsRules: [HologramCallRule],
          useFactory: () => ({
            ...DEFAULT_INGESTION,
            groupId: iso.groupId,
            clientId: 'e2e-extending',
            analytics: { activityTypes: [] },
          }),
        }),
      ],
    })
    class ExtendedConsumerModule {}

    app = await NestFactory.create<NestFastifyApplication>(
      ExtendedConsumerModule,
      new FastifyAdapter(),
      { logger: ['error', 'warn'] },
    );
    connectIngestion(app);
    await app.init();
    await app.startAllMicroservices();
  });

  afterAll(async () => {
    await app?.close();
    await deleteTopicsWithPrefix(iso.prefix);
  });

  it('stores the app-defined type upcast to 1.1 and publishes the app-defined rule’s alert', async () => {
    const producer = kafka('e2e-extending-producer').producer();
    await producer.connect();
    const event = (eventId: string, activityType: string) => ({
      eventId,
      userId: 'holo-user',
      activityType,
      timestamp: new Date().toISOString(),
      metadata: { room: 'r1' },
      version: '1.0.0',
    });
    await producer.send({
      topic: topics.activity.name,
      compression: CompressionTypes.GZIP,
      messages: [
        { key: 'holo-user', value: JSON.stringify(event('evt_holo_0001', 'hologram_call')) },
        { key: 'holo-user', value: JSON.stringify(event('evt_holo_0002', 'teleport')) },
      ],
    });
    await producer.disconnect();

    const stored = await withMongo(iso.mongoUri, async (c) => {
      const docs = c.db().collection('activities');
      await eventually(async () => (await docs.countDocuments()) >= 1, 60_000, 250);
      return docs.findOne({ _id: 'evt_holo_0001' as never });
    });
    expect(stored).toMatchObject({
      activityType: 'hologram_call',
      version: '1.1.0',
      metadata: { channel: 'web', room: 'r1' },
    });

    const [alert] = await readTopic(KAFKA_BROKERS, topics.analytics.name, 1);
    expect(alert.value).toMatchObject({
      kind: 'alert',
      rule: 'hologram_call_seen',
      userId: 'holo-user',
      eventId: 'evt_holo_0001',
    });
    // "teleport" is no type of this app: dead-lettered, not stored.
    const [dead] = await readTopic(KAFKA_BROKERS, topics.deadLetter.name, 1);
    expect(dead.value).toMatchObject({
      eventId: 'evt_holo_0002',
      error: { code: 'VALIDATION_ERROR' },
    });
    expect(dead.headers.consumerGroup).toBe(iso.groupId);
  });
});

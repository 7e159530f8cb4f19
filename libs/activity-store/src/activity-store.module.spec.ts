import { MongooseModule, getModelToken } from '@nestjs/mongoose';
import { Test } from '@nestjs/testing';
import type { Model } from 'mongoose';
import { DEDUP_INDEX, READ_INDEXES } from './activity-indexes';
import { Activity } from './activity.schema';
import { ActivityRepository } from './activity.repository';
import { ActivityStoreModule } from './activity-store.module';
import { MongoHealthIndicator } from './mongo.health';

describe('ActivityStoreModule', () => {
  it('binds the Activity model to the configured collection and provides the repository', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        // Lazy: nothing is contacted until the repository's init, which this spec never runs.
        MongooseModule.forRoot('mongodb://127.0.0.1:1/spec', {
          lazyConnection: true,
          autoIndex: false,
          serverSelectionTimeoutMS: 100,
        }),
        ActivityStoreModule.forRootAsync({
          useFactory: async () => ({ collection: 'custom_activities', readIndexes: 'never' }),
        }),
      ],
    }).compile();
    const model = moduleRef.get<Model<Activity>>(getModelToken(Activity.name));
    expect(model.collection.collectionName).toBe('custom_activities');
    expect(model.schema.indexes().map(([, options]) => options.name)).toEqual([
      DEDUP_INDEX.name,
      ...READ_INDEXES.map((i) => i.name),
    ]);
    expect(moduleRef.get(ActivityRepository)).toBeInstanceOf(ActivityRepository);
    expect(moduleRef.get(MongoHealthIndicator)).toBeInstanceOf(MongoHealthIndicator);
    await moduleRef.close();
  });
});

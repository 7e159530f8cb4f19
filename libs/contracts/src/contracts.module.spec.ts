import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ActivityEventValidator } from './activity-event.validator';
import { ActivityTypeRegistry } from './activity-types';
import { ACTIVITY_UPCASTERS, ContractsModule } from './contracts.module';
import { Upcaster } from './schema-version';

/** An app's own configuration, as ContractsModule.forRootAsync would inject it. */
@Injectable()
class AppSettings {
  readonly extraTypes = ['hologram_call'];
}
@Module({ providers: [AppSettings], exports: [AppSettings] })
class SettingsModule {}

/** 1.1 adds `metadata.channel`, default "web": older events are read as if they had it. */
const channelDefault: Upcaster = {
  description: '1.0 events get metadata.channel = "web"',
  appliesTo: (raw) => typeof raw.version === 'string' && raw.version.startsWith('1.0'),
  upgrade: (raw) => ({
    ...raw,
    version: '1.1.0',
    metadata: { channel: 'web', ...(raw.metadata as Record<string, unknown>) },
  }),
};

describe('ContractsModule', () => {
  it('provides the validator with the activity types and upcasters given as options', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ContractsModule.forRootAsync({
          imports: [SettingsModule],
          inject: [AppSettings],
          useFactory: (s: AppSettings) => ({
            activityTypes: s.extraTypes,
            upcasters: [channelDefault],
          }),
        }),
      ],
    }).compile();
    const validator = moduleRef.get(ActivityEventValidator);
    const outcome = validator.validate(
      {
        eventId: 'evt_00000001',
        userId: 'u1',
        activityType: 'hologram_call',
        timestamp: new Date().toISOString(),
        metadata: {},
        version: '1.0.0',
      },
      { mode: 'stored' },
    );
    expect(outcome).toMatchObject({
      ok: true,
      event: { activityType: 'hologram_call', version: '1.1.0', metadata: { channel: 'web' } },
    });
    expect(moduleRef.get(ActivityTypeRegistry).has('hologram_call')).toBe(true);
    expect(moduleRef.get(ActivityTypeRegistry).has('teleport')).toBe(false);
    expect(moduleRef.get<Upcaster[]>(ACTIVITY_UPCASTERS).at(-1)).toBe(channelDefault);
  });

  it('forRoot without options accepts the built-in types only', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ContractsModule.forRoot()],
    }).compile();
    const outcome = moduleRef
      .get(ActivityEventValidator)
      .validate(
        { userId: 'u1', activityType: 'hologram_call' },
        { mode: 'ingest', newEventId: () => 'evt_00000002' },
      );
    expect(outcome).toMatchObject({ ok: false, code: 'VALIDATION_ERROR' });
  });
});

// docs/extending/schema-1-1.ts — a new activity type and a 1.1 upcaster, as module options.
import { ContractsModule, Upcaster } from '@app/contracts';

/** 1.1 adds metadata.channel; events written as 1.0 are read as 1.1 with channel "web". */
export const channelDefault: Upcaster = {
  description: '1.0.x events get metadata.channel = "web"',
  appliesTo: (raw) => typeof raw.version === 'string' && raw.version.startsWith('1.0'),
  upgrade: (raw) => ({
    ...raw,
    version: '1.1.0',
    metadata: { channel: 'web', ...(raw.metadata as Record<string, unknown>) },
  }),
};

export const contracts = ContractsModule.forRoot({
  activityTypes: ['hologram_call'],
  upcasters: [channelDefault],
});

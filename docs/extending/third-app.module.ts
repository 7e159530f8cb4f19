// docs/extending/third-app.module.ts — the engine in an app of your own, in its own group.
import { Module } from '@nestjs/common';
import { DEFAULT_INGESTION, IngestionModule } from '@app/ingestion';
import { JsonLinesSink } from './file-sink';
import { contracts } from './schema-1-1';
import { LargePurchaseRule } from './vip-rule';

@Module({
  imports: [
    // PlatformModule and KafkaModule as in examples/daily-activity, then:
    contracts,
    IngestionModule.forRootAsync({
      sink: { useClass: JsonLinesSink },
      analyticsRules: [LargePurchaseRule],
      useFactory: () => ({
        ...DEFAULT_INGESTION,
        groupId: 'purchase-archive',
        clientId: 'purchase-archive',
        analytics: { activityTypes: ['purchase'] },
      }),
    }),
  ],
})
export class PurchaseArchiveModule {}

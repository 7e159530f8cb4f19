import 'reflect-metadata';
import { connectIngestion } from '@app/ingestion';
import { createHttpApp, startupFailure } from '@app/platform';
import { DailyActivityConfig } from './daily-activity.config';
import { DailyActivityModule } from './daily-activity.module';

/** A hybrid app: HTTP (counts, readiness) and the ingestion engine's Kafka transport. */
createHttpApp(DailyActivityModule)
  .then(async (app) => {
    connectIngestion(app);
    await app.init();
    await app.startAllMicroservices();
    await app.listen(app.get(DailyActivityConfig).port, '127.0.0.1');
  })
  .catch((error: unknown) => {
    console.error(startupFailure(error)); // eslint-disable-line no-console -- no logger yet
    process.exit(1);
  });

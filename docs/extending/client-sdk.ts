// docs/extending/client-sdk.ts — the client SDK: batches, retries with the same ids, beacons on page hide.
import { ActivityClient } from '@app/client-sdk';

export async function trackSignup(apiKey: string): Promise<{ acknowledged: number }> {
  const client = new ActivityClient({ endpoint: 'https://ingest.example.com', apiKey });
  client.track({ userId: 'user123', activityType: 'signup', metadata: { plan: 'pro' } });
  client.track({ userId: 'user123', activityType: 'page_view', metadata: { path: '/welcome' } });
  // Resolves once the API acknowledged both (202: on Kafka with acks=all); retries reuse eventIds.
  const { acknowledged, dropped, failed } = await client.close();
  if (dropped + failed > 0) throw new Error(`${dropped} dropped, ${failed} failed`);
  return { acknowledged };
}

import { randomBytes } from 'node:crypto';
import { AppProcess, eventually, freePort } from '../support/app-process';
import { getJson, postJson } from '../support/http';
import { isolatedEnv, withMongo } from '../support/isolation';

const READER = 'reader-key-0123456789abc';
const OTHER = 'other-key-0123456789abcd';
const k1 = `k1:${randomBytes(32).toString('base64')}`;
const k2 = `k2:${randomBytes(32).toString('base64')}`;

describe('field-level encryption at rest (AES-256-GCM), key rotation, read API decrypts or masks', () => {
  const iso = isolatedEnv('field-enc');
  const fields = { FIELD_ENCRYPTION_FIELDS: 'email,phone' };
  let before: AppProcess; // encrypts with k1 (before the rotation)
  let after: AppProcess; // encrypts with k2, still knows k1
  let consumer: AppProcess;

  beforeAll(async () => {
    before = new AppProcess(
      'producer-api',
      await freePort(),
      {
        ...iso.env,
        ...fields,
        FIELD_ENCRYPTION_KEYS: k1,
        PRIVACY_IP_ADDRESS: 'hmac',
        PRIVACY_HMAC_KEY: 'h'.repeat(32),
      },
      `${iso.label}-k1`,
    );
    after = new AppProcess(
      'producer-api',
      await freePort(),
      {
        ...iso.env,
        ...fields,
        FIELD_ENCRYPTION_KEYS: `${k2},${k1}`,
        PRIVACY_IP_ADDRESS: 'truncate',
      },
      `${iso.label}-k2`,
    );
    consumer = new AppProcess(
      'consumer',
      await freePort(),
      {
        ...iso.env,
        FIELD_ENCRYPTION_KEYS: `${k2},${k1}`,
        API_KEYS: `${READER},${OTHER}`,
        FIELD_DECRYPT_API_KEYS: READER,
      },
      iso.label,
    );
    await Promise.all([before.start(), after.start(), consumer.start()]);
  });
  afterAll(async () => {
    await Promise.all([before?.stop(), after?.stop(), consumer?.stop()]);
    await withMongo(iso.mongoUri, (c) => c.db().dropDatabase());
  });

  it('stores no plaintext of the named fields; an allowed key reads them, others see them masked', async () => {
    const meta = (n: number) => ({
      email: `user${n}@example.com`,
      phone: '+44 20 7946 0000',
      path: '/p',
    });
    const old = await postJson<{ eventId: string }>(`${before.url}/v1/activities`, {
      userId: 'enc-1',
      activityType: 'signup',
      metadata: { ...meta(1), ipAddress: '10.1.2.3' },
    });
    const rotated = await postJson<{ eventId: string }>(`${after.url}/v1/activities`, {
      userId: 'enc-1',
      activityType: 'signup',
      metadata: { ...meta(2), ipAddress: '10.1.2.3' },
    });
    expect([old.status, rotated.status]).toEqual([202, 202]);
    const ids = [old.body.eventId, rotated.body.eventId];

    const docs = await withMongo(iso.mongoUri, async (client) => {
      const col = client.db().collection('activities');
      await eventually(
        async () => (await col.countDocuments({ eventId: { $in: ids } })) === 2,
        30_000,
      );
      return Promise.all(ids.map((eventId) => col.findOne({ eventId })));
    });
    const raw = JSON.stringify(docs);
    expect(raw).not.toContain('@example.com');
    expect(raw).not.toContain('7946');
    expect(docs.map((d) => (d?.metadata as { email: { kid: string } }).email.kid)).toEqual([
      'k1',
      'k2',
    ]);
    expect(docs.map((d) => (d?.metadata as { path: string }).path)).toEqual(['/p', '/p']);
    // PRIVACY_IP_ADDRESS: hmac (ipAddress replaced by ipHash) and truncate (/24).
    expect(raw).not.toContain('10.1.2.3');
    const [hashed, truncated] = docs.map((d) => d?.metadata as Record<string, unknown>);
    expect({ hash: hashed.ipHash, ip: hashed.ipAddress }).toEqual({
      hash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      ip: undefined,
    });
    expect(truncated.ipAddress).toBe('10.1.2.0');
    const ipOf = [{ ipHash: hashed.ipHash }, { ipAddress: '10.1.2.0' }];

    for (const [i, eventId] of ids.entries()) {
      const allowed = await getJson<{ metadata: unknown }>(
        `${consumer.url}/v1/activities/${eventId}`,
        {
          'x-api-key': READER,
        },
      );
      expect(allowed.body.metadata).toEqual({ ...meta(i + 1), ...ipOf[i] });
      const masked = await getJson<{ metadata: unknown }>(
        `${consumer.url}/v1/activities/${eventId}`,
        {
          'x-api-key': OTHER,
        },
      );
      expect(masked.body.metadata).toEqual({ email: '***', phone: '***', path: '/p', ...ipOf[i] });
    }
    const page = await getJson<{ items: { metadata: { email: string } }[] }>(
      `${consumer.url}/v1/users/enc-1/activities`,
      { 'x-api-key': READER },
    );
    expect(page.body.items.map((item) => item.metadata.email).sort()).toEqual([
      'user1@example.com',
      'user2@example.com',
    ]);
  });

  it('refuses a value whose ciphertext the consumer would not store, naming the field', async () => {
    const res = await postJson<{ code: string; errors: { field: string }[] }>(
      `${after.url}/v1/activities`,
      { userId: 'enc-2', activityType: 'signup', metadata: { email: 'x'.repeat(1000) } },
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(res.body.errors.map((e) => e.field)).toContain('metadata.email.ct');
  });
});

import { ApiKeyVerifier, isOpenPath } from './api-keys';
import { loadSecuritySettings } from './security.config';

describe('ApiKeyVerifier', () => {
  const verifier = new ApiKeyVerifier(['first-key-0123456789', 'second-key-0123456789']);

  it('matches each configured key by index and nothing else', () => {
    expect(verifier.match('first-key-0123456789')).toBe(0);
    expect(verifier.match('second-key-0123456789')).toBe(1);
    for (const wrong of [
      'first-key-012345678',
      'first-key-0123456789 ',
      '',
      undefined,
      42,
      ['first-key-0123456789'],
    ]) {
      expect(verifier.match(wrong)).toBe(-1);
    }
  });

  it('is disabled without keys', () => {
    expect(new ApiKeyVerifier([]).enabled).toBe(false);
    expect(new ApiKeyVerifier([]).match('anything-at-all-here')).toBe(-1);
  });
});

describe('isOpenPath', () => {
  it('leaves probes, metrics and docs open, nothing else', () => {
    for (const open of [
      '/health',
      '/health/ready?x=1',
      '/metrics',
      '/docs',
      '/docs/swagger-ui.css',
      '/docs-json',
    ]) {
      expect(isOpenPath(open)).toBe(true);
    }
    for (const closed of ['/v1/activities', '/healthz', '/metricsx', '/v1/docs', '/']) {
      expect(isOpenPath(closed)).toBe(false);
    }
  });
});

describe('loadSecuritySettings', () => {
  const key = 'k'.repeat(20);

  it('turns API keys on in production and refuses to start without keys', () => {
    expect(() => loadSecuritySettings({ NODE_ENV: 'production' })).toThrow(/API_KEYS: required/);
    expect(loadSecuritySettings({ NODE_ENV: 'production', API_KEYS: key }).apiKeys).toEqual([key]);
    expect(loadSecuritySettings({ NODE_ENV: 'production', API_AUTH: 'off' }).apiKeys).toEqual([]);
  });

  it('keeps API keys off in development and test unless keys are set', () => {
    expect(loadSecuritySettings({ NODE_ENV: 'development' }).apiKeys).toEqual([]);
    expect(
      loadSecuritySettings({ NODE_ENV: 'test', API_KEYS: `${key},${key}x` }).apiKeys,
    ).toHaveLength(2);
  });

  it('names the variable of a bad value', () => {
    expect(() => loadSecuritySettings({ API_KEYS: 'short' })).toThrow(/API_KEYS/);
    expect(() => loadSecuritySettings({ CORS_ORIGINS: 'not a url' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadSecuritySettings({ RATE_LIMIT_MAX: '-1' })).toThrow(/RATE_LIMIT_MAX/);
  });

  it('has a default rate limit and CORS off', () => {
    const settings = loadSecuritySettings({});
    expect(settings.rateLimit).toEqual({ max: 3000, windowMs: 10_000 });
    expect(settings.corsOrigins).toEqual([]);
    expect(settings.trustProxy).toEqual([]);
  });

  it('trusts X-Forwarded-For only from the listed proxies', () => {
    expect(loadSecuritySettings({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
    ]);
    expect(() => loadSecuritySettings({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
  });
});

import Fastify from 'fastify';
import helmet from 'helmet';
import { securityHeaders } from './apply-security';

const OPTIONS = { contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } };

/** The headers of one answer of a Fastify app with `hook` on every request. */
async function answerHeaders(
  hook: (request: { raw: unknown }, reply: { raw: unknown; headers(h: object): unknown }) => void,
) {
  const app = Fastify();
  app.addHook('onRequest', (request, reply, done) => {
    hook(request, reply);
    done();
  });
  app.get('/x', async () => ({ ok: true }));
  const res = await app.inject({ method: 'GET', url: '/x' });
  await app.close();
  const { date: _date, ...headers } = res.headers;
  return headers;
}

describe('securityHeaders', () => {
  it('answers with exactly the headers helmet sets on the response itself', async () => {
    const middleware = helmet(OPTIONS);
    const viaHelmet = await answerHeaders((request, reply) =>
      middleware(request.raw as never, reply.raw as never, () => undefined),
    );
    const headers = securityHeaders(OPTIONS);
    const viaCapture = await answerHeaders((_request, reply) => reply.headers(headers));
    expect(viaCapture).toEqual(viaHelmet);
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(Object.keys(headers).length).toBeGreaterThanOrEqual(12);
  });

  it('is computed from the options: another policy gives other headers', () => {
    expect(securityHeaders({ ...OPTIONS, frameguard: { action: 'deny' } })['x-frame-options']).toBe(
      'DENY',
    );
    expect(securityHeaders({ ...OPTIONS, strictTransportSecurity: false })).not.toHaveProperty(
      'strict-transport-security',
    );
  });

  it('refuses options helmet rejects, at boot', () => {
    expect(() =>
      securityHeaders({ contentSecurityPolicy: { directives: { 'default-src': ["'self';"] } } }),
    ).toThrow();
  });
});

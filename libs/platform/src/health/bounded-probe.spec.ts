import { BoundedProbe } from './bounded-probe';

const never = () => new Promise<void>(() => undefined);

describe('BoundedProbe', () => {
  it('answers down within the bound when the dependency hangs', async () => {
    const probe = new BoundedProbe('DB', never, 50, 0);
    const started = Date.now();
    await expect(probe.run()).rejects.toThrow('DB did not answer within');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('shares one in-flight check between concurrent probes', async () => {
    let calls = 0;
    let release!: () => void;
    const check = () => {
      calls += 1;
      return new Promise<void>((r) => (release = r));
    };
    const probe = new BoundedProbe('DB', check, 1000, 0);
    const both = Promise.all([probe.run(), probe.run()]);
    await Promise.resolve();
    await Promise.resolve();
    release();
    await both;
    expect(calls).toBe(1);
  });

  it('reuses a settled outcome for the cache period, then asks again', async () => {
    let now = 0;
    let calls = 0;
    const probe = new BoundedProbe(
      'DB',
      async () => void (calls += 1),
      1000,
      500,
      () => now,
    );
    await probe.run();
    now = 400;
    await probe.run();
    expect(calls).toBe(1);
    now = 600;
    await probe.run();
    expect(calls).toBe(2);
  });

  it('reports the failure of the dependency with its own message', async () => {
    const probe = new BoundedProbe('DB', () => Promise.reject(new Error('ECONNREFUSED')), 1000, 0);
    await expect(probe.run()).rejects.toThrow('ECONNREFUSED');
  });

  it('flips back to up once a hung check is abandoned and the dependency answers again', async () => {
    let healthy = false;
    const probe = new BoundedProbe('DB', () => (healthy ? Promise.resolve() : never()), 30, 0);
    await expect(probe.run()).rejects.toThrow('did not answer');
    healthy = true;
    await expect(probe.run()).resolves.toBeUndefined();
  });
});

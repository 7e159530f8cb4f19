import { withLazyDateTimeFormat } from './lazy-date-format';

const OPTIONS: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  timeZone: 'UTC',
};
const WHEN = Date.UTC(2026, 11, 6, 21, 4, 5);

describe('withLazyDateTimeFormat', () => {
  const Original = Intl.DateTimeFormat;
  let built: number;

  // Counts the real formatters built, whoever builds them.
  beforeEach(() => {
    built = 0;
    Intl.DateTimeFormat = new Proxy(Original, {
      construct: (target, args: ConstructorParameters<typeof Original>) => {
        built += 1;
        return new target(...args);
      },
    });
  });
  afterEach(() => {
    Intl.DateTimeFormat = Original;
  });

  it('builds a formatter made inside only when it is first used, and it formats like the real one', () => {
    const lazy = withLazyDateTimeFormat(() => new Intl.DateTimeFormat('en-US', OPTIONS));
    expect(built).toBe(0);

    expect(lazy).toBeInstanceOf(Original);
    const expected = new Original('en-US', OPTIONS);
    expect(lazy.format(WHEN)).toBe(expected.format(WHEN));
    expect(built).toBe(1);
    expect(lazy.formatToParts(WHEN)).toEqual(expected.formatToParts(WHEN));
    expect(lazy.resolvedOptions()).toEqual(expected.resolvedOptions());
    // `format` is a bound getter on real formatters, so it may be used detached: here too.
    const format: (date: number) => string = Reflect.get(lazy, 'format');
    expect([WHEN].map((d) => format(d))).toEqual([expected.format(WHEN)]);
    expect(built).toBe(1);
  });

  it('defers calls without new too', () => {
    const lazy = withLazyDateTimeFormat(() =>
      (Intl.DateTimeFormat as unknown as (...a: unknown[]) => Intl.DateTimeFormat)(
        'en-US',
        OPTIONS,
      ),
    );
    expect(built).toBe(0);
    expect(lazy.format(WHEN)).toBe(new Original('en-US', OPTIONS).format(WHEN));
  });

  it('puts the constructor back, also when load throws, so formatters made later are real', () => {
    const counting = Intl.DateTimeFormat;
    expect(withLazyDateTimeFormat(() => 7)).toBe(7);
    expect(Intl.DateTimeFormat).toBe(counting);
    expect(() =>
      withLazyDateTimeFormat(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(Intl.DateTimeFormat).toBe(counting);

    new Intl.DateTimeFormat('en-US', OPTIONS);
    expect(built).toBe(1);
  });

  it("loads @nestjs/common with Nest's formatters deferred (the platform entry's preload)", () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy of Nest in this registry
      require('./nest-common.preload');
      expect(built).toBe(0);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Logger } = require('@nestjs/common') as typeof import('@nestjs/common');
      expect(Logger.getTimestamp()).toMatch(/\d{1,2}:\d{2}:\d{2}/);
      expect(built).toBe(1);
    });
  });
});

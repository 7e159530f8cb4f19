/**
 * Runs `load` with `Intl.DateTimeFormat` replaced by a constructor whose instances build the real
 * formatter on first use, and puts the real constructor back before returning (or throwing).
 *
 * Why: `@nestjs/common` builds two `Intl.DateTimeFormat`s when it loads (ConsoleLogger's and
 * Logger's text timestamps). Building one makes ICU read its locale, calendar and time-zone data,
 * which are pages of the node binary itself: each process's RSS grows by about 5 MiB for a
 * formatter our JSON logs never call (they print epoch milliseconds). Deferred, the pages are read
 * only if something formats a date with it. Only what `load` constructs is deferred, so the rest
 * of the process sees the real `Intl.DateTimeFormat`.
 */
export function withLazyDateTimeFormat<T>(load: () => T): T {
  const Real = Intl.DateTimeFormat;
  const Lazy = new Proxy(Real, {
    construct: (_target, args: ConstructorParameters<typeof Real>) => lazyFormatter(Real, args),
    apply: (_target, _self, args: ConstructorParameters<typeof Real>) => lazyFormatter(Real, args),
  });
  Intl.DateTimeFormat = Lazy;
  try {
    return load();
  } finally {
    Intl.DateTimeFormat = Real;
  }
}

function lazyFormatter(
  Real: typeof Intl.DateTimeFormat,
  args: ConstructorParameters<typeof Intl.DateTimeFormat>,
): Intl.DateTimeFormat {
  let real: Intl.DateTimeFormat | undefined;
  // The target carries the real prototype, so `instanceof Intl.DateTimeFormat` still holds; every
  // read is answered by the real formatter, with its methods bound to it (they check its slots).
  return new Proxy(Object.create(Real.prototype) as Intl.DateTimeFormat, {
    get: (_target, key) => {
      real ??= new Real(...args);
      const value: unknown = Reflect.get(real, key, real);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(real)
        : value;
    },
  });
}

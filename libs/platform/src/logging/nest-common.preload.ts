import { withLazyDateTimeFormat } from './lazy-date-format';

/**
 * The platform entry imports this before anything else, so an app whose main.ts imports
 * `@app/platform` ahead of `@nestjs/common` loads Nest's common package with its two date
 * formatters deferred (lazy-date-format.ts says why). If `@nestjs/common` was loaded already, the
 * require returns it from the cache and nothing changes.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- must load inside the wrapper, synchronously
withLazyDateTimeFormat((): unknown => require('@nestjs/common'));

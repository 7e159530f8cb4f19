import { z } from 'zod';
import { ACTIVITY_TYPE_PATTERN, FieldCipher, fieldCipherOf } from '@app/contracts';

/** Small zod helpers for environment variables, which are always strings. */
export const envBool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));

export const envInt = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).optional().default(fallback);

export const envOptionalInt = (min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).optional();

export const envCsv = (fallback: string[]) =>
  z
    .string()
    .optional()
    .transform((v) =>
      v === undefined || v.trim() === ''
        ? fallback
        : v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
    );

/**
 * A configuration the app cannot run with: the user's to fix, shown as its message alone (which
 * names the variables), never as a stack trace.
 */
export class ConfigurationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}

/** `Invalid configuration (environment variables):` and one line per problem. */
export function invalidConfiguration(...problems: string[]): ConfigurationError {
  return new ConfigurationError(
    `Invalid configuration (environment variables):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
}

/** Turns a zod failure into one message that names every offending variable. */
/** FIELD_ENCRYPTION_KEYS / _FIELDS as the one cipher both apps use, or a configuration error. */
export function fieldCipherFromEnv(keys: string | undefined, fields: string[]): FieldCipher | null {
  try {
    return fieldCipherOf(keys, fields);
  } catch (error) {
    throw invalidConfiguration(`FIELD_ENCRYPTION_KEYS: ${(error as Error).message}`);
  }
}

export function formatEnvError(error: z.ZodError): string {
  const lines = error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
  return `Invalid configuration (environment variables):\n${lines.join('\n')}`;
}

/** Parses `env` with `schema` or throws an Error naming the bad variables. */
export function parseEnv<S extends z.ZodTypeAny>(
  schema: S,
  env: Record<string, unknown>,
): z.output<S> {
  const result = schema.safeParse(env);
  if (!result.success) throw new ConfigurationError(formatEnvError(result.error));
  return result.data as z.output<S>;
}

/** A comma-separated list of activity types (ACTIVITY_TYPES_EXTRA), each in the contract's format. */
export const envActivityTypes = () =>
  envCsv([]).pipe(
    z.array(
      z
        .string()
        .regex(
          ACTIVITY_TYPE_PATTERN,
          `each activity type must match ${ACTIVITY_TYPE_PATTERN.source}`,
        ),
    ),
  );

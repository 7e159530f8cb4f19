import { parseArgs } from 'node:util';

/** A wrong invocation: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A command that ran but could not do what was asked: exit code 1. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean | undefined>;
}

export type FlagSpec = Record<string, { type: 'string' | 'boolean' }>;

/** Flags every command takes. */
const COMMON: FlagSpec = { json: { type: 'boolean' }, help: { type: 'boolean' } };

export function parseCommandArgs(args: readonly string[], flags: FlagSpec): ParsedArgs {
  try {
    const parsed = parseArgs({
      args: [...args],
      options: { ...COMMON, ...flags },
      allowPositionals: true,
      strict: true,
    });
    return { positionals: parsed.positionals, flags: parsed.values };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags[name];
  return typeof value === 'string' ? value : undefined;
}

export function intFlag(args: ParsedArgs, name: string, min: number): number | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${raw}"`);
  }
  return value;
}

export function dateFlag(args: ParsedArgs, name: string): Date | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new UsageError(`--${name} must be an ISO-8601 time, got "${raw}"`);
  return new Date(ms);
}

export interface RecordRef {
  partition: number;
  offset: string;
}

/** `2:17` → partition 2, offset 17. */
export function parseRecordRef(raw: string): RecordRef {
  const match = /^(\d+):(\d+)$/.exec(raw.trim());
  if (!match) throw new UsageError(`"${raw}" is not a record reference; expected partition:offset`);
  return { partition: Number(match[1]), offset: BigInt(match[2]).toString() };
}

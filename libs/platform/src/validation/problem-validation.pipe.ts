import { ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { CodedError, ErrorCode, FieldIssue } from '@app/contracts';

/** What ValidationPipe's exceptionFactory hands back: the raw errors, worded by `transform`. */
class ValidationFailed extends Error {
  constructor(readonly errors: ValidationError[]) {
    super('validation failed');
  }
}

const HTTP_ARGUMENTS = new Set<unknown>(['body', 'query', 'param']);

const NOUN: Partial<Record<ArgumentMetadata['type'], string>> = {
  query: 'query parameter',
  param: 'path parameter',
};

/**
 * Nest's ValidationPipe as the models configure it (whitelist, forbidNonWhitelisted, transform:
 * class-transformer builds the DTO), with failures as the one error shape of the platform: a 400
 * VALIDATION_ERROR problem naming each field, its rule and a message. Keys that exist on
 * Object.prototype (`__proto__`, `constructor`, `hasOwnProperty`, ...) are rejected as unknown
 * before class-transformer sees them: assigned to a DTO they would reshape it instead of failing.
 * Handlers whose parameter is typed `unknown` (the producer's measured fast path) are not touched.
 */
@Injectable()
export class ProblemValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      exceptionFactory: (errors) => new ValidationFailed(errors),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Only HTTP arguments: with inheritAppConfig the pipe also sees every Kafka handler's
    // context argument, which is no DTO (and would cost a class-transformer copy per record).
    if (!HTTP_ARGUMENTS.has(metadata.type)) return value;
    const noun = NOUN[metadata.type] ?? 'field';
    const dangerous = this.toValidate(metadata) ? prototypeKeys(value) : [];
    try {
      const result: unknown = await super.transform(without(value, dangerous), metadata);
      if (dangerous.length > 0) throw invalid(dangerous.map((k) => unknownIssue(k, noun)));
      return result;
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      const named = new Set(dangerous);
      const issues = [
        ...dangerous.map((k) => unknownIssue(k, noun)),
        ...toIssues(error.errors, noun).filter((i) => !named.has(i.field)),
      ];
      throw invalid(issues);
    }
  }
}

const invalid = (issues: FieldIssue[]) =>
  new CodedError(
    ErrorCode.VALIDATION_ERROR,
    issues.map((i) => `${i.field}: ${i.message}`).join('; '),
    issues,
  );

const unknownIssue = (field: string, noun: string): FieldIssue => ({
  field,
  message: `unknown ${noun} "${field}"`,
  rule: 'unknownField',
});

/** A copy without the given own keys (only when there are any). */
function without(value: unknown, keys: string[]): unknown {
  if (keys.length === 0 || typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (!keys.includes(key)) copy[key] = v;
  return copy;
}

function prototypeKeys(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.keys(value).filter((key) => key in Object.prototype);
}

/** class-validator's errors as field issues; `whitelistValidation` reads as an unknown field. */
export function toIssues(errors: ValidationError[], noun = 'field', prefix = ''): FieldIssue[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) =>
      rule === 'whitelistValidation' ? unknownIssue(field, noun) : { field, message, rule },
    );
    return [...own, ...toIssues(e.children ?? [], noun, field)];
  });
}

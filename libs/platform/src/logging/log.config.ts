import { LogLevel } from '@nestjs/common';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;

/** Logging variables both apps accept; app config schemas `.extend(logEnvSchema.shape)`. */
export const logEnvSchema = z.object({
  LOG_LEVEL: z.enum(LOG_LEVELS).optional().default('log'),
  /** Masks client IP addresses in request logs (IPv4 /24, IPv6 /48). */
  LOG_MASK_IPS: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => v !== undefined && ['true', '1', 'yes'].includes(v)),
});

export interface LogSettings {
  level: LogLevel;
  maskIps: boolean;
}

export function toLogSettings(env: z.output<typeof logEnvSchema>): LogSettings {
  return { level: env.LOG_LEVEL, maskIps: env.LOG_MASK_IPS };
}

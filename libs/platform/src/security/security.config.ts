import { z } from 'zod';
import { envBool, envCsv, envInt, invalidConfiguration, parseEnv } from '../config/env';

/** API protection shared by both apps (issue 7): keys, rate limit, CORS. */
export interface SecuritySettings {
  /** Accepted `x-api-key` values; empty when authentication is off. */
  apiKeys: string[];
  /** Requests per window per API key (or per IP without one); max 0 turns the limit off. */
  rateLimit: { max: number; windowMs: number };
  /** Origins allowed by CORS; empty = no CORS headers (browsers block cross-origin calls). */
  corsOrigins: string[];
  /** Proxies (addresses or CIDRs) whose X-Forwarded-For is believed; empty = none (direct clients). */
  trustProxy: string[];
  /** LOG_MASK_IPS: request logs keep the client's network (IPv4 /24, IPv6 /48), not its address. */
  maskIps: boolean;
}

const API_KEY = /^[\x21-\x7e]{16,256}$/;

/** Variables of the security settings; apps extend their own schema with it. */
export const securityEnvSchema = z.object({
  API_AUTH: z.enum(['on', 'off']).optional(),
  API_KEYS: envCsv([]).pipe(
    z.array(z.string().regex(API_KEY, 'each key must be 16-256 printable ASCII characters')),
  ),
  RATE_LIMIT_MAX: envInt(3000, 0, 10_000_000),
  RATE_LIMIT_WINDOW_MS: envInt(10_000, 100, 3_600_000),
  CORS_ORIGINS: envCsv([]).pipe(
    z.array(
      z.string().regex(/^(\*|https?:\/\/[^\s,/]+)$/, 'each origin must be * or a URL origin'),
    ),
  ),
  TRUST_PROXY: envCsv([]).pipe(
    z.array(z.string().regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'each entry must be an IP or CIDR')),
  ),
  LOG_MASK_IPS: envBool(false),
});

export type SecurityEnv = z.output<typeof securityEnvSchema>;

/**
 * API keys are on by default in production and off elsewhere unless keys are configured;
 * API_AUTH overrides either way. Auth on without keys is a configuration error, not an open API.
 */
export function toSecuritySettings(env: SecurityEnv, nodeEnv: string): SecuritySettings {
  const auth = env.API_AUTH ?? (nodeEnv === 'production' || env.API_KEYS.length > 0 ? 'on' : 'off');
  if (auth === 'on' && env.API_KEYS.length === 0) {
    throw invalidConfiguration(
      'API_KEYS: required when API keys are on (the default with NODE_ENV=production); set API_AUTH=off to run without them',
    );
  }
  return {
    apiKeys: auth === 'on' ? env.API_KEYS : [],
    rateLimit: { max: env.RATE_LIMIT_MAX, windowMs: env.RATE_LIMIT_WINDOW_MS },
    corsOrigins: env.CORS_ORIGINS,
    trustProxy: env.TRUST_PROXY,
    maskIps: env.LOG_MASK_IPS,
  };
}

/** Parses and checks the security variables of `env` (for apps whose config does not embed them). */
export function loadSecuritySettings(env: Record<string, unknown>): SecuritySettings {
  const nodeEnv = typeof env.NODE_ENV === 'string' ? env.NODE_ENV : 'development';
  return toSecuritySettings(parseEnv(securityEnvSchema, env), nodeEnv);
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** An encrypted metadata value as stored: the key id beside the ciphertext, so keys can rotate. */
export interface EncryptedField {
  enc: 'aes-256-gcm';
  kid: string;
  iv: string;
  tag: string;
  ct: string;
}

export const MASKED = '***';

const isEncrypted = (value: unknown): value is EncryptedField =>
  typeof value === 'object' &&
  value !== null &&
  (value as EncryptedField).enc === 'aes-256-gcm' &&
  typeof (value as EncryptedField).kid === 'string' &&
  typeof (value as EncryptedField).ct === 'string';

/**
 * Field-level encryption of named metadata keys (AES-256-GCM, 96-bit random IV, the field name as
 * additional data so a ciphertext cannot be moved to another field). The first key encrypts; every
 * key decrypts by its id, so a rotated-out key keeps old documents readable. Keys come from the
 * environment only (FIELD_ENCRYPTION_KEYS).
 */
export class FieldCipher {
  private readonly keys: Map<string, Buffer>;
  private readonly currentKid: string;

  constructor(
    keys: readonly { kid: string; key: Buffer }[],
    readonly fields: readonly string[],
  ) {
    if (keys.length === 0) throw new Error('FieldCipher needs at least one key');
    for (const { kid, key } of keys) {
      if (key.length !== 32) throw new Error(`key ${kid} must be 32 bytes (AES-256)`);
    }
    this.keys = new Map(keys.map(({ kid, key }) => [kid, key]));
    this.currentKid = keys[0].kid;
  }

  /** The metadata with each configured field present replaced by its EncryptedField. */
  encrypt(metadata: Record<string, unknown>): Record<string, unknown> {
    const out = { ...metadata };
    for (const field of this.fields) {
      if (out[field] === undefined || isEncrypted(out[field])) continue;
      const key = this.keys.get(this.currentKid) as Buffer;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(field));
      const ct = Buffer.concat([cipher.update(JSON.stringify(out[field]), 'utf8'), cipher.final()]);
      const value: EncryptedField = {
        enc: 'aes-256-gcm',
        kid: this.currentKid,
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        ct: ct.toString('base64'),
      };
      out[field] = value;
    }
    return out;
  }

  /** Encrypted fields decrypted (allowed readers) or masked (everyone else, or an unknown key). */
  reveal(metadata: Record<string, unknown>, allowed: boolean): Record<string, unknown> {
    const out = { ...metadata };
    for (const [field, value] of Object.entries(out)) {
      if (!isEncrypted(value)) continue;
      out[field] = allowed ? (this.decrypt(field, value) ?? MASKED) : MASKED;
    }
    return out;
  }

  private decrypt(field: string, value: EncryptedField): unknown {
    const key = this.keys.get(value.kid);
    if (!key) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(value.iv, 'base64'));
      decipher.setAAD(Buffer.from(field));
      decipher.setAuthTag(Buffer.from(value.tag, 'base64'));
      const text = Buffer.concat([
        decipher.update(Buffer.from(value.ct, 'base64')),
        decipher.final(),
      ]).toString('utf8');
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }
}

/** FIELD_ENCRYPTION_KEYS: `kid:base64key,…`, the first one encrypting. */
export function parseFieldKeys(value: string): { kid: string; key: Buffer }[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf(':');
      const kid = entry.slice(0, at);
      const key = Buffer.from(entry.slice(at + 1), 'base64');
      if (at <= 0 || !/^[A-Za-z0-9._-]{1,32}$/.test(kid) || key.length !== 32) {
        throw new Error('each key must be <kid>:<32 bytes in base64> (kid: letters, digits, ._-)');
      }
      return { kid, key };
    });
}

/**
 * The cipher of an app's configuration, or null when field encryption is off (no keys). Fields
 * without keys is a configuration error: it would store them in plaintext believing otherwise.
 */
export function fieldCipherOf(
  keys: string | undefined,
  fields: readonly string[],
): FieldCipher | null {
  if (!keys) {
    if (fields.length > 0) throw new Error('FIELD_ENCRYPTION_FIELDS needs FIELD_ENCRYPTION_KEYS');
    return null;
  }
  return new FieldCipher(parseFieldKeys(keys), fields);
}

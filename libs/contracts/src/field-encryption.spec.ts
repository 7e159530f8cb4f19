import { randomBytes } from 'node:crypto';
import { FieldCipher, MASKED, fieldCipherOf, parseFieldKeys } from './field-encryption';

const key = (kid: string) => ({ kid, key: randomBytes(32) });

describe('FieldCipher', () => {
  const k1 = key('k1');
  const k2 = key('k2');
  const meta = { email: 'a@example.com', phone: { cc: 44 }, path: '/x' };

  it('encrypts the named fields (no plaintext), decrypts for allowed readers, masks for others', () => {
    const cipher = new FieldCipher([k1], ['email', 'phone']);
    const stored = cipher.encrypt(meta);
    expect(stored.path).toBe('/x');
    expect(JSON.stringify(stored)).not.toContain('a@example.com');
    expect(stored.email).toEqual(expect.objectContaining({ enc: 'aes-256-gcm', kid: 'k1' }));
    expect(cipher.reveal(stored, true)).toEqual(meta);
    expect(cipher.reveal(stored, false)).toEqual({ email: MASKED, phone: MASKED, path: '/x' });
  });

  it('keeps old documents readable after rotation, and binds a ciphertext to its field', () => {
    const old = new FieldCipher([k1], ['email']).encrypt(meta);
    const rotated = new FieldCipher([k2, k1], ['email']);
    expect(rotated.encrypt(meta).email).toEqual(expect.objectContaining({ kid: 'k2' }));
    expect(rotated.reveal(old, true)).toEqual(meta);
    // Moved to another field, or under a retired key: masked, never wrong plaintext.
    expect(rotated.reveal({ other: old.email }, true)).toEqual({ other: MASKED });
    expect(new FieldCipher([k2], ['email']).reveal(old, true).email).toBe(MASKED);
  });

  it('reads keys from kid:base64 lists and refuses fields without keys', () => {
    const text = `a:${k1.key.toString('base64')}, b:${k2.key.toString('base64')}`;
    expect(parseFieldKeys(text).map((k) => k.kid)).toEqual(['a', 'b']);
    expect(() => parseFieldKeys('a:short')).toThrow(/32 bytes/);
    expect(fieldCipherOf(undefined, [])).toBeNull();
    expect(() => fieldCipherOf(undefined, ['email'])).toThrow(/FIELD_ENCRYPTION_KEYS/);
  });
});

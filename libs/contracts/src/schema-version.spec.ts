import {
  UPCASTERS,
  formatSchemaVersion,
  legacyTwoPartVersionUpcaster,
  parseSchemaVersion,
  upcast,
} from './schema-version';

describe('schema versions', () => {
  it.each([
    ['1.0.0', { major: 1, minor: 0, patch: 0 }],
    ['1.0', { major: 1, minor: 0, patch: 0 }],
    ['1.12.3', { major: 1, minor: 12, patch: 3 }],
    ['2.0.0', { major: 2, minor: 0, patch: 0 }],
  ])('parses %s', (raw, expected) => {
    expect(parseSchemaVersion(raw)).toEqual(expected);
    expect(formatSchemaVersion(expected)).toBe(
      `${expected.major}.${expected.minor}.${expected.patch}`,
    );
  });

  it.each(['', '1', '1.0.0.0', '1.0.0-rc.1', 'v1', '01.0', '1.x', ' 1.0.0', null, 1.0])(
    'refuses %p',
    (raw) => expect(parseSchemaVersion(raw)).toBeNull(),
  );

  describe('the 1.0 upcaster', () => {
    const legacy = {
      userId: 'u1',
      activityType: 'login',
      timestamp: 1705055400000,
      version: '1.0',
    };

    it('upgrades version, epoch-ms timestamp and missing metadata', () => {
      expect(upcast(legacy)).toEqual({
        ...legacy,
        version: '1.0.0',
        timestamp: '2024-01-12T10:30:00.000Z',
        metadata: {},
      });
    });

    it('is pure: the input is left as it was', () => {
      const input = { ...legacy };
      legacyTwoPartVersionUpcaster.upgrade(input);
      expect(input).toEqual(legacy);
    });

    it('keeps ISO timestamps and given metadata', () => {
      const input = { ...legacy, timestamp: '2024-01-12T10:30:00Z', metadata: { a: 1 } };
      expect(upcast(input)).toEqual({ ...input, version: '1.0.0' });
    });

    it('leaves a non-finite number for the validator to reject', () => {
      expect(upcast({ ...legacy, timestamp: Number.NaN }).timestamp).toBeNaN();
    });

    it('does not touch events of other versions', () => {
      const current = { ...legacy, version: '1.0.0' };
      expect(upcast(current)).toBe(current);
      expect(UPCASTERS.every((u) => u.description.length > 0)).toBe(true);
    });
  });
});

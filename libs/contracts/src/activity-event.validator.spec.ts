import { ActivityEventValidator, ValidationOutcome } from './activity-event.validator';
import { ActivityTypeRegistry } from './activity-types';
import { ErrorCode } from './error-codes';
import { LIMITS } from './limits';

const NOW = new Date('2024-01-12T10:30:00.000Z');
const validator = new ActivityEventValidator();
const ingest = (input: unknown): ValidationOutcome =>
  validator.validate(input, { mode: 'ingest', newEventId: () => 'evt_GENERATED0001', now: NOW });
const stored = (input: unknown): ValidationOutcome =>
  validator.validate(input, { mode: 'stored', now: NOW });

const specExample = {
  userId: 'user123',
  activityType: 'login',
  timestamp: '2024-01-12T10:30:00.000Z',
  metadata: { ipAddress: '192.168.1.1', userAgent: 'Mozilla/5.0...', sessionId: 'sess_abc123' },
  eventId: 'evt_1234567890',
  version: '1.0.0',
};

/** The single failing rule of an outcome, as `field:rule`. */
function rejection(outcome: ValidationOutcome): string[] {
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.event)}`);
  return outcome.issues.map((i) => `${i.field}:${i.rule}`);
}

describe('ActivityEventValidator', () => {
  describe('accepts', () => {
    it("the spec's own example unchanged, in both modes", () => {
      for (const outcome of [ingest(specExample), stored(specExample)]) {
        expect(outcome.ok && outcome.event).toEqual(specExample);
        expect(outcome.ok && JSON.parse(outcome.json)).toEqual(specExample);
      }
    });

    it('a minimal ingest event, filling eventId, timestamp, metadata and version', () => {
      const outcome = ingest({ userId: 'u1', activityType: 'logout' });
      expect(outcome.ok && outcome.event).toEqual({
        eventId: 'evt_GENERATED0001',
        userId: 'u1',
        activityType: 'logout',
        timestamp: NOW.toISOString(),
        metadata: {},
        version: '1.0.0',
      });
    });

    it.each([
      '2024-01-12T10:30:00.000Z',
      '2020-02-29T23:59:59.999Z',
      '2023-06-30T00:00:00Z',
      '2023-06-30T02:00:00.5+02:00',
    ])('a timestamp %s, stored as toISOString writes it', (timestamp) => {
      const outcome = stored({ ...specExample, timestamp });
      expect(outcome.ok && outcome.event.timestamp).toBe(new Date(timestamp).toISOString());
    });

    it('a timestamp with an offset, stored in UTC', () => {
      const outcome = ingest({ ...specExample, timestamp: '2024-01-12T12:30:00+02:00' });
      expect(outcome.ok && outcome.event.timestamp).toBe('2024-01-12T10:30:00.000Z');
    });

    it('values exactly at each length limit', () => {
      const outcome = ingest({
        ...specExample,
        userId: 'u'.repeat(LIMITS.userIdMaxLength),
        eventId: 'e'.repeat(LIMITS.eventIdMaxLength),
        metadata: {
          userAgent: 'a'.repeat(LIMITS.userAgentMaxLength),
          sessionId: 's'.repeat(LIMITS.sessionIdMaxLength),
          note: 'n'.repeat(LIMITS.metadataStringMaxLength),
        },
      });
      expect(outcome.ok).toBe(true);
    });

    it('an IPv6 address', () => {
      expect(ingest({ ...specExample, metadata: { ipAddress: '2001:db8::1' } }).ok).toBe(true);
    });
  });

  describe('rejects with the field and the rule', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['a missing userId', { userId: undefined }, 'userId:isString'],
      ['an empty userId', { userId: '' }, 'userId:isLength'],
      ['a too long userId', { userId: 'u'.repeat(LIMITS.userIdMaxLength + 1) }, 'userId:isLength'],
      ['a userId with spaces', { userId: 'user 1' }, 'userId:matches'],
      ['a numeric userId', { userId: 42 }, 'userId:isString'],
      ['an unknown activity type', { activityType: 'teleport' }, 'activityType:isIn'],
      ['a numeric activity type', { activityType: 5 }, 'activityType:isString'],
      ['a numeric eventId', { eventId: 1234567890 }, 'eventId:isString'],
      ['a badly formed activity type', { activityType: 'Log In' }, 'activityType:matches'],
      ['an eventId with a slash', { eventId: 'evt_12/4567890' }, 'eventId:matches'],
      ['a too short eventId', { eventId: 'evt_1' }, 'eventId:isLength'],
      [
        'a too long eventId',
        { eventId: 'e'.repeat(LIMITS.eventIdMaxLength + 1) },
        'eventId:isLength',
      ],
      ['a timestamp that is no date', { timestamp: 'yesterday' }, 'timestamp:isIso8601'],
      ['a timestamp without a zone', { timestamp: '2024-01-12T10:30:00' }, 'timestamp:timeZone'],
      ['a day the month lacks', { timestamp: '2023-02-29T12:00:00.000Z' }, 'timestamp:isIso8601'],
      ['hour 24', { timestamp: '2023-12-31T24:00:00.000Z' }, 'timestamp:isIso8601'],
      ['a timestamp before 2000', { timestamp: '1999-12-31T23:59:59Z' }, 'timestamp:minDate'],
      [
        'a timestamp older than the ingest window',
        { timestamp: '2024-01-04T10:29:00Z' },
        'timestamp:minDate',
      ],
      [
        'a timestamp in the future beyond clock skew',
        { timestamp: '2024-01-12T10:35:01Z' },
        'timestamp:maxDate',
      ],
      ['metadata that is an array', { metadata: ['a'] }, 'metadata:isObject'],
      ['an unknown top-level field', { role: 'admin' }, 'role:unknownField'],
    ];
    it.each(cases)('%s', (_name, change, expected) => {
      expect(rejection(ingest({ ...specExample, ...change }))).toContain(expected);
    });

    it('every issue at once, with VALIDATION_ERROR and a message naming the fields', () => {
      const outcome = ingest({
        userId: '',
        activityType: 'teleport',
        metadata: { ipAddress: 'x' },
      });
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.code).toBe(ErrorCode.VALIDATION_ERROR);
      expect(outcome.message).toContain('activityType: Invalid activity type');
      expect(rejection(outcome)).toEqual(
        expect.arrayContaining(['userId:isLength', 'activityType:isIn', 'metadata.ipAddress:isIP']),
      );
    });

    it('null for a field that may only be left out', () => {
      const base = { userId: 'user123', activityType: 'login' };
      expect(rejection(ingest({ ...base, timestamp: null }))).toEqual(['timestamp:isIso8601']);
      expect(rejection(ingest({ ...base, metadata: null }))).toEqual(['metadata:isObject']);
      expect(rejection(ingest({ ...base, eventId: null }))).toContain('eventId:isString');
      expect(ingest(base).ok).toBe(true);
    });

    it('input that is not an object', () => {
      for (const input of [null, 'login', 42, ['a']])
        expect(rejection(ingest(input))).toEqual([':isObject']);
    });

    it('prototype-polluting keys at the top level', () => {
      const input = JSON.parse(
        '{"userId":"u1","activityType":"login","__proto__":{"x":1}}',
      ) as unknown;
      expect(rejection(ingest(input))).toEqual(['__proto__:forbiddenKey']);
    });

    it('metadata larger than its byte limit', () => {
      const metadata: Record<string, string> = {};
      for (let i = 0; i < LIMITS.metadataMaxExtraKeys; i += 1) metadata[`k${i}`] = 'x'.repeat(250);
      // 32 keys of 250 characters: within the key count and string limits, over the byte limit.
      expect(rejection(ingest({ ...specExample, metadata }))).toEqual(['metadata:maxBytes']);
      expect(rejection(stored({ ...specExample, metadata }))).toEqual(['metadata:maxBytes']);
      const outcome = stored({ ...specExample, metadata });
      expect(!outcome.ok && outcome.message).toBe(
        `metadata: larger than ${LIMITS.metadataMaxBytes} bytes`,
      );
    });

    it('oversized metadata next to other issues, in the order the rules run', () => {
      // The size rule is applied after the event is serialized; its issue keeps its place.
      const metadata: Record<string, string> = {};
      for (let i = 0; i < LIMITS.metadataMaxExtraKeys; i += 1) metadata[`k${i}`] = 'x'.repeat(250);
      const input = { ...specExample, userId: 'not valid!', metadata, timestamp: '2024-01-12' };
      expect(rejection(stored(input))).toEqual([
        'userId:matches',
        'metadata:maxBytes',
        'timestamp:timeZone',
      ]);
    });

    it('metadata just within its byte limit in an event over it, and just over it', () => {
      // Eight strings of 1,000 characters (under the string limit) and one that sets the size.
      const metadata = (bytes: number) => {
        const m: Record<string, string> = {};
        for (let i = 0; i < 8; i += 1) m[`k${i}`] = 'x'.repeat(1000);
        m.k8 = '';
        m.k8 = 'x'.repeat(bytes - Buffer.byteLength(JSON.stringify(m)));
        return m;
      };
      const within = { ...specExample, metadata: metadata(LIMITS.metadataMaxBytes) };
      expect(Buffer.byteLength(JSON.stringify(within.metadata))).toBe(LIMITS.metadataMaxBytes);
      expect(stored(within).ok).toBe(true);
      const over = { ...specExample, metadata: metadata(LIMITS.metadataMaxBytes + 1) };
      expect(rejection(stored(over))).toEqual(['metadata:maxBytes']);
    });

    it('a stored event without eventId or timestamp (the consumer never fills them in)', () => {
      const { eventId: _e, timestamp: _t, ...rest } = specExample;
      expect(rejection(stored(rest))).toEqual(['eventId:isDefined', 'timestamp:isDefined']);
    });
  });

  describe('versions', () => {
    it('reads the spec-era "1.0" as 1.0.0, turning an epoch-ms timestamp into ISO-8601', () => {
      const outcome = stored({
        ...specExample,
        version: '1.0',
        timestamp: NOW.getTime(),
        metadata: undefined,
      });
      expect(outcome.ok && outcome.event).toEqual({
        ...specExample,
        version: '1.0.0',
        timestamp: '2024-01-12T10:30:00.000Z',
        metadata: {},
      });
    });

    it.each(['1.0.0', '1.1.0', '1.7.3', '1.42.9'])('accepts %s', (version) => {
      const outcome = stored({ ...specExample, version });
      expect(outcome.ok && outcome.event.version).toBe(version);
    });

    it('stores a two-part minor version in three-part form', () => {
      const outcome = stored({ ...specExample, version: '1.2' });
      expect(outcome.ok && outcome.event.version).toBe('1.2.0');
    });

    it.each(['2.0.0', '0.9.0', '3.1'])(
      'rejects major %s with UNSUPPORTED_SCHEMA_VERSION',
      (version) => {
        const outcome = stored({ ...specExample, version });
        expect(outcome.ok === false && outcome.code).toBe(ErrorCode.UNSUPPORTED_SCHEMA_VERSION);
        expect(rejection(outcome)).toEqual(['version:supportedMajor']);
      },
    );

    it.each(['banana', '1.0.0-beta', 'v1.0.0', '01.0.0', '', 1])(
      'rejects the non-version %p with VALIDATION_ERROR',
      (version) => {
        const outcome = stored({ ...specExample, version });
        expect(outcome.ok === false && outcome.code).toBe(ErrorCode.VALIDATION_ERROR);
        expect(rejection(outcome)).toEqual(['version:semver']);
      },
    );

    it('requires a version on stored events and defaults it on ingest', () => {
      const { version: _v, ...rest } = specExample;
      expect(rejection(stored(rest))).toEqual(['version:semver']);
      expect(ingest(rest).ok).toBe(true);
    });
  });

  it('accepts an activity type enabled by configuration, and only where configured', () => {
    const extended = new ActivityEventValidator(new ActivityTypeRegistry(['video_play']));
    const event = { ...specExample, activityType: 'video_play' };
    expect(extended.validate(event, { mode: 'stored' }).ok).toBe(true);
    expect(rejection(stored(event))).toEqual(['activityType:isIn']);
  });
});

describe('ActivityEventValidator: clock-skew correction (ingest)', () => {
  const HOUR = 3_600_000;
  const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
  const withClock = (input: Record<string, unknown>, sentAt?: Date, clamp = true) =>
    validator.validate(
      { ...specExample, ...input },
      {
        mode: 'ingest',
        now: NOW,
        sentAt,
        futureTimestamps: clamp ? 'clamp' : 'reject',
      },
    );

  it('moves the timestamp by receivedAt - sentAt, keeping the original in metadata.clock', () => {
    // A device clock one hour ahead: it stamps and sends at its 11:30, the server says 10:30.
    const outcome = withClock({ timestamp: at(HOUR - 2000) }, new Date(NOW.getTime() + HOUR));
    expect(outcome.ok && outcome.event.timestamp).toBe(at(-2000));
    expect(outcome.ok && outcome.event.metadata.clock).toEqual({
      clientTimestamp: at(HOUR - 2000),
      sentAt: at(HOUR),
      receivedAt: at(0),
      offsetMs: -HOUR,
    });
    // The corrected time is what the window applies to: a clock one hour behind is fine too.
    const behind = withClock({ timestamp: at(-HOUR) }, new Date(NOW.getTime() - HOUR));
    expect(behind.ok && behind.event.timestamp).toBe(at(0));
  });

  it('clamps a future timestamp to the receive time with a warning, or rejects it', () => {
    const clamped = withClock({ timestamp: at(HOUR) });
    expect(clamped.ok && clamped.event.timestamp).toBe(at(0));
    expect(clamped.ok && clamped.event.metadata.clock).toEqual({
      clientTimestamp: at(HOUR),
      receivedAt: at(0),
      warning: 'future_timestamp_clamped',
    });
    expect(rejection(withClock({ timestamp: at(HOUR) }, undefined, false))).toEqual([
      'timestamp:maxDate',
    ]);
    // Within the tolerance nothing changes and nothing is recorded.
    const near = withClock({ timestamp: at(60_000) });
    expect(near.ok && near.event).toEqual({ ...specExample, timestamp: at(60_000) });
  });

  it('rejects a timestamp older than the window or before 2000, or clamps it when asked to', () => {
    const past = (timestamp: string, pastTimestamps?: 'clamp' | 'reject') =>
      validator.validate(
        { ...specExample, timestamp },
        { mode: 'ingest', now: NOW, pastTimestamps },
      );
    for (const timestamp of [
      at(-8 * 24 * HOUR),
      '1999-12-31T23:59:59.000Z',
      '0316-08-03T21:56:23.5Z',
    ]) {
      expect(rejection(past(timestamp))).toEqual(['timestamp:minDate']);
      const clamped = past(timestamp, 'clamp');
      expect(clamped.ok && clamped.event.timestamp).toBe(at(0));
      expect(clamped.ok && clamped.event.metadata.clock).toEqual({
        clientTimestamp: timestamp,
        receivedAt: at(0),
        warning: 'past_timestamp_clamped',
      });
    }
    const recent = past(at(-6 * 24 * HOUR), 'clamp');
    expect(recent.ok && recent.event).toEqual({ ...specExample, timestamp: at(-6 * 24 * HOUR) });
  });

  it('reserves metadata.clock for the API, and stored events keep theirs', () => {
    const clock = { receivedAt: at(0), warning: 'future_timestamp_clamped' };
    expect(rejection(withClock({ metadata: { clock } }))).toEqual(['metadata.clock:reservedKey']);
    expect(stored({ ...specExample, metadata: { clock } }).ok).toBe(true);
  });
});

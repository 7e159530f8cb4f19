import { validateSync } from 'class-validator';
import { ActivityEventDto } from './activity-event.dto';
import { meetsDtoRules } from './activity-event.fast-path';

const classValidatorAccepts = (input: Record<string, unknown>): boolean =>
  validateSync(Object.assign(new ActivityEventDto(), input), {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  }).length === 0;

const BASE = {
  eventId: 'evt_01JD5K8ZQ0M6T4V3B2N1X9Y8W7',
  userId: 'user123',
  activityType: 'login',
  timestamp: '2024-01-12T10:30:00.000Z',
  metadata: { ipAddress: '192.168.1.1' },
  version: '1.0.0',
};

/** Values that probe each rule's edges: types, lengths, characters, formats. */
const VALUES: unknown[] = [
  undefined,
  null,
  0,
  1.5,
  true,
  [],
  {},
  [1],
  '',
  'a',
  'ab_cd',
  'user123',
  'login',
  'Login',
  'page.view-2',
  'evt_123',
  'evt_1234',
  'evt_12345678',
  'x'.repeat(63),
  'x'.repeat(64),
  'x'.repeat(65),
  'u'.repeat(128),
  'u'.repeat(129),
  '_leading',
  'has space',
  'tab\there',
  'é-unicode',
  '😀😀😀😀😀😀😀😀',
  'a:b@c.d-e_f',
  '2024-01-12T10:30:00.000Z',
  '2024-01-12T10:30:00Z',
  '2024-01-12T10:30:00+02:00',
  '2024-01-12 10:30:00Z',
  '2024-02-30T10:30:00Z',
  '2024-01-12',
  '20240112T103000Z',
  'not a date',
  '1.0',
  '2.0.0',
  { nested: { deep: true } },
  new Date(0),
];

function* inputs(): Generator<Record<string, unknown>> {
  yield { ...BASE };
  yield { userId: 'u1', activityType: 'login' };
  for (const field of Object.keys(BASE)) {
    for (const value of VALUES) {
      const input: Record<string, unknown> = { ...BASE, [field]: value };
      if (value === undefined) delete input[field];
      yield input;
    }
  }
  for (const extra of ['extra', 'constructor', 'toString', 'kafka', 'eventid']) {
    yield { ...BASE, [extra]: 'x' };
  }
}

describe('meetsDtoRules (the fast path in front of class-validator)', () => {
  it('never accepts what class-validator rejects', () => {
    const wronglyAccepted: unknown[] = [];
    let checked = 0;
    for (const input of inputs()) {
      checked += 1;
      if (meetsDtoRules(input) && !classValidatorAccepts(input)) wronglyAccepted.push(input);
    }
    expect(checked).toBeGreaterThan(200);
    expect(wronglyAccepted).toEqual([]);
  });

  it('accepts the ordinary valid events, so the fast path is actually taken', () => {
    const valid = [...inputs()].filter(classValidatorAccepts);
    const taken = valid.filter((i) => meetsDtoRules(i));
    expect(valid.length).toBeGreaterThan(20);
    expect(meetsDtoRules({ ...BASE })).toBe(true);
    expect(meetsDtoRules({ userId: 'u1', activityType: 'login' })).toBe(true);
    // Only values outside the ASCII patterns' reach may differ (none among these).
    expect(taken.length).toBe(valid.length);
  });

  it('sends unknown fields to class-validator, which names them', () => {
    expect(meetsDtoRules({ ...BASE, extra: 1 })).toBe(false);
    expect(classValidatorAccepts({ ...BASE, extra: 1 })).toBe(false);
  });
});

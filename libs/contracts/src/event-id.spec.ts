import { newEventId } from './event-id';
import { EVENT_ID_PATTERN } from './limits';

describe('event ids', () => {
  it('are evt_ + a 26-character Crockford ULID that the contract accepts', () => {
    const id = newEventId();
    expect(id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(id).toMatch(EVENT_ID_PATTERN);
  });

  it('encode the millisecond time in the first 10 characters', () => {
    expect(newEventId(0).slice(4, 14)).toBe('0000000000');
    expect(newEventId(1705055400000).slice(4, 14)).toBe(newEventId(1705055400000).slice(4, 14));
    expect(newEventId(32).slice(4, 14)).toBe('0000000010');
  });

  it('sort by creation time across milliseconds', () => {
    const ids = [1705055400000, 1705055400001, 1705055400999, 1805055400000].map((t) =>
      newEventId(t),
    );
    expect([...ids].sort()).toEqual(ids);
  });

  it('do not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newEventId(1705055400000)));
    expect(ids.size).toBe(10_000);
  });
});

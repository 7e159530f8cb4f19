import { isCanonicalUtc } from './canonical-timestamp';

/** What the fast check stands for: Date reads the string and writes it back unchanged. */
const roundTrips = (t: string): boolean => {
  const ms = Date.parse(t);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === t;
};

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

describe('isCanonicalUtc', () => {
  it('agrees with a Date round trip on every month and day edge, leap years included', () => {
    let checked = 0;
    for (const year of [1900, 2000, 2023, 2024, 2100]) {
      for (let month = 0; month <= 13; month += 1) {
        for (let day = 0; day <= 32; day += 1) {
          for (const time of ['00:00:00.000', '23:59:59.999', '24:00:00.000', '12:60:00.000']) {
            const t = `${year}-${pad(month)}-${pad(day)}T${time}Z`;
            expect([t, isCanonicalUtc(t)]).toEqual([t, roundTrips(t)]);
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBe(5 * 14 * 33 * 4);
  });

  it.each([
    '2024-01-12T10:30:00Z',
    '2024-01-12T10:30:00.5Z',
    '2024-01-12T12:30:00.000+02:00',
    '2024-01-12 10:30:00.000Z',
    '20240112T103000.000Z',
  ])('leaves %s to the full ISO-8601 check', (t) => {
    expect(isCanonicalUtc(t)).toBe(false);
  });
});

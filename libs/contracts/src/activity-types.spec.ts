import { ACTIVITY_TYPES_V1, ActivityTypeRegistry } from './activity-types';

describe('activity types', () => {
  it('knows the built-in 1.x set, including the spec example "login"', () => {
    const registry = new ActivityTypeRegistry();
    expect(registry.has('login')).toBe(true);
    expect(registry.list()).toEqual([...ACTIVITY_TYPES_V1].sort());
    expect(registry.has('teleport')).toBe(false);
  });

  it('adds configured extras without a code change', () => {
    const registry = new ActivityTypeRegistry(['video_play', 'feature.flag-toggled']);
    expect(registry.has('video_play')).toBe(true);
    expect(registry.has('feature.flag-toggled')).toBe(true);
    expect(registry.list()).toHaveLength(ACTIVITY_TYPES_V1.length + 2);
  });

  it.each(['Video', 'has space', '9lives', '', 'x'.repeat(65)])(
    'refuses to configure the badly formed type %p, naming it',
    (type) => {
      expect(() => new ActivityTypeRegistry([type])).toThrow(
        `activity type "${type}" is not valid`,
      );
    },
  );
});

import type { ActivityEvent } from '@app/contracts';
import { FailedLoginDetector } from './failed-login-detector';

const at = (userId: string, minute: number, type = 'login_failed'): ActivityEvent => ({
  eventId: `evt_${userId}_${minute}_${type}`,
  userId,
  activityType: type,
  timestamp: new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString(),
  metadata: {},
  version: '1.0.0',
});

describe('FailedLoginDetector', () => {
  const fiveMinutes = 5 * 60_000;

  it('flags the third failed login of one user within the window', () => {
    const detector = new FailedLoginDetector(3, fiveMinutes, 100);
    expect(detector.observe(at('u1', 0))).toBeNull();
    expect(detector.observe(at('u1', 1))).toBeNull();
    const alert = detector.observe(at('u1', 2));
    expect(alert).toMatchObject({ rule: 'repeated_login_failed', userId: 'u1', count: 3 });
    expect(alert?.eventIds).toHaveLength(3);
  });

  it('ignores failures that fall out of the window, other users and other types', () => {
    const detector = new FailedLoginDetector(3, fiveMinutes, 100);
    expect(detector.observe(at('u1', 0))).toBeNull();
    expect(detector.observe(at('u2', 1))).toBeNull();
    expect(detector.observe(at('u1', 1, 'login'))).toBeNull();
    expect(detector.observe(at('u1', 6))).toBeNull();
    expect(detector.observe(at('u1', 7))).toBeNull();
  });

  it('needs a new burst after an alert', () => {
    const detector = new FailedLoginDetector(2, fiveMinutes, 100);
    detector.observe(at('u1', 0));
    expect(detector.observe(at('u1', 1))).not.toBeNull();
    expect(detector.observe(at('u1', 2))).toBeNull();
  });

  it('tracks at most the configured number of users', () => {
    const detector = new FailedLoginDetector(3, fiveMinutes, 2);
    ['a', 'b', 'c', 'd'].forEach((u) => detector.observe(at(u, 0)));
    expect(detector.trackedUsers).toBe(2);
  });
});

import { loggedIp, maskIp } from './mask-ip';

describe('maskIp', () => {
  it('keeps the /24 of an IPv4 address and drops the host', () => {
    expect(maskIp('192.168.1.77')).toBe('192.168.1.0');
    expect(maskIp('10.0.0.1')).toBe('10.0.0.0');
  });

  it('keeps the /48 of an IPv6 address, compressed or not', () => {
    expect(maskIp('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::');
    expect(maskIp('2001:DB8::1')).toBe('2001:db8:0::');
    expect(maskIp('::1')).toBe('0:0:0::');
    expect(maskIp('fe80::1%eth0')).toBe('fe80:0:0::');
  });

  it('masks the IPv4 part of an IPv4-mapped IPv6 address', () => {
    expect(maskIp('::ffff:127.0.0.1')).toBe('::ffff:127.0.0.0');
  });

  it('hides anything that is not an IP address entirely', () => {
    expect(maskIp('not-an-ip')).toBe('[masked]');
    expect(maskIp('')).toBe('[masked]');
  });

  it('leaves the address alone when masking is off', () => {
    expect(loggedIp('192.168.1.77', false)).toBe('192.168.1.77');
    expect(loggedIp('192.168.1.77', true)).toBe('192.168.1.0');
  });
});

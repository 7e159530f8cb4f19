import { TrustedProxies } from './trusted-proxies';

describe('TrustedProxies', () => {
  it('trusts nobody until configured, and nobody with an empty list', () => {
    const proxies = new TrustedProxies();
    expect(proxies.trusts('10.0.0.1')).toBe(false);
    proxies.configure([]);
    expect(proxies.trusts('10.0.0.1')).toBe(false);
  });

  it('trusts listed addresses and subnets, IPv4 (also IPv4-mapped IPv6) and IPv6', () => {
    const proxies = new TrustedProxies();
    proxies.configure(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
    expect(proxies.trusts('10.20.30.40')).toBe(true);
    expect(proxies.trusts('::ffff:10.1.2.3')).toBe(true);
    expect(proxies.trusts('192.168.1.7')).toBe(true);
    expect(proxies.trusts('192.168.1.8')).toBe(false);
    expect(proxies.trusts('fd12::1')).toBe(true);
    expect(proxies.trusts('2001:db8::1')).toBe(false);
  });
});

import { BlockList, isIP } from 'node:net';

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/**
 * Fastify's `trustProxy`, as a function whose list is set after the app was built: the server is
 * created before dependency injection runs, while the list (TRUST_PROXY) belongs to the validated
 * configuration that injection provides. Until configured, no proxy is trusted.
 */
export class TrustedProxies {
  private list: BlockList | null = null;

  /** Addresses or CIDRs (`10.0.0.0/8`, `::1`) whose X-Forwarded-For is believed. */
  configure(entries: readonly string[]): void {
    if (entries.length === 0) {
      this.list = null;
      return;
    }
    const list = new BlockList();
    for (const entry of entries) {
      const [address, bits] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) list.addAddress(address, family);
      else list.addSubnet(address, Number(bits), family);
    }
    this.list = list;
  }

  /** The function handed to Fastify: is the hop at `address` a trusted proxy? */
  readonly trusts = (address: string): boolean => {
    if (!this.list) return false;
    const v4 = MAPPED_V4.exec(address)?.[1];
    if (v4) return this.list.check(v4, 'ipv4');
    return this.list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  };
}

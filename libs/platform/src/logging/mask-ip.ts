import { isIPv4, isIPv6 } from 'node:net';

const V4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** Eight 16-bit groups of an IPv6 address, `::` expanded. */
function ipv6Groups(ip: string): string[] {
  const [head, tail] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right];
}

/**
 * Drops the host part of a client address so logs keep the network but not the person:
 * IPv4 keeps its /24, IPv6 its /48. Anything that is not an IP address is hidden whole.
 */
export function maskIp(ip: string): string {
  const mapped = V4_MAPPED.exec(ip);
  if (mapped) return `::ffff:${maskIp(mapped[1])}`;
  if (isIPv4(ip)) return ip.replace(/\.\d+$/, '.0');
  if (isIPv6(ip) && !ip.includes('.')) {
    const groups = ipv6Groups(ip.toLowerCase().replace(/%.*$/, ''));
    return `${groups
      .slice(0, 3)
      .map((g) => g.replace(/^0+(?=.)/, ''))
      .join(':')}::`;
  }
  return '[masked]';
}

/** The address as logged: masked when LOG_MASK_IPS is on. */
export const loggedIp = (ip: string, mask: boolean): string => (mask ? maskIp(ip) : ip);

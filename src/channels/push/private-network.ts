// A push endpoint is a URL a user hands us, and the server POSTs to it: without a guard anyone could make
// the server send requests into its own network (a database admin page, a cloud metadata service). Unless
// PUSH_PRIVATE_ENDPOINTS allows it (tests, a push service of your own inside the network), an endpoint is
// refused when registered if its host is such an address or name, and every push checks again, at connect
// time, what its host resolves to then: a name pointed inside the network later gets no further.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const inside = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  inside.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  inside.addSubnet(network, prefix, 'ipv6');
}

/** The error a push gets for a host inside the network; failures.ts takes it as a device gone for good. */
export const PRIVATE_ADDRESS = 'EPRIVATEADDRESS';

export function privateAddressError(host: string): Error {
  return Object.assign(new Error(`${host} is in a private network`), { code: PRIVATE_ADDRESS });
}

export function isPrivateAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 4) return inside.check(address, 'ipv4');
  if (version !== 6) return false;
  // An IPv4 address written as IPv6 (::ffff:127.0.0.1) is that IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return inside.check(mapped, 'ipv4');
  if (/^::ffff:/i.test(address)) return true;
  return inside.check(address, 'ipv6');
}

/** A URL's hostname that is an address inside the network, or a name that always is (localhost). */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isPrivateAddress(host);
}

/** dns.lookup that fails when any address of the name is inside the network (for an https.Agent). */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true } as LookupAllOptions, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    if (addresses.length === 0 || addresses.some((entry) => isPrivateAddress(entry.address))) {
      return callback(privateAddressError(hostname), '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
    const [first] = addresses as [LookupAddress];
    return callback(null, first.address, first.family);
  });
};

// Address arithmetic the undo of an atomic batch needs: which family an
// address is, whether two prefixes name the same network, and the keys a
// route is known by. Text in, comparable values out; nothing here formats
// addresses, so a value read from the kernel and one a caller wrote match
// whatever their spelling ('fd00:0::1' and 'fd00::1').

import { isIP } from 'node:net';

/** An address as a number: 32 bits for IPv4, 128 for IPv6. */
export interface Inet {
  family: 4 | 6;
  value: bigint;
}

/** Parses 'a.b.c.d' or an IPv6 address (with '::' and a dotted tail); null if neither. */
export function parseInet(text: string): Inet | null {
  const family = isIP(text);
  if (family === 4) return { family: 4, value: parseDotted(text) };
  if (family === 6) return { family: 6, value: parseColons(text) };
  return null;
}

/**
 * The key of a prefix: family, network (the host bits cleared, as the
 * kernel stores a route's destination) and length. 'default' is the
 * zero-length prefix; a bare address is a host prefix.
 */
export function prefixKey(text: string, family: 4 | 6): string {
  if (text === 'default') return `${family}:0/0`;
  const slash = text.indexOf('/');
  const inet = parseInet(slash === -1 ? text : text.slice(0, slash));
  if (inet === null) return `${family}:${text}`;
  const bits = inet.family === 4 ? 32 : 128;
  const length = slash === -1 ? bits : Number(text.slice(slash + 1));
  return `${inet.family}:${masked(inet, length).toString(16)}/${length}`;
}

/** An address's key, whatever its spelling; the text itself if it is not one. */
export function addressKey(text: string): string {
  const inet = parseInet(text);
  return inet === null ? text : `${inet.family}:${inet.value.toString(16)}`;
}

/** Whether two addresses of one family lie in the same network of `length` bits. */
export function sameNetwork(a: string, b: string, length: number): boolean {
  const x = parseInet(a);
  const y = parseInet(b);
  if (x === null || y === null || x.family !== y.family) return false;
  return masked(x, length) === masked(y, length);
}

/** The family of a route from its addresses: to, via, src; else `family`. */
export function routeFamily(r: { to: string; via?: string | null | undefined;
  src?: string | null | undefined; family?: number | undefined }): 4 | 6 {
  for (const text of [r.to, r.via, r.src]) {
    if (typeof text !== 'string' || text === 'default') continue;
    const inet = parseInet(text.split('/')[0] ?? '');
    if (inet !== null) return inet.family;
  }
  return r.family === 6 ? 6 : 4;
}

/** The scope an added IPv4 address gets, as addr.add gives it: host in 127/8, else global. */
export function defaultAddressScope(address: string): string {
  return isIP(address) === 4 && address.startsWith('127.') ? 'host' : 'global';
}

function masked(inet: Inet, length: number): bigint {
  const bits = BigInt(inet.family === 4 ? 32 : 128);
  const keep = BigInt(Math.max(0, Math.min(Number(bits), length)));
  const mask = ((1n << keep) - 1n) << (bits - keep);
  return inet.value & mask;
}

function parseDotted(text: string): bigint {
  return text.split('.').reduce((sum, part) => (sum << 8n) | BigInt(Number(part)), 0n);
}

/** IPv6 text (already checked by isIP) to its 128-bit value. */
function parseColons(text: string): bigint {
  let groups: string[] = [];
  const tail = text.includes('.') ? text.slice(text.lastIndexOf(':') + 1) : null;
  const head = tail === null ? text : text.slice(0, text.length - tail.length);
  const words = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const gap = head.indexOf('::');
  const width = tail === null ? 8 : 6;
  if (gap === -1) {
    groups = words(head.endsWith(':') && tail !== null ? head.slice(0, -1) : head);
  } else {
    const left = words(head.slice(0, gap));
    const right = words(head.slice(gap + 2).replace(/:$/, ''));
    groups = [...left, ...Array<string>(width - left.length - right.length).fill('0'), ...right];
  }
  let value = groups.reduce((sum, g) => (sum << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tail !== null) value = (value << 32n) | parseDotted(tail);
  return value;
}

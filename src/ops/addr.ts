// Op builders for addresses: addr.add, addr.del, addr.list.
//
// Addresses are text with a prefix length, '10.1.0.1/24' or 'fd00::1/64';
// a bare address means a host address (/32, /128).

import { isIP } from 'node:net';

import { badArgument } from '../errors.js';
import type { Address, LinkRef } from '../wire/types.js';
import { checkLink, makeOp, type ListResult, type Op } from './op.js';

/** Adds an address to a link. */
function add(dev: LinkRef, cidr: string): Op<void> {
  const op = 'addr.add';
  return makeOp({ op, dev: checkLink(op, 'dev', dev), address: checkCidr(op, cidr) });
}

/** Removes an address from a link. */
function del(dev: LinkRef, cidr: string): Op<void> {
  const op = 'addr.del';
  return makeOp({ op, dev: checkLink(op, 'dev', dev), address: checkCidr(op, cidr) });
}

/** Answers the addresses of one link, or of every link. */
function list(dev?: LinkRef): Op<ListResult<Address>> {
  if (dev === undefined) return makeOp({ op: 'addr.list' });
  return makeOp({ op: 'addr.list', dev: checkLink('addr.list', 'dev', dev) });
}

export const addr = { add, del, list };

/** Checks 'ADDRESS/PREFIX' (or a bare address): an IP address and a prefix length in range. */
export function checkCidr(op: string, value: unknown): string {
  const expected = "an address with a prefix length, like '10.1.0.1/24' or 'fd00::1/64'";
  if (typeof value !== 'string') throw badArgument(op, 'cidr', expected, value);
  const slash = value.indexOf('/');
  const family = isIP(slash === -1 ? value : value.slice(0, slash));
  if (family === 0) throw badArgument(op, 'cidr', expected, value);
  if (slash !== -1) {
    const prefix = value.slice(slash + 1);
    const max = family === 4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) {
      throw badArgument(op, 'cidr', `${expected} (a prefix length from 0 to ${max})`, value);
    }
  }
  return value;
}

// The state of a namespace as an atomic batch sees it: its links, its
// addresses and its routes (every table), read in one request, and the
// comparison that decides whether an undo landed where the batch started.
//
// Equality is defined on what nsdo lists, with the identity of things
// given by their names, not their indexes: a link the undo had to create
// again gets a new index, and is still the same link if its name, type,
// MTU, MAC, up flag, master and veth peer are the same. Addresses compare
// per link: IPv4 in order (the order says which address is primary),
// IPv6 as a set. Routes compare as a set of every listed field. Carrier
// and operstate are left out: they follow the other end of a cable, and
// the kernel settles them a moment after the fact.

import { NsdoError } from '../errors.js';
import { addr } from '../ops/addr.js';
import { link } from '../ops/link.js';
import type { Op } from '../ops/op.js';
import { route } from '../ops/route.js';
import type { Address, Link, Route } from '../wire/types.js';
import { addressKey } from './inet.js';

/** A namespace's links, addresses and routes at one moment. */
export interface State {
  links: Link[];
  addresses: Address[];
  routes: Route[];
}

/** The ops that read a State, in the order stateFrom() expects. */
export function stateOps(): Op<unknown>[] {
  return [link.list(), addr.list(), route.list({ table: 'all' })];
}

/**
 * The State in results[at], results[at + 1], results[at + 2] (the answers
 * to stateOps()); null when a dump may be inconsistent (the kernel's
 * tables changed while it was read). A dump that failed throws its error.
 */
export function stateFrom(results: readonly unknown[], at: number): State | null {
  const lists = [results[at], results[at + 1], results[at + 2]];
  const failed = lists.find((l) => l instanceof NsdoError);
  if (failed !== undefined) throw failed;
  if (lists.some((l) => !Array.isArray(l) || (l as { interrupted?: boolean }).interrupted)) {
    return null;
  }
  const [links, addresses, routes] = lists as [Link[], Address[], Route[]];
  return { links, addresses, routes };
}

/** How a link compares: everything but its index, carrier and operstate. */
export function linkView(l: Link, links: readonly Link[]): string {
  return `${l.type} mtu ${l.mtu} ${l.up ? 'up' : 'down'} mac ${l.mac ?? '-'} ` +
    `master ${l.master ?? '-'} peer ${peerName(l, links)}`;
}

/**
 * The name of a link's peer or parent when it is in the same namespace
 * ('-' for none, 'elsewhere' for one in another namespace). A veth's
 * parentIndex names its peer in the peer's namespace, so a local link
 * with that index is the peer only if it points back.
 */
export function peerName(l: Link, links: readonly Link[]): string {
  if (l.parentIndex === null) return '-';
  const other = links.find((x) => x.index === l.parentIndex && x.index !== l.index);
  if (other === undefined) return 'elsewhere';
  if (l.type === 'veth' && other.parentIndex !== l.index) return 'elsewhere';
  return other.name;
}

/** An address as it compares: the address (any spelling), its prefix length and scope. */
export function addressView(a: Address): string {
  return `${a.address}/${a.prefixLength} scope ${a.scope}`;
}

export function sameAddress(a: Address, b: Address): boolean {
  return addressKey(a.address) === addressKey(b.address) &&
    a.prefixLength === b.prefixLength && a.scope === b.scope;
}

/** A route as it compares: every field nsdo lists. */
export function routeView(r: Route): string {
  return `${r.type} ${r.to} ipv${r.family} table ${r.table} via ${r.via ?? '-'} ` +
    `dev ${r.dev ?? '-'} metric ${r.metric} scope ${r.scope} proto ${r.protocol} ` +
    `src ${r.src ?? '-'}`;
}

/** The addresses of one link and family, in the kernel's order. */
export function addressesOf(state: State, dev: string, family: 4 | 6): Address[] {
  return state.addresses.filter((a) => a.dev === dev && a.family === family);
}

/**
 * What differs between `before` and `after`, one readable line per
 * difference; empty when they are equal as this module defines it.
 */
export function differences(before: State, after: State): string[] {
  return [...linkDifferences(before, after), ...addressDifferences(before, after),
    ...routeDifferences(before, after)];
}

function linkDifferences(before: State, after: State): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const l of before.links) {
    seen.add(l.name);
    const now = after.links.find((x) => x.name === l.name);
    const was = linkView(l, before.links);
    if (now === undefined) out.push(`link ${l.name} is missing (was ${was})`);
    else if (linkView(now, after.links) !== was) {
      out.push(`link ${l.name} is ${linkView(now, after.links)}, was ${was}`);
    }
  }
  for (const l of after.links) {
    if (!seen.has(l.name)) out.push(`link ${l.name} was not there before`);
  }
  return out;
}

function addressDifferences(before: State, after: State): string[] {
  const out: string[] = [];
  const devs = new Set([...before.addresses, ...after.addresses].map((a) => a.dev));
  for (const dev of devs) {
    for (const family of [4, 6] as const) {
      const was = addressesOf(before, dev, family).map(addressView);
      const now = addressesOf(after, dev, family).map(addressView);
      if (family === 6) {
        was.sort();
        now.sort();
      }
      if (was.join(', ') !== now.join(', ')) {
        out.push(`IPv${family} addresses of ${dev} are [${now.join(', ')}], ` +
          `were [${was.join(', ')}]`);
      }
    }
  }
  return out;
}

function routeDifferences(before: State, after: State): string[] {
  const out: string[] = [];
  const count = (routes: readonly Route[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const r of routes) {
      const view = routeView(r);
      m.set(view, (m.get(view) ?? 0) + 1);
    }
    return m;
  };
  const was = count(before.routes);
  const now = count(after.routes);
  for (const [view, n] of was) {
    if ((now.get(view) ?? 0) < n) out.push(`route ${view} is missing`);
  }
  for (const [view, n] of now) {
    if ((was.get(view) ?? 0) < n) out.push(`route ${view} was not there before`);
  }
  return out;
}

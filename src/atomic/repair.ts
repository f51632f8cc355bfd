// The repair after an undo's steps: compares the namespace with its
// snapshot and answers the ops that close the gap, one layer at a time.
// Links first (settings the kernel changed behind the ops' backs: a
// bridge's MTU and MAC follow its ports, a moved link comes back down),
// then addresses (a link that went down lost its IPv6 ones, a deleted
// link all of them), then routes (dropped with their link or address).
// A layer is repaired only once the ones below it match, because each one
// rests on the one below: a route needs its address, an address its link.
//
// The repair acts only inside the batch's scope (the links it touched,
// the routes and addresses it named, the routes that use those
// addresses), so it never reverts what someone else changed meanwhile
// elsewhere in the namespace. The kernel's own routes (protocol kernel,
// the local table) are never touched: they come back with the addresses
// and links they belong to.

import { addr } from '../ops/addr.js';
import { link, type LinkSetOptions } from '../ops/link.js';
import { route, type RouteOptions } from '../ops/route.js';
import type { Address, Link, Route, WireOp } from '../wire/types.js';
import { addressKey, defaultAddressScope, sameNetwork } from './inet.js';
import { ADDABLE, addable, describeRoute, routeKey, type Scope } from './plan.js';
import {
  addressesOf, addressView, peerName, routeView, sameAddress, type State,
} from './state.js';

/** One repair: an op to send, or a gap no op can close (`unsupported` says why). */
export interface Fix {
  /** Identifies the same repair from one round to the next. */
  key: string;
  op?: WireOp;
  unsupported?: string;
  /** Part of adding again the IPv4 addresses of this link, for their labels. */
  relabel?: string;
}

/**
 * The fixes of the lowest layer that has an op to send, after the gaps of
 * the layers below it that no op can close; empty when nothing in scope
 * differs.
 */
export function repairs(snapshot: State, now: State, scope: Scope): Fix[] {
  const stuck: Fix[] = [];
  for (const layer of [linkFixes, addressFixes, routeFixes]) {
    const fixes = layer(snapshot, now, scope);
    if (fixes.some((f) => f.op !== undefined)) return [...stuck, ...fixes];
    stuck.push(...fixes);
  }
  return stuck;
}

// ---------------------------------------------------------------------------
// Links

function linkFixes(snapshot: State, now: State, scope: Scope): Fix[] {
  const fixes = extraLinks(snapshot, now, scope);
  const names = new Set(snapshot.links.map((l) => l.name));
  for (const was of snapshot.links) {
    if (!scope.links.has(was.name)) continue;
    const is = now.links.find((l) => l.name === was.name) ??
      now.links.find((l) => l.index === was.index && !names.has(l.name));
    if (is === undefined) continue;
    const change = linkChange(was, is);
    if (Object.keys(change).length > 0) {
      fixes.push({ key: `link ${was.name}`, op: link.set(is.index, change) });
    }
  }
  return fixes;
}

/** The settings that bring `is` back to `was`. */
function linkChange(was: Link, is: Link): LinkSetOptions {
  const change: LinkSetOptions = {};
  if (is.name !== was.name) change.name = was.name;
  if (is.mtu !== was.mtu) change.mtu = was.mtu;
  if (was.mac !== null && is.mac !== was.mac) change.mac = was.mac;
  if ((is.master ?? null) !== (was.master ?? null)) change.master = was.master;
  if (is.up !== was.up) change.up = was.up;
  return change;
}

/**
 * Links the batch made that are still there: deleted, one end of a veth
 * pair only (the other goes with it).
 */
function extraLinks(snapshot: State, now: State, scope: Scope): Fix[] {
  const fixes: Fix[] = [];
  const names = new Set(snapshot.links.map((l) => l.name));
  const doomed = new Set<string>();
  for (const l of now.links) {
    if (names.has(l.name) || !scope.created.has(l.name)) continue;
    if (doomed.has(peerName(l, now.links))) continue;
    doomed.add(l.name);
    fixes.push({ key: `extra link ${l.name}`, op: link.del(l.index) });
  }
  return fixes;
}

// ---------------------------------------------------------------------------
// Addresses

function addressFixes(snapshot: State, now: State, scope: Scope): Fix[] {
  const fixes: Fix[] = [];
  for (const name of scope.links) {
    if (!now.links.some((l) => l.name === name)) continue;
    const want = addressesOf(snapshot, name, 4);
    const have = addressesOf(now, name, 4);
    fixes.push(...(scope.relabel.has(name) ? rebuild(name, want, have)
      : ipv4Fixes(name, want, have)));
    fixes.push(...ipv6Fixes(name, addressesOf(snapshot, name, 6), addressesOf(now, name, 6)));
  }
  return fixes;
}

/** Every IPv4 address of `dev` deleted, and the snapshot's added in its order. */
function rebuild(dev: string, want: Address[], have: Address[]): Fix[] {
  return [...[...have].reverse().map((a) => delAddress(dev, a)),
    ...want.map((a) => addAddress(dev, a))].map((f) => ({ ...f, relabel: dev }));
}

/**
 * IPv4 addresses are ordered: the first of a subnet is its primary, and
 * the kernel keeps primaries before secondaries. Adding the missing ones
 * is enough when the kernel would put them where they were; otherwise all
 * go, and come back in the snapshot's order.
 */
function ipv4Fixes(dev: string, want: Address[], have: Address[]): Fix[] {
  if (sameList(want, have)) return [];
  const extra = have.filter((a) => !want.some((w) => sameAddress(w, a)));
  const kept = have.filter((a) => !extra.includes(a));
  const missing = want.filter((w) => !have.some((a) => sameAddress(w, a)));
  if (sameList(want, kernelInsert(kept, missing))) {
    return [...extra.map((a) => delAddress(dev, a)), ...missing.map((a) => addAddress(dev, a))];
  }
  return rebuild(dev, want, have).map(({ relabel: _, ...f }) => f);
}

function ipv6Fixes(dev: string, want: Address[], have: Address[]): Fix[] {
  const extra = have.filter((a) => !want.some((w) => sameAddress(w, a)));
  const missing = want.filter((w) => !have.some((a) => sameAddress(w, a)));
  return [...extra.map((a) => delAddress(dev, a)), ...missing.map((a) => addAddress(dev, a))];
}

/**
 * The list the kernel makes by adding `added`, in order, to `list`: an
 * address whose subnet already has a primary becomes a secondary, at the
 * end; any other becomes a primary, after the last primary of a scope as
 * wide or wider.
 */
function kernelInsert(list: Address[], added: Address[]): Address[] {
  const out = [...list];
  const primary = (a: Address, before: Address[]): boolean => !before.some((p) =>
    p.prefixLength === a.prefixLength && primary(p, before.slice(0, before.indexOf(p))) &&
    sameNetwork(p.address, a.address, a.prefixLength));
  for (const a of added) {
    if (!primary(a, out)) {
      out.push(a);
      continue;
    }
    let at = 0;
    out.forEach((p, i) => {
      if (primary(p, out.slice(0, i)) && scopeRank(p.scope) >= scopeRank(a.scope)) at = i + 1;
    });
    out.splice(at, 0, a);
  }
  return out;
}

function sameList(a: Address[], b: Address[]): boolean {
  return a.length === b.length && a.every((x, i) => sameAddress(x, b[i] as Address));
}

function delAddress(dev: string, a: Address): Fix {
  return { key: `del ${addressView(a)} on ${dev}`,
    op: addr.del(dev, `${a.address}/${a.prefixLength}`) };
}

function addAddress(dev: string, a: Address): Fix {
  const key = `add ${addressView(a)} on ${dev}`;
  if (a.family === 4 && a.scope !== defaultAddressScope(a.address)) {
    return { key, unsupported: `${a.address}/${a.prefixLength} on ${dev} had scope ` +
      `${a.scope}, which addr.add cannot give it` };
  }
  return { key, op: addr.add(dev, `${a.address}/${a.prefixLength}`) };
}

// ---------------------------------------------------------------------------
// Routes

function routeFixes(snapshot: State, now: State, scope: Scope): Fix[] {
  const sources = new Set(scope.addresses);
  for (const a of snapshot.addresses) {
    if (scope.links.has(a.dev)) sources.add(addressKey(a.address));
  }
  const inScope = (r: Route): boolean => !kernelOwn(r) && ((r.dev !== null &&
    scope.links.has(r.dev)) || scope.routes.has(routeKey(r)) ||
    (r.src !== null && sources.has(addressKey(r.src))));
  const want = snapshot.routes.filter(inScope);
  const have = now.routes.filter(inScope);
  const extra = without(have, want);
  const missing = without(want, have).sort((a, b) => scopeRank(b.scope) - scopeRank(a.scope));
  return [...extra.map(delRoute), ...missing.map(addRoute)];
}

/** The kernel's own routes: they come and go with addresses and links. */
function kernelOwn(r: Route): boolean {
  return r.protocol === 'kernel' || r.table === 255;
}

/** The routes of `a` that `b` lacks, counting duplicates. */
function without(a: Route[], b: Route[]): Route[] {
  const left = b.map(routeView);
  return a.filter((r) => {
    const at = left.indexOf(routeView(r));
    if (at === -1) return true;
    left.splice(at, 1);
    return false;
  });
}

function delRoute(r: Route): Fix {
  return { key: `del route ${routeView(r)}`, op: route.del(routeSpec(r)) };
}

function addRoute(r: Route): Fix {
  const key = `add route ${routeView(r)}`;
  if (!addable(r)) {
    return { key, unsupported: `route ${describeRoute(r)} cannot be added back: ${ADDABLE}` };
  }
  return { key, op: route.add(routeSpec(r)) };
}

/** The arguments that name exactly `r`, for route.add and route.del. */
function routeSpec(r: Route): RouteOptions {
  const spec: RouteOptions = { to: r.to, table: r.table, metric: r.metric, family: r.family };
  if (r.via !== null) spec.via = r.via;
  if (r.dev !== null) spec.dev = r.dev;
  if (r.src !== null) spec.src = r.src;
  if (r.family === 4) spec.scope = scopeArgument(r.scope);
  return spec;
}

const SCOPES: Record<string, number> = {
  universe: 0, global: 0, site: 200, link: 253, host: 254, nowhere: 255,
};

/** How narrow a scope is: host ranks above link above universe. */
function scopeRank(scope: string): number {
  return SCOPES[scope] ?? (Number(scope) || 0);
}

function scopeArgument(scope: string): RouteOptions['scope'] {
  if (scope === 'universe' || scope === 'link' || scope === 'host') return scope;
  return scopeRank(scope);
}

// The plan of an undo: the batch's ops replayed, in order, over a model of
// the namespace's links built from the snapshot. Replaying tells, for every
// op, what it changed and so what its inverse is (the steps, run later in
// reverse order), which links the batch touched (the scope the repair after
// the steps may act on), and which ops cannot be undone at all (the
// problems, for which an atomic batch is refused before anything runs).
//
// Links are tracked by a key that survives renames: 's<index>' for a link
// of the snapshot, 'n<op>' for one the batch makes (and 'n<op>p' for its
// veth peer). A step names a link of the snapshot by its index while that
// is still true (which works whether or not a half-applied link.set
// renamed it) and by name once the undo has made it again or moved it
// back, when the kernel may have given it another index.
//
// Only links are modelled. Addresses and routes are not undone op by op:
// the kernel changes them behind the ops' backs (a link going down drops
// its IPv4 routes and IPv6 addresses, a deleted address takes the routes
// that use it along), so the repair compares them with the snapshot once
// the links are back. The replay still records which ones the batch named.

import type { LinkRef, Route, WireNamespace, WireOp } from '../wire/types.js';
import { link, type LinkAddOptions, type LinkSetOptions } from '../ops/link.js';
import { addressKey, defaultAddressScope, prefixKey, routeFamily } from './inet.js';
import { peerName, type State } from './state.js';

/** The link kinds the undo can make again from what a link list says. */
const RECREATABLE = new Set(['bridge', 'veth', 'dummy', 'ifb']);

/** Resolves a link key to what an inverse op should name it by. */
export interface Refs {
  ref(key: string, name: string): LinkRef;
}

/** One inverse op, run in the batch's namespace (at null) or in another one. */
export interface Step {
  /** The batch op this step undoes. */
  index: number;
  at: WireNamespace | null;
  /** The links the step acts on: skipped when the batch made one and deleted it again. */
  keys: string[];
  build(refs: Refs): WireOp;
  /** After this step, these links are named by name only (their index may have changed). */
  reindexes?: string[];
}

/** An op whose undo is impossible, and why. */
export interface Problem {
  index: number;
  op: string;
  reason: string;
}

/** What the batch touched: where the repair after the steps may act. */
export interface Scope {
  /** Snapshot names of the links the batch touched, directly or through the kernel. */
  links: Set<string>;
  /** 'family|table|prefix' of every route the batch's route ops named. */
  routes: Set<string>;
  /** Keys (addressKey) of the addresses the batch's address ops named. */
  addresses: Set<string>;
  /** Every name a link the batch made had. */
  created: Set<string>;
  /**
   * Snapshot names of links renamed with two or more IPv4 addresses: a
   * rename relabels all but the first ('b0', 'b0:1', ...), and only adding
   * them again gives back their labels. The repair empties it as it does so.
   */
  relabel: Set<string>;
}

export interface Plan {
  steps: Step[];
  problems: Problem[];
  scope: Scope;
  /** Keys of links the batch made and deleted again: their steps are void. */
  dead: Set<string>;
  /** In check mode: the op the model predicts to fail (a link that is not there), if any. */
  stopsAt: number | undefined;
}

interface ModelLink {
  key: string;
  index: number | null;
  name: string;
  type: string;
  mtu: number | undefined;
  up: boolean | undefined;
  mac: string | null | undefined;
  /** Key of the master; undefined when unknown. */
  master: string | null | undefined;
  /** Key of the veth peer in the same namespace. */
  peer: string | null;
  peerElsewhere: boolean;
  where: 'here' | 'away' | 'gone';
}

type Args = Record<string, unknown>;

/**
 * Replays ops[0 .. count) over the snapshot. In 'check' mode an op on a
 * link that is not there ends the replay (the kernel will refuse it, and
 * the batch stops there); in 'undo' mode those ops did complete, so such a
 * link is a problem.
 *
 * @param isHere whether a namespace argument names the batch's own namespace
 */
export function planUndo(snapshot: State, ops: readonly WireOp[], count: number,
  mode: 'check' | 'undo', here: string, isHere: (ns: WireNamespace) => boolean): Plan {
  const replay = new Replay(snapshot, mode, here, isHere);
  for (let i = 0; i < count && i < ops.length; i++) {
    const op = ops[i] as unknown as Args;
    if (!replay.apply(i, op) && mode === 'check') {
      replay.stopsAt = i;
      break;
    }
  }
  return replay.plan();
}

class Replay {
  readonly links = new Map<string, ModelLink>();
  readonly steps: Step[] = [];
  readonly problems: Problem[] = [];
  readonly scope: Scope = {
    links: new Set(), routes: new Set(), addresses: new Set(), created: new Set(),
    relabel: new Set(),
  };
  readonly dead = new Set<string>();
  readonly routesAdded = new Set<string>();
  stopsAt: number | undefined;

  constructor(readonly snapshot: State, readonly mode: 'check' | 'undo', readonly here: string,
    readonly isHere: (ns: WireNamespace) => boolean) {
    for (const l of snapshot.links) {
      const peer = l.type === 'veth' ? peerName(l, snapshot.links) : '-';
      const local = snapshot.links.find((x) => x.name === peer);
      this.links.set(`s${l.index}`, {
        key: `s${l.index}`, index: l.index, name: l.name, type: l.type, mtu: l.mtu, up: l.up,
        mac: l.mac, master: l.masterIndex === null ? null : `s${l.masterIndex}`,
        peer: local === undefined ? null : `s${local.index}`,
        peerElsewhere: l.type === 'veth' && local === undefined,
        where: 'here',
      });
    }
  }

  plan(): Plan {
    return { steps: this.steps, problems: this.problems, scope: this.scope, dead: this.dead,
      stopsAt: this.stopsAt };
  }

  /** Replays one op; false when it names a link the model does not have. */
  apply(index: number, op: Args): boolean {
    switch (op['op']) {
      case 'link.add': return this.linkAdd(index, op);
      case 'link.set': return this.linkSet(index, op);
      case 'link.del': return this.linkDel(index, op);
      case 'addr.add': case 'addr.del': return this.address(index, op);
      case 'route.add': case 'route.replace': case 'route.del': return this.route(index, op);
      case 'link.get': case 'link.list': case 'addr.list': case 'route.list': return true;
      default:
        this.problem(index, op, 'an atomic batch can undo only link, addr and route ops');
        return true;
    }
  }

  // -------------------------------------------------------------------------
  // Links

  linkAdd(index: number, op: Args): boolean {
    const key = `n${index}`;
    const name = String(op['name']);
    const master = op['master'] === undefined ? undefined : this.find(op['master'] as LinkRef);
    const made = this.made(key, name, String(op['type']), op);
    made.master = master?.key ?? null;
    this.touch(master);
    const peer = op['peer'] as Args | undefined;
    if (made.type === 'veth' && peer !== undefined) {
      const ns = peer['namespace'] as WireNamespace | undefined;
      if (ns === undefined || this.isHere(ns)) {
        const other = this.made(`${key}p`, String(peer['name']), 'veth', peer);
        other.up = false;
        made.peer = other.key;
        other.peer = key;
      } else {
        made.peerElsewhere = true;
      }
    }
    this.step(index, [key], () => link.del(name));
    return true;
  }

  /** A link the batch makes; settings it was not given are unknown. */
  made(key: string, name: string, type: string, op: Args): ModelLink {
    const l: ModelLink = {
      key, index: null, name, type, mtu: op['mtu'] as number | undefined,
      up: op['up'] === true, mac: op['mac'] as string | undefined, master: null, peer: null,
      peerElsewhere: false, where: 'here',
    };
    this.links.set(key, l);
    this.scope.created.add(name);
    return l;
  }

  linkSet(index: number, op: Args): boolean {
    const l = this.find(op['link'] as LinkRef);
    if (l === undefined) return this.unknownLink(index, op, op['link']);
    const before = { ...l };
    this.touch(l, this.get(l.peer), this.get(l.master));
    const ns = op['namespace'] as WireNamespace | undefined;
    if (ns !== undefined && !this.isHere(ns)) this.linkMove(index, op, l, before, ns);
    else this.linkChange(index, op, l, before);
    this.touch(this.get(l.master));
    return true;
  }

  /** link.set without a move: each setting it changed goes back to what it was. */
  linkChange(index: number, op: Args, l: ModelLink, before: ModelLink): void {
    if (op['up'] === false && before.up !== false) this.checkFlush(index, op, l, false);
    if (typeof op['name'] === 'string') {
      if (this.scope.created.has(before.name)) this.scope.created.add(op['name']);
      if (op['name'] !== before.name) this.renamed(index, op, l);
      l.name = op['name'];
    }
    if (op['mtu'] !== undefined) l.mtu = op['mtu'] as number;
    if (op['mac'] !== undefined) l.mac = op['mac'] as string;
    if (op['up'] !== undefined) l.up = op['up'] as boolean;
    if (op['master'] !== undefined) {
      l.master = op['master'] === null ? null : this.find(op['master'] as LinkRef)?.key;
    }

    const back: Args = {};
    if (l.name !== before.name) back['name'] = before.name;
    if (op['mtu'] !== undefined && before.mtu !== undefined) back['mtu'] = before.mtu;
    if (op['mac'] !== undefined && before.mac) back['mac'] = before.mac;
    if (op['up'] !== undefined && before.up !== undefined) back['up'] = before.up;
    const master = op['master'] !== undefined ? before.master : undefined;
    if (Object.keys(back).length === 0 && master === undefined) return;

    const after = l.name;
    // Down first, on its own: some kernels refuse to rename a link that is up.
    if (back['name'] !== undefined && back['up'] === false) {
      this.step(index, [l.key], (r) => link.set(r.ref(l.key, after), { up: false }));
      delete back['up'];
    }
    this.step(index, [l.key], (r) => link.set(r.ref(l.key, after),
      this.withMaster(back, master, r)));
  }

  /** A rename of a snapshot link whose IPv4 addresses it relabels; see Scope.relabel. */
  renamed(index: number, op: Args, l: ModelLink): void {
    const was = this.snapshot.links.find((x) => x.index === l.index);
    if (was === undefined) return;
    const ipv4 = this.snapshot.addresses.filter((a) => a.index === was.index && a.family === 4);
    if (ipv4.length < 2) return;
    this.scope.relabel.add(was.name);
    this.checkFlush(index, op, l, true);
  }

  /**
   * link.set to another namespace: the kernel takes the link down, detaches
   * it from its master and its ports from it, and drops its addresses and
   * routes. The undo moves it back from there, then restores its settings
   * and its ports; the repair restores its addresses and routes.
   */
  linkMove(index: number, op: Args, l: ModelLink, before: ModelLink,
    ns: WireNamespace): void {
    this.checkFlush(index, op, l, true);
    const there = typeof op['name'] === 'string' ? op['name'] : l.name;
    const ports = this.portsOf(l);
    this.detach(l, ports);
    l.where = 'away';
    l.up = false;
    l.master = null;
    if (op['mtu'] !== undefined) l.mtu = op['mtu'] as number;
    if (op['mac'] !== undefined) l.mac = op['mac'] as string;

    const home = this.here;
    this.steps.push({
      index, at: ns, keys: [l.key], reindexes: [l.key],
      build: () => link.set(there, there === before.name ? { namespace: home }
        : { namespace: home, name: before.name }),
    });
    const back: Args = {};
    if (op['mtu'] !== undefined && before.mtu !== undefined) back['mtu'] = before.mtu;
    if (op['mac'] !== undefined && before.mac) back['mac'] = before.mac;
    if (before.up === true) back['up'] = true;
    const master = before.master ?? undefined;
    if (Object.keys(back).length > 0 || master !== undefined) {
      this.step(index, [l.key], (r) => link.set(r.ref(l.key, before.name),
        this.withMaster(back, master, r)));
    }
    this.reattach(index, l.key, before.name, ports);
  }

  /**
   * link.del: the undo makes the link again, from the model, with its veth
   * peer if that was in this namespace, and puts its ports back. A veth
   * whose peer lived in another namespace cannot come back: the peer was
   * deleted along with it, somewhere the snapshot does not see.
   */
  linkDel(index: number, op: Args): boolean {
    const l = this.find(op['link'] as LinkRef);
    if (l === undefined) return this.unknownLink(index, op, op['link']);
    const peer = this.get(l.peer);
    const ports = this.portsOf(l);
    this.touch(l, peer, this.get(l.master));
    if (l.index === null) {
      this.dead.add(l.key);
      if (peer !== undefined) this.dead.add(peer.key);
    } else if (this.checkRecreate(index, op, l, peer)) {
      this.recreate(index, l, peer, ports);
    }
    this.detach(l, ports);
    l.where = 'gone';
    if (peer !== undefined) peer.where = 'gone';
    return true;
  }

  /** Whether the undo can make `l` again; records why not. */
  checkRecreate(index: number, op: Args, l: ModelLink, peer: ModelLink | undefined): boolean {
    const known = this.problems.length;
    if (l.type === 'veth' && peer === undefined) {
      this.problem(index, op, `${l.name} is a veth whose peer is in another namespace; ` +
        'deleting it deletes the peer there too, and the undo cannot make that again');
    } else if (!RECREATABLE.has(l.type)) {
      this.problem(index, op, `${l.name} is a ${l.type} link; the undo can make again only ` +
        `${[...RECREATABLE].join(', ')} links (the link list lacks the settings of others)`);
    }
    const below = this.snapshot.links.filter((x) => x.parentIndex === l.index &&
      x.type !== 'veth');
    if (below.length > 0) {
      this.problem(index, op, `${below.map((x) => x.name).join(', ')} depend on ${l.name} ` +
        'and would be deleted with it');
    }
    const recreatable = this.problems.length === known;
    this.checkFlush(index, op, l, true);
    if (peer !== undefined) this.checkFlush(index, op, peer, true);
    return recreatable;
  }

  recreate(index: number, l: ModelLink, peer: ModelLink | undefined, ports: ModelLink[]): void {
    const keys = peer === undefined ? [l.key] : [l.key, peer.key];
    const master = l.master ?? undefined;
    const name = l.name;
    if (l.type === 'bridge') {
      const settings = this.bridgeSettings(l, ports);
      this.steps.push({ index, at: null, keys: [l.key], reindexes: keys,
        build: (r) => link.add(this.withMaster({ name, type: 'bridge', ...settings }, master,
          r) as unknown as LinkAddOptions) });
    } else {
      const own = this.settings(l, true);
      const other = peer === undefined ? undefined : { name: peer.name, ...this.settings(peer) };
      this.steps.push({ index, at: null, keys: [l.key], reindexes: keys,
        build: (r) => link.add(this.withMaster({ name, type: l.type, ...own,
          ...(other === undefined ? {} : { peer: other }) }, master, r) as unknown as
          LinkAddOptions) });
    }
    if (peer !== undefined && (peer.up === true || peer.master)) {
      const up = peer.up === true ? { up: true } : {};
      const peerMaster = peer.master ?? undefined;
      this.step(index, [peer.key], (r) => link.set(peer.name,
        this.withMaster(up, peerMaster, r)));
    }
    this.reattach(index, l.key, name, ports);
    if (l.type === 'bridge' && l.up === true) {
      this.step(index, [l.key], () => link.set(name, { up: true }));
    }
  }

  /** MTU, MAC and up flag for link.add, those the model knows. */
  settings(l: ModelLink, withUp = false): Args {
    const out: Args = {};
    if (l.mtu !== undefined) out['mtu'] = l.mtu;
    if (l.mac && !isZeroMac(l.mac)) out['mac'] = l.mac;
    if (withUp && l.up === true) out['up'] = true;
    return out;
  }

  /**
   * A bridge takes the lowest MAC and MTU of its ports unless they were set
   * on it: give them only when that would not land where the snapshot was,
   * so that a bridge that followed its ports keeps following them.
   */
  bridgeSettings(l: ModelLink, ports: ModelLink[]): Args {
    const out: Args = {};
    const macs = ports.map((p) => p.mac);
    const mtus = ports.map((p) => p.mtu);
    const lowestMac = macs.every((m) => typeof m === 'string') && macs.length > 0
      ? (macs as string[]).map((m) => m.toLowerCase()).sort()[0] : undefined;
    if (l.mac && !isZeroMac(l.mac) && l.mac.toLowerCase() !== lowestMac) out['mac'] = l.mac;
    const autoMtu = mtus.length === 0 ? 1500
      : mtus.every((m) => m !== undefined) ? Math.min(...(mtus as number[])) : undefined;
    if (l.mtu !== undefined && l.mtu !== autoMtu) out['mtu'] = l.mtu;
    return out;
  }

  /** Steps that attach `ports` to the link `key` again (named `name` by then). */
  reattach(index: number, key: string, name: string, ports: ModelLink[]): void {
    for (const p of ports) {
      const pname = p.name;
      this.step(index, [p.key, key], (r) => link.set(r.ref(p.key, pname), { master: name }));
    }
  }

  portsOf(l: ModelLink): ModelLink[] {
    return [...this.links.values()].filter((p) => p.master === l.key && p.where === 'here');
  }

  /** The kernel's side effects of a link leaving: ports detached, veth pairing cut. */
  detach(l: ModelLink, ports: ModelLink[]): void {
    for (const p of ports) {
      p.master = null;
      this.touch(p);
    }
    const peer = this.get(l.peer);
    if (peer !== undefined) {
      peer.peer = null;
      peer.peerElsewhere = true;
    }
  }

  // -------------------------------------------------------------------------
  // Addresses and routes: only recorded, and checked for what cannot come back

  address(index: number, op: Args): boolean {
    const l = this.find(op['dev'] as LinkRef);
    this.touch(l);
    const text = String(op['address']);
    const address = text.split('/')[0] ?? text;
    this.scope.addresses.add(addressKey(address));
    if (op['op'] === 'addr.del' && l?.index != null) {
      const had = this.snapshot.addresses.find((a) => a.index === l.index &&
        addressKey(a.address) === addressKey(address));
      if (had !== undefined && had.family === 4 && had.scope !== defaultAddressScope(address)) {
        this.problem(index, op, `${had.address}/${had.prefixLength} on ${l.name} has scope ` +
          `${had.scope}, which addr.add cannot give it back`);
      }
      const users = this.snapshot.routes.filter((r) => r.src !== null &&
        addressKey(r.src) === addressKey(address) && !restorable(r));
      this.routeProblems(index, op, users, `use ${address} as their source`);
    }
    return true;
  }

  route(index: number, op: Args): boolean {
    const dev = op['dev'] === undefined ? undefined : this.find(op['dev'] as LinkRef);
    this.touch(dev);
    const family = routeFamily(op as { to: string });
    const table = tableNumber(op['table']);
    const key = `${family}|${table}|${prefixKey(String(op['to']), family)}`;
    this.scope.routes.add(key);
    if (op['op'] !== 'route.add' && !this.routesAdded.has(key)) {
      const hit = this.snapshot.routes.find((r) => routeKey(r) === key &&
        (op['op'] === 'route.replace' ? r.metric === (op['metric'] ?? defaultMetric(family))
          : matchesDelete(r, op)));
      if (hit !== undefined && !addable(hit)) {
        this.problem(index, op, `the route it changes (${describeRoute(hit)}) cannot be ` +
          `added back: ${ADDABLE}`);
      }
    }
    if (op['op'] !== 'route.del') this.routesAdded.add(key);
    return true;
  }

  /**
   * A link going down, away or gone takes its routes along; those that are
   * neither the kernel's own (they come back with the addresses) nor
   * route.add's kind cannot be added back. Neither can an IPv4 address with
   * a scope addr.add would not give it.
   */
  checkFlush(index: number, op: Args, l: ModelLink, addresses: boolean): void {
    if (l.index === null) return;
    const name = this.snapshot.links.find((x) => x.index === l.index)?.name;
    const lost = this.snapshot.routes.filter((r) => r.dev === name && !restorable(r));
    this.routeProblems(index, op, lost, `go through ${l.name}`);
    if (!addresses) return;
    for (const a of this.snapshot.addresses) {
      if (a.index === l.index && a.family === 4 && a.scope !== defaultAddressScope(a.address)) {
        this.problem(index, op, `${a.address}/${a.prefixLength} on ${l.name} has scope ` +
          `${a.scope}, which addr.add cannot give it back`);
      }
    }
  }

  routeProblems(index: number, op: Args, routes: Route[], why: string): void {
    if (routes.length === 0) return;
    this.problem(index, op, `routes that ${why} would be lost and cannot be added back: ` +
      `${routes.map(describeRoute).join(', ')}; ${ADDABLE}`);
  }

  // -------------------------------------------------------------------------
  // Helpers

  /** A link of the model in this namespace, by name or (for a snapshot link) index. */
  find(ref: LinkRef | undefined): ModelLink | undefined {
    for (const l of this.links.values()) {
      if (l.where !== 'here') continue;
      if (typeof ref === 'number' ? l.index === ref : l.name === ref) return l;
    }
    return undefined;
  }

  get(key: string | null | undefined): ModelLink | undefined {
    return key ? this.links.get(key) : undefined;
  }

  /** Marks links as touched: the repair may act on what the snapshot had for them. */
  touch(...links: (ModelLink | undefined)[]): void {
    for (const l of links) {
      if (l?.index == null) continue;
      const name = this.snapshot.links.find((x) => x.index === l.index)?.name;
      if (name !== undefined) this.scope.links.add(name);
    }
  }

  step(index: number, keys: string[], build: (r: Refs) => WireOp): void {
    this.steps.push({ index, at: null, keys, build });
  }

  /** `settings` with `master` (a key) named as the undo will find it. */
  withMaster(settings: Args, master: string | null | undefined, r: Refs): Args {
    if (master === undefined) return { ...settings };
    if (master === null) return { ...settings, master: null };
    const m = this.links.get(master);
    if (m === undefined || this.dead.has(master)) return { ...settings };
    return { ...settings, master: r.ref(master, m.name) };
  }

  /**
   * An op on a link the model does not have. A name: in check mode the
   * kernel will refuse the op and the batch stop there; after the fact the
   * op did run, on a link that appeared meanwhile. An index the snapshot
   * does not have is a link the batch makes, whose index cannot be known.
   */
  unknownLink(index: number, op: Args, ref: unknown): boolean {
    if (this.mode === 'undo' || typeof ref === 'number') {
      this.problem(index, op, `cannot tell which link ${JSON.stringify(ref)} is: it is not ` +
        'in the namespace before the batch (name a link the batch makes by its name)');
    }
    return false;
  }

  problem(index: number, op: Args, reason: string): void {
    this.problems.push({ index, op: String(op['op']), reason });
  }
}

/**
 * Whether a route comes back after the undo: the kernel's own do by
 * themselves; route.add makes again a unicast route of protocol boot with
 * one next hop (a multipath route lists with neither `via` nor `dev`).
 */
export function restorable(r: Route): boolean {
  return r.protocol === 'kernel' || r.table === 255 || addable(r);
}

/** Whether route.add can make `r` again exactly. */
export function addable(r: Route): boolean {
  return r.protocol === 'boot' && r.type === 'unicast' && (r.via !== null || r.dev !== null);
}

export const ADDABLE = 'route.add makes only unicast routes of protocol boot with one next hop';

export function describeRoute(r: Route): string {
  const hops = r.via === null && r.dev === null && r.type === 'unicast' ? ', multipath' : '';
  return `${r.to} table ${r.table}, protocol ${r.protocol}, type ${r.type}${hops}`;
}

/** 'family|table|prefix': how a route is found by the key its ops name. */
export function routeKey(r: Route): string {
  return `${r.family}|${r.table}|${prefixKey(r.to, r.family)}`;
}

export function tableNumber(table: unknown): number {
  if (table === 'local') return 255;
  return typeof table === 'number' ? table : 254;
}

function defaultMetric(family: 4 | 6): number {
  return family === 6 ? 1024 : 0;
}

/** Whether route.del with these arguments may delete `r`: what it gives must match. */
function matchesDelete(r: Route, op: Args): boolean {
  if (op['via'] !== undefined && addressKey(String(op['via'])) !== addressKey(r.via ?? '')) {
    return false;
  }
  if (typeof op['dev'] === 'string' && op['dev'] !== r.dev) return false;
  if (op['metric'] !== undefined && op['metric'] !== r.metric) return false;
  return true;
}

function isZeroMac(mac: string): boolean {
  return /^(00:){5}00$/.test(mac);
}

// Op builders for links: link.add, link.set, link.del, link.get, link.list.
//
// A link is named by its name or its index. Namespace arguments (a veth
// peer's namespace, the namespace a link moves to) become paths or pids
// here, so the op map is wire-ready.

import { Namespace } from '../namespace.js';
import type { Link, LinkAddOp, LinkRef, LinkSetOp } from '../wire/types.js';
import {
  checkBoolean, checkInteger, checkLink, checkLinkName, checkMac, checkOptions, checkString,
  copyArguments, copyDefined, makeOp, wireNamespace,
  type ListResult, type NamespaceTarget, type Op,
} from './op.js';

export interface VethPeerOptions {
  name: string;
  /** Creates the peer directly in this namespace. */
  namespace?: NamespaceTarget;
  mac?: string;
  mtu?: number;
  /** Queue counts for this end; by default those of the link. */
  txQueues?: number;
  rxQueues?: number;
}

export interface LinkAddOptions {
  name: string;
  /** Any kind the kernel knows; these have options of their own here. */
  type: 'veth' | 'bridge' | 'vxlan' | 'dummy' | 'vlan' | 'macvlan' | (string & {});
  mtu?: number;
  mac?: string;
  up?: boolean;
  /** The bridge (or bond) to attach to. */
  master?: LinkRef;
  /**
   * Transmit and receive queues, fixed at creation (the kernel's default
   * depends on the kind: a veth gets one per possible CPU, of which it uses
   * one). A veth's peer gets the same unless its own are given. One queue
   * makes a veth pair cheaper to create.
   */
  txQueues?: number;
  rxQueues?: number;
  /** veth: the other end. */
  peer?: VethPeerOptions;
  /** vxlan: the VNI; vlan: the VLAN id. */
  id?: number;
  /** vxlan: UDP destination port (default 4789). */
  port?: number;
  /** vxlan: local address. */
  local?: string;
  /** vxlan: unicast remote address. */
  remote?: string;
  /** vxlan: multicast group. */
  group?: string;
  /** vxlan: the underlying link. */
  dev?: LinkRef;
  /** vlan, macvlan: the parent link. */
  link?: LinkRef;
  /** macvlan mode. */
  mode?: 'private' | 'vepa' | 'bridge' | 'passthru' | 'source';
}

export interface LinkSetOptions {
  up?: boolean;
  mtu?: number;
  /** Renames the link (it must be down, as the kernel requires). */
  name?: string;
  mac?: string;
  /** Attaches to a bridge; null detaches. */
  master?: LinkRef | null;
  /** Moves the link to another namespace. */
  namespace?: NamespaceTarget;
}

const MTU_MAX = 0x7fffffff;

/** Creates a link. */
function add(options: LinkAddOptions): Op<void> {
  const op = 'link.add';
  const out = copyArguments(op, checkOptions(op, 'options', options));
  checkLinkName(op, 'name', out['name']);
  checkString(op, 'type', out['type']);
  checkCommon(op, out);
  checkQueues(op, '', out);
  if (out['peer'] !== undefined) out['peer'] = peerArguments(op, out['peer']);
  if (out['link'] !== undefined) checkLink(op, 'link', out['link']);
  if (out['dev'] !== undefined) checkLink(op, 'dev', out['dev']);
  if (out['id'] !== undefined) checkInteger(op, 'id', out['id'], 0, 0xffffff);
  if (out['port'] !== undefined) checkInteger(op, 'port', out['port'], 0, 65535);
  return makeOp(out as unknown as LinkAddOp);
}

/** Changes a link: state, MTU, name, MAC, bridge, namespace. */
function set(link: LinkRef, options: LinkSetOptions): Op<void> {
  const op = 'link.set';
  const out = copyArguments(op, checkOptions(op, 'options', options));
  out['link'] = checkLink(op, 'link', link);
  checkCommon(op, out);
  if (out['name'] !== undefined) checkLinkName(op, 'name', out['name']);
  if (out['namespace'] !== undefined) namespaceArguments(op, 'namespace', out);
  return makeOp(out as unknown as LinkSetOp);
}

/** Deletes a link (a veth takes its peer with it). */
function del(link: LinkRef): Op<void> {
  return makeOp({ op: 'link.del', link: checkLink('link.del', 'link', link) });
}

/** Answers one link. */
function get(link: LinkRef): Op<Link> {
  return makeOp({ op: 'link.get', link: checkLink('link.get', 'link', link) });
}

/** Answers every link of the namespace. */
function list(): Op<ListResult<Link>> {
  return makeOp({ op: 'link.list' });
}

export const link = { add, set, del, get, list };

/** The checks link.add and link.set share. */
function checkCommon(op: string, out: Record<string, unknown>): void {
  if (out['mtu'] !== undefined) checkInteger(op, 'mtu', out['mtu'], 0, MTU_MAX);
  if (out['mac'] !== undefined) checkMac(op, 'mac', out['mac']);
  if (out['up'] !== undefined) checkBoolean(op, 'up', out['up']);
  if (out['master'] !== undefined && out['master'] !== null) {
    checkLink(op, 'master', out['master']);
  }
}

function checkQueues(op: string, prefix: string, out: Record<string, unknown>): void {
  for (const key of ['txQueues', 'rxQueues']) {
    if (out[key] !== undefined) checkInteger(op, prefix + key, out[key], 1, 0xffffffff);
  }
}

function peerArguments(op: string, peer: unknown): Record<string, unknown> {
  const out = copyDefined({}, checkOptions(op, 'peer', peer));
  checkLinkName(op, 'peer.name', out['name']);
  checkQueues(op, 'peer.', out);
  if (out['mtu'] !== undefined) checkInteger(op, 'peer.mtu', out['mtu'], 0, MTU_MAX);
  if (out['mac'] !== undefined) checkMac(op, 'peer.mac', out['mac']);
  if (out['namespace'] !== undefined) namespaceArguments(op, 'peer.namespace', out);
  return out;
}

/**
 * Puts a namespace argument in wire form. A Namespace handle also sends its
 * id, so that the helper refuses a name that was deleted and made again
 * since the handle was taken (ERR_NSDO_NAMESPACE_MISMATCH).
 */
function namespaceArguments(op: string, argument: string, out: Record<string, unknown>): void {
  const target = out['namespace'];
  out['namespace'] = wireNamespace(op, argument, target);
  if (target instanceof Namespace) out['namespaceId'] = target.id;
}

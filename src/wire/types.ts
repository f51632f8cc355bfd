// The wire types of the helper protocol, version 1 (helper/PROTOCOL.md),
// declared once and shared by the encoder, the decoder, the op builders and
// the tests. They mirror the protocol page key for key: when one changes,
// the other must change with it.
//
// A namespace is named on the wire by a path (string) or a pid (integer),
// and identified in replies by its id, the string "DEV:INO" of its nsfs inode.

/** The protocol version this library speaks. */
export const PROTOCOL_VERSION = 1;

/** Both sides refuse a frame longer than this (the length prefix excluded). */
export const MAX_FRAME = 4 * 1024 * 1024;

/** The most ops one request may carry. */
export const MAX_OPS = 65536;

/** A namespace as a request or an op argument names it: a path or a pid. */
export type WireNamespace = string | number;

/** A link as an op argument names it: its name or its index. */
export type LinkRef = string | number;

/** The helper's first frame. */
export interface Hello {
  hello: 'nsdo';
  protocol: number;
  version: string;
  build: string;
  pid: number;
  maxFrame: number;
  /** The id of the namespace the helper started in, its home. */
  namespace: string;
}

export interface WireRequest {
  id: number;
  namespace?: WireNamespace;
  ops: readonly WireOp[];
  continue?: boolean;
  /** The namespace id the driver expects; the helper runs nothing elsewhere. */
  expect?: string;
}

export interface WireError {
  code: string;
  /** Positive errno; 0 for the helper's own errors. */
  errno: number;
  index: number | null;
  op: string | null;
  message: string;
  extack?: string | null;
}

export interface WireReply {
  /** 0 for a reply to a frame the helper could not read at all. */
  id: number;
  /** The id of the namespace the ops ran in; null when it was never reached. */
  namespace: string | null;
  /** One entry per op that ran; with `continue`, one per op. */
  results: unknown[];
  error?: WireError;
  /** With `continue`: how many ops failed. */
  failed?: number;
}

/** A failed op's slot in the results of a `continue` request. */
export interface WireFailedSlot {
  error: WireError;
}

/** What a list op answers. */
export interface WireList<T> {
  items: T[];
  /** The last try of the dump was still interrupted: items may be inconsistent. */
  interrupted: boolean;
}

// Results

export interface Link {
  index: number;
  name: string;
  /** The kind it was created with ('veth', 'bridge', ...), or 'loopback', 'ether', 'none'. */
  type: string;
  mtu: number;
  up: boolean;
  carrier: boolean;
  operstate: string;
  mac: string | null;
  master: string | null;
  masterIndex: number | null;
  /** IFLA_LINK: for a veth, the peer's index in the peer's namespace. */
  parentIndex: number | null;
}

export interface Address {
  dev: string;
  index: number;
  address: string;
  prefixLength: number;
  family: 4 | 6;
  scope: string;
}

export interface Route {
  /** 'default' or 'a.b.c.d/len'. */
  to: string;
  via: string | null;
  dev: string | null;
  table: number;
  metric: number;
  family: 4 | 6;
  scope: string;
  protocol: string;
  type: string;
  src: string | null;
}

/** What the namespace management ops answer. */
export interface WireNamespaceInfo {
  path: string;
  id: string;
}

// Ops: the maps sent in a request's `ops` array.

export interface LinkAddOp {
  op: 'link.add';
  name: string;
  type: string;
  mtu?: number;
  mac?: string;
  up?: boolean;
  master?: LinkRef;
  txQueues?: number;
  rxQueues?: number;
  peer?: {
    name: string; namespace?: WireNamespace; mac?: string; mtu?: number;
    txQueues?: number; rxQueues?: number;
    /** The id ('DEV:INO') `namespace` must have. */
    namespaceId?: string;
  };
  id?: number;
  link?: LinkRef;
  mode?: string;
  port?: number;
  local?: string;
  remote?: string;
  group?: string;
  dev?: LinkRef;
}

export interface LinkSetOp {
  op: 'link.set';
  link: LinkRef;
  up?: boolean;
  mtu?: number;
  name?: string;
  mac?: string;
  master?: LinkRef | null;
  namespace?: WireNamespace;
  /** The id ('DEV:INO') `namespace` must have. */
  namespaceId?: string;
}

export interface LinkDelOp { op: 'link.del'; link: LinkRef }
export interface LinkGetOp { op: 'link.get'; link: LinkRef }
export interface LinkListOp { op: 'link.list' }

export interface AddrAddOp { op: 'addr.add'; dev: LinkRef; address: string }
export interface AddrDelOp { op: 'addr.del'; dev: LinkRef; address: string }
export interface AddrListOp { op: 'addr.list'; dev?: LinkRef }

export interface RouteArgs {
  to: string;
  via?: string;
  dev?: LinkRef;
  metric?: number;
  table?: number | string;
  scope?: string | number;
  src?: string;
  family?: 4 | 6;
}

export interface RouteAddOp extends RouteArgs { op: 'route.add' }
export interface RouteReplaceOp extends RouteArgs { op: 'route.replace' }
export interface RouteDelOp extends RouteArgs { op: 'route.del' }
export interface RouteListOp { op: 'route.list'; table?: number | string; family?: 4 | 6 }

export interface NamespaceCreateOp { op: 'namespace.create'; name: string; dir?: string }
export interface NamespaceDeleteOp {
  op: 'namespace.delete';
  path: string;
  /** The id ('DEV:INO') the namespace mounted on `path` must have. */
  expect?: string;
}
export type NamespaceIdentifyOp =
  | { op: 'namespace.identify'; path: string }
  | { op: 'namespace.identify'; pid: number };
export interface NamespaceTemporaryOp { op: 'namespace.temporary' }
export interface NamespaceReleaseOp { op: 'namespace.release'; path: string }

export type WireOp =
  | LinkAddOp | LinkSetOp | LinkDelOp | LinkGetOp | LinkListOp
  | AddrAddOp | AddrDelOp | AddrListOp
  | RouteAddOp | RouteReplaceOp | RouteDelOp | RouteListOp
  | NamespaceCreateOp | NamespaceDeleteOp | NamespaceIdentifyOp
  | NamespaceTemporaryOp | NamespaceReleaseOp;

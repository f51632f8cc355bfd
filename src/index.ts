// nsdo: configure Linux network namespaces from Node.js. Node never changes
// namespace itself; a small static helper process enters them and runs the
// ops over rtnetlink. This module is the public surface and nothing else.

export { withNamespace } from './with-namespace.js';
export type {
  NamespaceScope, Results, SettledResults, WithNamespaceOptions,
} from './with-namespace.js';
export { Namespace } from './namespace.js';
export type {
  NamespaceCreateOptions, NamespaceListOptions, NamespaceOpenOptions, NamespaceOptions,
} from './namespace.js';
export { link } from './ops/link.js';
export type { LinkAddOptions, LinkSetOptions, VethPeerOptions } from './ops/link.js';
export { addr } from './ops/addr.js';
export { route } from './ops/route.js';
export type { RouteListOptions, RouteOptions } from './ops/route.js';
export type { ListResult, NamespaceTarget, Op, ResultOf } from './ops/op.js';
export { NsdoError } from './errors.js';
export { getHelper, Helper } from './helper/helper.js';
export type {
  HelperEvents, HelperExitInfo, HelperOptions, RequestOptions,
} from './helper/helper.js';
export type {
  Address, Hello, Link, LinkRef, Route, WireError, WireNamespace, WireOp, WireReply,
} from './wire/types.js';

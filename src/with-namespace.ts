// withNamespace(): run ops inside a network namespace, through the helper.
//
// A batch is one request and one round trip; its ops run in order and the
// first failure stops it, unless `continue` is set. The callback form gives
// a NamespaceScope whose every call is one round trip, for logic between
// steps.
//
// Every reply names the namespace the ops actually ran in, and it must be
// the one asked for: a handle's id is known, a path's or a pid's is read by
// stat() just before the request. Anything else is ERR_NSDO_NAMESPACE_MISMATCH,
// never a silent success. A namespace deleted and created again under the
// same name between those two moments is the case this catches.
//
// An aborted signal rejects the promise at once, but the helper may still
// run the batch: a request that has been written cannot be taken back.
//
// With `atomic: true` a batch that fails is undone (src/atomic/): the
// namespace is read before, and brought back to that state after.

import { checkAtomicOptions, runAtomic } from './atomic/atomic.js';
import { badArgument, errorFromWire, NsdoError } from './errors.js';
import { getHelper, submitRequest, type Helper } from './helper/helper.js';
import {
  absolutePath, DEFAULT_RUN_DIR, makeNamespace, mismatchError, Namespace, namespaceIdAt,
  namespacePath,
} from './namespace.js';
import { addr } from './ops/addr.js';
import { link, type LinkAddOptions, type LinkSetOptions } from './ops/link.js';
import type { ListResult, NamespaceTarget, Op, ResultOf } from './ops/op.js';
import { route, type RouteListOptions, type RouteOptions } from './ops/route.js';
import {
  MAX_OPS, type Address, type Link, type LinkRef, type Route, type WireError, type WireReply,
} from './wire/types.js';

// What an atomic batch's error says about its undo. Declared here, with the
// option that makes it, so that the public declarations carry it.
declare module './errors.js' {
  interface NsdoError {
    /**
     * Atomic batches: true when the ops that ran were undone and the
     * namespace lists the same links, addresses and routes as before.
     */
    undone?: boolean;
    /** Atomic batches, when `undone` is false: what failed and what still differs. */
    undoErrors?: NsdoError[];
  }
}

export interface WithNamespaceOptions {
  /** Rejects with ERR_NSDO_ABORTED; the helper may still run the batch. */
  signal?: AbortSignal;
  /** A failing op does not stop the batch; its result is the NsdoError. Batches only. */
  continue?: boolean;
  /**
   * Undo the ops that ran when one fails, so that the namespace's links,
   * addresses and routes are as before; the error then says whether that
   * worked (`undone`, `undoErrors`). Batches only; not with `continue`.
   */
  atomic?: boolean;
  /** Default: getHelper(). */
  helper?: Helper;
}

/** One result per op, typed from the ops. */
export type Results<Ops extends readonly Op<any>[]> =
  { -readonly [K in keyof Ops]: ResultOf<Ops[K]> };

/** With `continue: true`: a failed op's slot holds its NsdoError. */
export type SettledResults<Ops extends readonly Op<any>[]> =
  { -readonly [K in keyof Ops]: ResultOf<Ops[K]> | NsdoError };

/** What the callback form works with: every call is one round trip. */
export interface NamespaceScope {
  readonly namespace: Namespace;
  run<const Ops extends readonly Op<any>[]>(ops: Ops): Promise<Results<Ops>>;
  readonly link: {
    add(options: LinkAddOptions): Promise<void>;
    set(link: LinkRef, options: LinkSetOptions): Promise<void>;
    del(link: LinkRef): Promise<void>;
    get(link: LinkRef): Promise<Link>;
    list(): Promise<ListResult<Link>>;
  };
  readonly addr: {
    add(dev: LinkRef, cidr: string): Promise<void>;
    del(dev: LinkRef, cidr: string): Promise<void>;
    list(dev?: LinkRef): Promise<ListResult<Address>>;
  };
  readonly route: {
    add(r: RouteOptions): Promise<void>;
    replace(r: RouteOptions): Promise<void>;
    del(r: RouteOptions): Promise<void>;
    list(options?: RouteListOptions): Promise<ListResult<Route>>;
  };
}

/** A namespace as a request names it, and the id its replies must carry. */
interface Target {
  readonly path: string;
  readonly id: string;
}

export function withNamespace<const Ops extends readonly Op<any>[]>(target: NamespaceTarget,
  ops: Ops, options: WithNamespaceOptions & { continue: true }): Promise<SettledResults<Ops>>;
export function withNamespace<const Ops extends readonly Op<any>[]>(target: NamespaceTarget,
  ops: Ops, options?: WithNamespaceOptions): Promise<Results<Ops>>;
export function withNamespace<T>(target: NamespaceTarget,
  fn: (ns: NamespaceScope) => Promise<T>, options?: WithNamespaceOptions): Promise<T>;
export function withNamespace(target: NamespaceTarget,
  work: readonly Op<unknown>[] | ((ns: NamespaceScope) => Promise<unknown>),
  options?: WithNamespaceOptions): Promise<unknown> {
  let resolved: Target;
  const atomic = options?.atomic === true;
  try {
    resolved = resolveTarget(target);
    if (typeof work === 'function') {
      if (atomic) {
        throw badArgument('withNamespace', 'options.atomic',
          'left out for the callback form (an atomic batch is an array of ops)', true);
      }
      return runScope(target, resolved, work, options);
    }
    checkOps(work);
    if (atomic) checkAtomicOptions(options);
  } catch (error) {
    return Promise.reject(error);
  }
  if (work.length === 0) return Promise.resolve([]);
  const helper = options?.helper ?? getHelper();
  if (atomic) {
    return runAtomic({
      helper, target: resolved, ops: work, signal: options?.signal,
      run: () => submitRequest(helper, resolved.path, work, false, undefined, settleBatch,
        resolved, resolved.id),
    });
  }
  return submitRequest(helper, resolved.path, work, options?.continue === true,
    options?.signal, settleBatch, resolved, resolved.id);
}

/** The path to send and the id to expect; a handle is its own target, no stat needed. */
function resolveTarget(target: NamespaceTarget): Target {
  if (target instanceof Namespace) {
    namespacePath(target, 'withNamespace');
    return target;
  }
  if (typeof target === 'string' && target !== '') {
    const path = absolutePath(target);
    return { path, id: namespaceIdAt(path) };
  }
  if (typeof target === 'number' && Number.isInteger(target) && target > 0) {
    const path = `/proc/${target}/ns/net`;
    return { path, id: namespaceIdAt(path) };
  }
  throw badArgument('withNamespace', 'target', 'a Namespace, a path or a pid', target);
}

function checkOps(ops: unknown): void {
  if (!Array.isArray(ops)) {
    throw badArgument('withNamespace', 'ops', 'an array of ops or a function', ops);
  }
  if (ops.length > MAX_OPS) {
    throw badArgument('withNamespace', 'ops', `at most ${MAX_OPS} ops`,
      `an array of ${ops.length}`);
  }
}

/**
 * Checks the reply's namespace, maps the results in place and throws the
 * batch's error, if any.
 */
function settleBatch(reply: WireReply, target: Target): unknown[] {
  const results = mapResults(reply.results, target.path);
  const error = reply.error ?? undefined;
  if (reply.namespace !== target.id) {
    if ((reply.namespace ?? null) === null && error !== undefined) {
      throw errorFromWire(error, target.path, results);
    }
    const mismatch = mismatchError('withNamespace', target.path, target.id,
      reply.namespace ?? null);
    mismatch.results = results;
    throw mismatch;
  }
  if (error !== undefined) throw errorFromWire(error, target.path, results);
  return results;
}

/**
 * Wire results into library results: nil into undefined, a list into an
 * array with `interrupted`, a failed slot (with `continue`) into an NsdoError.
 */
function mapResults(results: unknown[], path: string): unknown[] {
  for (let i = 0; i < results.length; i++) {
    const result = results[i] as Record<string, unknown> | null;
    if (result === null) {
      results[i] = undefined;
    } else if (typeof result === 'object') {
      const items = result['items'];
      if (Array.isArray(items)) {
        (items as unknown[] & { interrupted: boolean }).interrupted =
          result['interrupted'] === true;
        results[i] = items;
      } else if (isWireError(result['error'])) {
        const error = errorFromWire(result['error'], path, []);
        error.index ??= i;
        results[i] = error;
      }
    }
  }
  return results;
}

function isWireError(value: unknown): value is WireError {
  return typeof value === 'object' && value !== null &&
    typeof (value as WireError).code === 'string';
}

function runScope(original: NamespaceTarget, target: Target,
  fn: (ns: NamespaceScope) => Promise<unknown>, options?: WithNamespaceOptions): Promise<unknown> {
  const namespace = original instanceof Namespace ? original
    : makeNamespace(target.path, target.id, runDirName(target.path));
  const scope = new Scope(namespace, target, options?.helper ?? getHelper(), options?.signal);
  return Promise.resolve(fn(scope));
}

function runDirName(path: string): string | undefined {
  const prefix = `${DEFAULT_RUN_DIR}/`;
  const name = path.startsWith(prefix) ? path.slice(prefix.length) : '';
  return name !== '' && !name.includes('/') ? name : undefined;
}

class Scope implements NamespaceScope {
  readonly namespace: Namespace;
  readonly link: NamespaceScope['link'];
  readonly addr: NamespaceScope['addr'];
  readonly route: NamespaceScope['route'];
  readonly #target: Target;
  readonly #helper: Helper;
  readonly #signal: AbortSignal | undefined;

  constructor(namespace: Namespace, target: Target, helper: Helper,
    signal: AbortSignal | undefined) {
    this.namespace = namespace;
    this.#target = target;
    this.#helper = helper;
    this.#signal = signal;
    this.link = {
      add: (o) => this.#one(() => link.add(o)),
      set: (l, o) => this.#one(() => link.set(l, o)),
      del: (l) => this.#one(() => link.del(l)),
      get: (l) => this.#one(() => link.get(l)),
      list: () => this.#one(() => link.list()),
    };
    this.addr = {
      add: (dev, cidr) => this.#one(() => addr.add(dev, cidr)),
      del: (dev, cidr) => this.#one(() => addr.del(dev, cidr)),
      list: (dev) => this.#one(() => addr.list(dev)),
    };
    this.route = {
      add: (r) => this.#one(() => route.add(r)),
      replace: (r) => this.#one(() => route.replace(r)),
      del: (r) => this.#one(() => route.del(r)),
      list: (o) => this.#one(() => route.list(o)),
    };
  }

  run<const Ops extends readonly Op<any>[]>(ops: Ops): Promise<Results<Ops>> {
    try {
      namespacePath(this.namespace, 'withNamespace');
      checkOps(ops);
    } catch (error) {
      return Promise.reject(error);
    }
    if (ops.length === 0) return Promise.resolve([] as Results<Ops>);
    return submitRequest(this.#helper, this.#target.path, ops, false, this.#signal,
      settleBatch, this.#target, this.#target.id) as Promise<Results<Ops>>;
  }

  #one<R>(build: () => Op<R>): Promise<R> {
    let op: Op<R>;
    try {
      namespacePath(this.namespace, 'withNamespace');
      op = build();
    } catch (error) {
      return Promise.reject(error);
    }
    return submitRequest(this.#helper, this.#target.path, [op], false, this.#signal,
      settleFirst, this.#target, this.#target.id) as Promise<R>;
  }
}

function settleFirst(reply: WireReply, target: Target): unknown {
  return settleBatch(reply, target)[0];
}

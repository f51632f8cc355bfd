// Helper: the public face of the helper process.
//
// A Helper starts its process lazily, on the first request, and starts a
// new one on the first request after the old one went away (it exited, was
// killed, broke the protocol, or was closed). An idle helper never keeps
// Node alive. getHelper() returns the instance everything uses by default.
//
// request() is the low-level door: it resolves with the helper's raw reply,
// error included, and rejects only when the request never got a reply
// (the helper exited, a frame was too large, the signal aborted).

import { TypedEmitter } from 'tiny-typed-emitter';

import type { NsdoError } from '../errors.js';
import type { Hello, WireNamespace, WireOp, WireReply } from '../wire/types.js';
import { checkHelper, locateHelper, type HelperLocation } from './locate.js';
import { HelperProcess, type HelperExitInfo, type ProcessHooks, type Settle } from './process.js';

export type { HelperExitInfo };

export interface HelperOptions {
  /** The helper executable; default: env NSDO_HELPER, then the package's own build. */
  path?: string;
  /** How long close() waits for the helper to exit before it sends SIGKILL (ms, default 2000). */
  closeTimeout?: number;
}

export interface HelperEvents {
  /** A helper process was started. */
  spawn: (pid: number) => void;
  /** A helper process went away. */
  exit: (info: HelperExitInfo) => void;
  /** One line the helper wrote to stderr. */
  log: (line: string) => void;
  /**
   * The helper answered something no request asked for: a reply with id 0
   * (a frame it could not read) or an unknown id, or it broke the protocol
   * (then it has been killed). Named so that it never throws as 'error' would.
   */
  protocolError: (error: NsdoError) => void;
}

export interface RequestOptions {
  /** A failing op does not stop the batch. */
  continue?: boolean;
  /** Rejects with ERR_NSDO_ABORTED; the helper may still run the request. */
  signal?: AbortSignal;
}

/** For the library's own modules: a request whose reply is settled without a promise layer. */
export let submitRequest: <C, T>(helper: Helper, namespace: WireNamespace | undefined,
  ops: readonly WireOp[], cont: boolean, signal: AbortSignal | undefined,
  settle: Settle<C, T>, context: C, expect?: string) => Promise<T>;

const rawReply = (reply: WireReply): WireReply => reply;

export class Helper extends TypedEmitter<HelperEvents> {
  /** The helper executable this instance starts. */
  readonly path: string;
  readonly #location: HelperLocation;
  readonly #closeTimeout: number;
  readonly #hooks: ProcessHooks;
  #process: HelperProcess | null = null;
  #closing: Promise<void> | null = null;

  static {
    submitRequest = (helper, namespace, ops, cont, signal, settle, context, expect) =>
      helper.#submit(namespace, ops, cont, signal, settle, context, expect);
  }

  constructor(options: HelperOptions = {}) {
    super();
    this.#location = locateHelper(options.path);
    this.path = this.#location.path;
    this.#closeTimeout = options.closeTimeout ?? 2000;
    this.#hooks = {
      spawn: (pid) => this.emit('spawn', pid),
      exit: (info) => this.emit('exit', info),
      log: (line) => this.emit('log', line),
      protocolError: (error) => this.emit('protocolError', error),
      gone: (process) => {
        if (this.#process === process) this.#process = null;
      },
    };
  }

  /** The running helper's pid; undefined until it is spawned and after it went away. */
  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** The running helper's hello (version, build, home namespace); undefined before it came. */
  get hello(): Hello | undefined {
    return this.#process?.hello;
  }

  /**
   * Sends one request and resolves with the helper's raw reply.
   *
   * @param namespace a path or a pid; undefined: the helper's home namespace
   * @param ops ops in wire form (the op builders make them)
   */
  request(namespace: WireNamespace | undefined, ops: readonly WireOp[],
    options: RequestOptions = {}): Promise<WireReply> {
    return this.#submit(namespace, ops, options.continue === true, options.signal,
      rawReply, undefined);
  }

  /** Lets the helper answer what it has, waits for it to exit; SIGKILL after closeTimeout. */
  close(): Promise<void> {
    const process = this.#process;
    if (process !== null) {
      this.#process = null;
      this.#closing = process.close(this.#closeTimeout);
    }
    return this.#closing ?? Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #submit<C, T>(namespace: WireNamespace | undefined, ops: readonly WireOp[], cont: boolean,
    signal: AbortSignal | undefined, settle: Settle<C, T>, context: C,
    expect?: string): Promise<T> {
    let process = this.#process;
    if (process === null) {
      try {
        checkHelper(this.#location);
        process = new HelperProcess(this.path, this.#hooks);
      } catch (error) {
        return Promise.reject(error);
      }
      this.#process = process;
    }
    return process.submit(namespace, ops, cont, signal, settle, context, expect);
  }
}

let shared: Helper | undefined;

/** The helper everything uses unless an option names another. */
export function getHelper(): Helper {
  return shared ??= new Helper();
}

// One running helper: the child process, its frames, its pending requests.
//
// The rules it keeps:
// - Nothing is written before the helper's hello has been read and its
//   protocol accepted; requests made earlier wait in a queue.
// - Every request sent stays in `pending` until its reply has come, even
//   when its caller gave up (an aborted signal): the helper still runs it,
//   and its reply must still be read and matched.
// - The child and its pipes are unref'd while nothing is pending, so an idle
//   helper never keeps Node alive, and ref'd while anything is.
// - A request without a namespace runs in the helper's home; its reply
//   must name the home the hello named, or the request fails with
//   ERR_NSDO_NAMESPACE_MISMATCH (a helper that came back home wrong).
// - When the helper goes away, every pending request is rejected with
//   ERR_NSDO_HELPER_EXITED carrying the exit code, the signal and the tail of
//   its stderr. A helper that breaks the protocol is killed first.
// Rejecting on 'close' rather than 'exit' lets replies already in the pipe
// settle their requests and lets the stderr tail be complete.
//
// Frames written in the same turn of the event loop (a Promise.all over
// several batches, the queue flushed after the hello) leave in one writev():
// the first write of a turn corks stdin and a nextTick uncorks it. One
// request alone is still one write, made before control returns to the loop.

import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

import { NsdoError } from '../errors.js';
import { FrameDecoder, FrameEncoder } from '../wire/frame.js';
import {
  MAX_FRAME, PROTOCOL_VERSION, type Hello, type WireNamespace, type WireOp, type WireReply, type WireRequest,
} from '../wire/types.js';

/** How much of the helper's stderr is kept for error messages. */
const STDERR_TAIL = 8192;

/** Turns a reply into what the caller's promise resolves with, or throws. */
export type Settle<C, T> = (reply: WireReply, context: C) => T;

export interface HelperExitInfo {
  pid: number | undefined;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The tail of the helper's stderr. */
  stderr: string;
}

/** How a process reports to the Helper that owns it. */
export interface ProcessHooks {
  spawn(pid: number): void;
  exit(info: HelperExitInfo): void;
  log(line: string): void;
  protocolError(error: NsdoError): void;
  /** The process takes no more requests. */
  gone(process: HelperProcess): void;
}

export class HelperProcess {
  readonly path: string;
  readonly pid: number | undefined;
  hello: Hello | undefined;
  /** False once the process takes no more requests. */
  usable = true;

  readonly #hooks: ProcessHooks;
  readonly #child: ChildProcess;
  readonly #stdin: Socket;
  readonly #stdout: Socket;
  readonly #stderr: Socket;
  #encoder = new FrameEncoder();
  readonly #decoder: FrameDecoder;
  readonly #pending = new Map<number, Pending<any, any>>();
  #queue: Buffer[] | null = [];
  #corked = false;
  #nextId = 1;
  #closing = false;
  #broken = false;
  #spawnError: Error | undefined;
  #stderrTail = '';
  #stderrLine = '';
  readonly #closed: Promise<void>;
  #markClosed!: () => void;

  constructor(path: string, hooks: ProcessHooks) {
    this.path = path;
    this.#hooks = hooks;
    this.#decoder = new FrameDecoder((value) => this.#onFrame(value));
    this.#closed = new Promise((resolve) => { this.#markClosed = resolve; });
    this.#child = spawn(path, [], { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
    this.pid = this.#child.pid;
    this.#stdin = this.#child.stdin as Socket;
    this.#stdout = this.#child.stdout as Socket;
    this.#stderr = this.#child.stderr as Socket;
    this.#listen();
    this.#unref();
  }

  /**
   * Sends one request; the promise settles with `settle(reply, context)`.
   *
   * @param namespace the request's target, or undefined for the helper's home
   * @param ops the ops, already in wire form
   * @param cont whether a failing op lets the batch go on
   * @param signal rejects the promise with ERR_NSDO_ABORTED when aborted
   * @param expect the id the namespace must have: the helper refuses to run
   *   the ops anywhere else (a path deleted and created again meanwhile)
   */
  submit<C, T>(namespace: WireNamespace | undefined, ops: readonly WireOp[], cont: boolean,
    signal: AbortSignal | undefined, settle: Settle<C, T>, context: C,
    expect?: string): Promise<T> {
    if (signal !== undefined && signal.aborted) return Promise.reject(abortedError(signal));
    const id = this.#nextId;
    this.#nextId = id >= 0xffffffff ? 1 : id + 1;
    let frame: Buffer;
    try {
      const request: WireRequest = { id, ops };
      if (namespace !== undefined) request.namespace = namespace;
      if (expect !== undefined) request.expect = expect;
      if (cont) request.continue = true;
      frame = this.#encoder.encode(request);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<T>((resolve, reject) => {
      const pending = new Pending(resolve, reject, settle, context, signal,
        namespace === undefined);
      if (signal !== undefined) signal.addEventListener('abort', pending);
      if (this.#pending.size === 0) this.#ref();
      this.#pending.set(id, pending);
      if (this.#queue === null) this.#write(frame);
      else this.#queue.push(frame);
    });
  }

  /** Ends stdin (the helper answers what it has, then exits), waits; SIGKILL after timeoutMs. */
  close(timeoutMs: number): Promise<void> {
    this.#retire();
    if (!this.#closing) {
      this.#closing = true;
      if (this.#queue === null) this.#stdin.end();
      this.#ref();
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs);
      void this.#closed.then(() => clearTimeout(timer));
    }
    return this.#closed;
  }

  /** Writes a frame; the frames of one turn of the event loop go out together. */
  #write(frame: Buffer): void {
    if (!this.#corked) {
      this.#corked = true;
      this.#stdin.cork();
      process.nextTick(this.#uncork);
    }
    this.#stdin.write(frame);
  }

  readonly #uncork = (): void => {
    this.#corked = false;
    this.#stdin.uncork();
  };

  #listen(): void {
    this.#child.on('spawn', () => this.#hooks.spawn(this.pid as number));
    this.#child.on('error', (error) => this.#onChildError(error));
    this.#child.on('close', (code, signal) => this.#onClose(code, signal));
    this.#stdin.on('error', () => { /* EPIPE and the like: 'close' reports the exit */ });
    this.#stdout.on('error', () => { /* as above */ });
    this.#stderr.on('error', () => { /* as above */ });
    this.#stdout.on('data', (chunk: Buffer) => {
      if (this.#broken) return;
      try {
        this.#decoder.push(chunk);
      } catch (error) {
        this.#breakDown(error as NsdoError);
      }
    });
    this.#stderr.setEncoding('utf8');
    this.#stderr.on('data', (text: string) => this.#onStderr(text));
  }

  #onFrame(value: unknown): void {
    if (this.#queue !== null) {
      this.#onHello(value);
      return;
    }
    const reply = value as WireReply;
    if (typeof reply !== 'object' || reply === null || typeof reply.id !== 'number') {
      throw new NsdoError('protocol error: a reply that is not a map with a numeric `id`',
        { code: 'ERR_NSDO_PROTOCOL' });
    }
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) {
      this.#onStrayReply(reply);
      return;
    }
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#unref();
    const home = (this.hello as Hello).namespace;
    if (pending.home && reply.namespace !== home &&
      !((reply.namespace ?? null) === null && reply.error)) {
      pending.fail(new NsdoError(`the helper's reply to a request for its home namespace ` +
        `${home} names ${reply.namespace ?? 'no namespace'}`, {
        code: 'ERR_NSDO_NAMESPACE_MISMATCH', namespace: home,
      }));
      return;
    }
    pending.answer(reply);
  }

  #onHello(value: unknown): void {
    const hello = value as Partial<Hello> | null;
    if (typeof hello !== 'object' || hello === null || hello.hello !== 'nsdo') {
      throw new NsdoError(`protocol error: ${this.path} did not start with an nsdo hello`,
        { code: 'ERR_NSDO_PROTOCOL' });
    }
    if (hello.protocol !== PROTOCOL_VERSION) {
      throw new NsdoError(`protocol error: ${this.path} (version ${hello.version}) speaks ` +
        `protocol ${hello.protocol}; this library speaks protocol ${PROTOCOL_VERSION}`,
      { code: 'ERR_NSDO_PROTOCOL' });
    }
    this.hello = hello as Hello;
    if (typeof hello.maxFrame === 'number' && hello.maxFrame < MAX_FRAME) {
      this.#encoder = new FrameEncoder(hello.maxFrame);
    }
    const queue = this.#queue as Buffer[];
    this.#queue = null;
    for (const frame of queue) this.#write(frame);
    if (this.#closing) this.#stdin.end();
  }

  /**
   * A reply with id 0 answers a frame the helper could not read at all.
   * The helper answers in order, so that frame was the oldest request still
   * unanswered: it fails with the helper's error instead of waiting forever.
   */
  #onStrayReply(reply: WireReply): void {
    const error = new NsdoError(reply.id === 0
      ? `the helper could not read a request: ${reply.error?.message ?? 'no reason given'}`
      : `protocol error: a reply with id ${reply.id}, which no request has`, {
      code: reply.id === 0 ? (reply.error?.code ?? 'ERR_NSDO_PROTOCOL') : 'ERR_NSDO_PROTOCOL',
    });
    if (reply.id === 0) {
      const oldest = this.#pending.entries().next();
      if (!oldest.done) {
        const [id, pending] = oldest.value;
        this.#pending.delete(id);
        if (this.#pending.size === 0) this.#unref();
        pending.fail(error);
      }
    }
    this.#hooks.protocolError(error);
  }

  #onStderr(text: string): void {
    this.#stderrTail += text;
    if (this.#stderrTail.length > 2 * STDERR_TAIL) {
      this.#stderrTail = this.#stderrTail.slice(-STDERR_TAIL);
    }
    let line = this.#stderrLine + text;
    let newline = line.indexOf('\n');
    while (newline !== -1) {
      this.#hooks.log(line.slice(0, newline));
      line = line.slice(newline + 1);
      newline = line.indexOf('\n');
    }
    if (line.length > STDERR_TAIL) {
      this.#hooks.log(line);
      line = '';
    }
    this.#stderrLine = line;
  }

  /** The helper broke the protocol: it is killed and everything pending fails with `error`. */
  #breakDown(error: NsdoError): void {
    this.#broken = true;
    this.#retire();
    this.#failAll(error);
    this.#hooks.protocolError(error);
    this.#child.kill('SIGKILL');
  }

  #onChildError(error: Error): void {
    // Spawning failed ('close' follows), or a kill() failed (nothing to do).
    if (this.pid === undefined) this.#spawnError = error;
  }

  #onClose(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#stderrLine !== '') this.#hooks.log(this.#stderrLine);
    this.#stderrLine = '';
    this.#retire();
    const stderr = this.#stderrTail.slice(-STDERR_TAIL);
    this.#failAll(this.#exitError(code, signal, stderr));
    this.#unref();
    this.#markClosed();
    this.#hooks.exit({ pid: this.pid, exitCode: code, signal, stderr });
  }

  #exitError(code: number | null, signal: NodeJS.Signals | null, stderr: string): NsdoError {
    const count = this.#pending.size;
    const how = this.#spawnError !== undefined
      ? `could not be started (${this.#spawnError.message})`
      : signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
    const tail = stderr.trimEnd();
    const message = `nsdo helper ${this.path} (pid ${this.pid ?? 'none'}) ${how} ` +
      `while ${count} request${count === 1 ? ' was' : 's were'} pending` +
      (tail === '' ? '; it wrote nothing to stderr' : `; the end of its stderr:\n${tail}`);
    return new NsdoError(message, {
      code: 'ERR_NSDO_HELPER_EXITED',
      exitCode: this.#spawnError !== undefined ? null : code,
      signal,
      stderr,
      cause: this.#spawnError,
    });
  }

  #failAll(error: NsdoError): void {
    if (this.#pending.size === 0) return;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.fail(error);
  }

  #retire(): void {
    if (!this.usable) return;
    this.usable = false;
    this.#hooks.gone(this);
  }

  #ref(): void {
    this.#child.ref();
    this.#stdin.ref();
    this.#stdout.ref();
    this.#stderr.ref();
  }

  #unref(): void {
    if (this.#closing) return;
    this.#child.unref();
    this.#stdin.unref();
    this.#stdout.unref();
    this.#stderr.unref();
  }
}

/** A request sent (or queued) and not answered yet. */
class Pending<C, T> {
  abandoned = false;

  constructor(
    readonly resolve: (value: T) => void,
    readonly reject: (error: unknown) => void,
    readonly settle: Settle<C, T>,
    readonly context: C,
    readonly signal: AbortSignal | undefined,
    /** The request runs in the helper's home namespace. */
    readonly home: boolean,
  ) {}

  /** The signal's 'abort' listener: the caller stops waiting, the reply is still read. */
  handleEvent(): void {
    this.abandoned = true;
    this.reject(abortedError(this.signal as AbortSignal));
  }

  answer(reply: WireReply): void {
    if (this.signal !== undefined) {
      this.signal.removeEventListener('abort', this);
      if (this.abandoned) return;
    }
    let value: T;
    try {
      value = this.settle(reply, this.context);
    } catch (error) {
      this.reject(error);
      return;
    }
    this.resolve(value);
  }

  fail(error: unknown): void {
    if (this.signal !== undefined) {
      this.signal.removeEventListener('abort', this);
      if (this.abandoned) return;
    }
    this.reject(error);
  }
}

export function abortedError(signal: AbortSignal): NsdoError {
  return new NsdoError('the request was aborted (the helper may still have run it)', {
    code: 'ERR_NSDO_ABORTED', cause: signal.reason,
  });
}

// NsdoError: every failure nsdo reports, shaped like Node's own system errors.
//
// A kernel failure carries the errno name as `code` ('EEXIST') and the errno
// as a negative number, as Node does (-17). nsdo's own failures carry an
// 'ERR_NSDO_...' code and no errno. Beside them an error says where it
// happened: the op and its index in the batch, the namespace path, the
// kernel's extended-ack text, and the results of the ops that completed
// before it. The first line of `message` reads on its own, e.g.
// "link.add b0: File exists (EEXIST) in /run/netns/blue: <extack>".

import type { WireError } from './wire/types.js';

/** What an NsdoError carries beside its message. */
export interface NsdoErrorDetails {
  code: string;
  errno?: number | undefined;
  op?: string | undefined;
  index?: number | undefined;
  namespace?: string | undefined;
  extack?: string | undefined;
  results?: unknown[] | undefined;
  exitCode?: number | null | undefined;
  signal?: string | null | undefined;
  stderr?: string | undefined;
  cause?: unknown;
}

export class NsdoError extends Error {
  /** 'EEXIST', 'ENODEV', ... for the kernel's errors; 'ERR_NSDO_...' for nsdo's own. */
  code: string;
  /** Negative, like Node's (-17 for EEXIST); undefined for nsdo's own errors. */
  errno: number | undefined;
  /** The failing op's name, e.g. 'link.add'. */
  op: string | undefined;
  /** The failing op's index within its batch. */
  index: number | undefined;
  /** The path of the namespace the request was for. */
  namespace: string | undefined;
  /** The kernel's extended-ack text, when it gave one. */
  extack: string | undefined;
  /** The results of the ops that completed before the failure. */
  results: unknown[];
  /** ERR_NSDO_HELPER_EXITED: the helper's exit code, or null if a signal ended it. */
  exitCode?: number | null;
  /** ERR_NSDO_HELPER_EXITED: the signal that ended the helper, or null. */
  signal?: string | null;
  /** ERR_NSDO_HELPER_EXITED: the tail of the helper's stderr. */
  stderr?: string;

  constructor(message: string, details: NsdoErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.errno = details.errno;
    this.op = details.op;
    this.index = details.index;
    this.namespace = details.namespace;
    this.extack = details.extack;
    this.results = details.results ?? [];
    if (details.exitCode !== undefined) this.exitCode = details.exitCode;
    if (details.signal !== undefined) this.signal = details.signal;
    if (details.stderr !== undefined) this.stderr = details.stderr;
  }
}

// On the prototype rather than on every instance; stack traces read it lazily.
Object.defineProperty(NsdoError.prototype, 'name', {
  value: 'NsdoError', writable: true, configurable: true, enumerable: false,
});

/**
 * Turns the helper's error map into an NsdoError.
 *
 * @param error the `error` map of a reply, or of a failed slot with `continue`
 * @param namespace the path the request named, for the message
 * @param results the (already mapped) results of the ops that completed
 */
export function errorFromWire(
  error: WireError, namespace: string | undefined, results: unknown[],
): NsdoError {
  const extack = error.extack ? error.extack : undefined;
  let message = `${error.message} (${error.code})`;
  if (namespace !== undefined && !error.message.includes(namespace)) message += ` in ${namespace}`;
  if (extack !== undefined) message += `: ${extack}`;
  return new NsdoError(message, {
    code: error.code,
    errno: error.errno > 0 ? -error.errno : undefined,
    op: error.op ?? undefined,
    index: error.index ?? undefined,
    namespace,
    extack,
    results,
  });
}

/** A client-side argument mistake: names the argument, what was expected and what came. */
export function badArgument(op: string, argument: string, expected: string,
  value: unknown): NsdoError {
  return new NsdoError(`${op}: \`${argument}\` must be ${expected}; got ${describe(value)}`, {
    code: 'ERR_NSDO_BAD_ARGUMENT', op,
  });
}

/** A short, readable rendering of a value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
    return `${JSON.stringify(shown)} (${Buffer.byteLength(value)} bytes)`;
  }
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'function') return 'a function';
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

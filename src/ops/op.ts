// Op<R>: a plain wire op map that also carries, in its type only, what the
// op answers. withNamespace() reads that phantom type back with ResultOf to
// type a batch's results as a tuple. The brand is required, so a hand-made
// map is not an Op: ops come from the builders, which check their
// arguments.
//
// The builders keep every key the caller gave, so that a misspelt option
// reaches the helper and is refused there by name rather than dropped here;
// only keys whose value is undefined are left out. The checks below catch
// the obvious mistakes early, with the argument named in the message.

import { badArgument } from '../errors.js';
import { absolutePath, Namespace, namespacePath } from '../namespace.js';
import type { LinkRef, WireNamespace, WireOp } from '../wire/types.js';

declare const result: unique symbol;

/** A wire op whose result has type R. */
export type Op<R> = WireOp & { readonly [result]: R };

/** The result type of an Op. */
export type ResultOf<O> = O extends { readonly [result]: infer R } ? R : never;

/** A list op's answer: the items, and whether the dump may be inconsistent. */
export type ListResult<T> = T[] & { interrupted: boolean };

/** A namespace: a handle, a path, or a pid (meaning /proc/PID/ns/net). */
export type NamespaceTarget = Namespace | string | number;

/** Brands a wire op with its result type. */
export function makeOp<R>(op: WireOp): Op<R> {
  return op as Op<R>;
}

/** A wire op map: `op`, then a copy of `options` without its undefined values. */
export function copyArguments(op: string, options: object): Record<string, unknown> {
  return copyDefined({ op }, options);
}

/** Copies the keys of `from` whose values are defined into `to` (`op` excepted). */
export function copyDefined(to: Record<string, unknown>,
  from: object): Record<string, unknown> {
  for (const key in from) {
    if (key === 'op') continue;
    const value = (from as Record<string, unknown>)[key];
    if (value !== undefined) to[key] = value;
  }
  return to;
}

/** Checks that `options` is a plain object. */
export function checkOptions(op: string, argument: string, options: unknown): object {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw badArgument(op, argument, 'an object', options);
  }
  return options;
}

/**
 * Checks an interface name as the kernel does: 1 to 15 bytes, not '.' or
 * '..', no '/', ':' or whitespace.
 */
export function checkLinkName(op: string, argument: string, value: unknown): string {
  if (typeof value !== 'string' || !isLinkName(value)) {
    throw badArgument(op, argument,
      "an interface name of 1 to 15 bytes without '/', ':' or whitespace", value);
  }
  return value;
}

function isLinkName(name: string): boolean {
  if (name.length === 0 || name.length > 15 || name === '.' || name === '..') return false;
  let ascii = true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    // The kernel's isspace(): tab, newline, vertical tab, form feed, return, space.
    if ((c >= 9 && c <= 13) || c === 32 || c === 47 || c === 58) return false;
    if (c > 127) ascii = false;
  }
  return ascii || Buffer.byteLength(name) <= 15;
}

/** Checks a link reference: an interface name or an index (a positive integer). */
export function checkLink(op: string, argument: string, value: unknown): LinkRef {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value > 0 && value <= 0x7fffffff) return value;
    throw badArgument(op, argument, 'an interface index (a positive integer) or name', value);
  }
  if (typeof value === 'string' && isLinkName(value)) return value;
  throw badArgument(op, argument,
    "an interface name of 1 to 15 bytes without '/', ':' or whitespace, or an index", value);
}

/** Checks an integer within [min, max]. */
export function checkInteger(op: string, argument: string, value: unknown,
  min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badArgument(op, argument, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

export function checkString(op: string, argument: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw badArgument(op, argument, 'a non-empty string', value);
  }
  return value;
}

export function checkBoolean(op: string, argument: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw badArgument(op, argument, 'true or false', value);
  return value;
}

const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i;

export function checkMac(op: string, argument: string, value: unknown): string {
  if (typeof value !== 'string' || !MAC.test(value)) {
    throw badArgument(op, argument, "a MAC address like 'aa:bb:cc:dd:ee:ff'", value);
  }
  return value;
}

/**
 * Turns a namespace argument into its wire form: a handle or a path into an
 * absolute path, a pid into the pid.
 */
export function wireNamespace(op: string, argument: string, value: unknown): WireNamespace {
  if (value instanceof Namespace) return namespacePath(value, op);
  if (typeof value === 'string' && value !== '') return absolutePath(value);
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw badArgument(op, argument, 'a Namespace, a path or a pid', value);
}

// The undo of an atomic batch that failed: the steps of the plan, run in
// reverse op order, then rounds of repair until the namespace equals its
// snapshot or the time is up, and the verdict on the batch's error.
//
// The verdict rests on the final comparison, not on how the steps went:
// `undone: true` means that the namespace (and every other namespace the
// batch named) lists the same links, addresses and routes as before the
// batch. A step that failed but whose effect the repair made good does
// not count against it; a step that succeeded is not trusted either.
//
// Every request of the undo runs in continue mode, so that one failing
// step does not keep the others from running. Some of what the kernel
// does after a change is asynchronous (a link-local address once the
// carrier is up, duplicate address detection before an IPv6 address can
// be a route's source), so a round that cannot fix anything waits a
// little and looks again, within a budget of a few seconds.

import { errorFromWire, NsdoError } from '../errors.js';
import { submitRequest, type Helper } from '../helper/helper.js';
import type { WireNamespace, WireOp, WireReply } from '../wire/types.js';
import { planUndo, type Plan, type Refs, type Step } from './plan.js';
import { repairs, type Fix } from './repair.js';
import { differences, stateFrom, stateOps, type State } from './state.js';

/** How long the repair may wait for the kernel in all (ms). */
const BUDGET_MS = 3000;
/** Rounds in a row that change nothing before the repair gives up early. */
const IDLE_ROUNDS = 5;

/** A namespace the undo works in: how to name it in a request, and its id. */
export interface Place {
  namespace: WireNamespace;
  path: string;
  id: string;
}

export interface UndoInput {
  helper: Helper;
  here: Place;
  /** The other namespaces the batch names, with their snapshots. */
  others: { place: Place; snapshot: State }[];
  snapshot: State;
  ops: readonly WireOp[];
  isHere(ns: WireNamespace): boolean;
  placeOf(ns: WireNamespace): Place;
}

/** Undoes what ran of the batch and records the verdict on `error`. */
export async function undoBatch(input: UndoInput, error: NsdoError): Promise<void> {
  const ran = opsThatRan(input.ops, error);
  if (ran === null) {
    error.undone = false;
    error.undoErrors = [unsupported(input, 'nsdo cannot tell which ops of the batch ran ' +
      `(${error.code}), so it cannot undo them`)];
    return;
  }
  if (ran === 0) {
    error.undone = true;
    return;
  }
  const plan = planUndo(input.snapshot, input.ops, ran, 'undo', input.here.path, input.isHere);
  const stepErrors: NsdoError[] = [];
  try {
    await runSteps(input, plan, stepErrors);
    const rest = await repair(input, plan);
    if (rest.length === 0) {
      error.undone = true;
      return;
    }
    error.undone = false;
    error.undoErrors = [...stepErrors, ...plan.problems.map((p) =>
      unsupported(input, `op ${p.index} (${p.op}): ${p.reason}`, p.op, p.index)), ...rest];
  } catch (failure) {
    error.undone = false;
    error.undoErrors = [...stepErrors, asNsdoError(input, failure)];
  }
}

/**
 * How many ops may have changed something: those before the failing one,
 * and the failing one itself if it is a link.set (the kernel applies its
 * settings one after the other and may stop half-way). Null when that
 * cannot be known; 0 when the request never ran.
 */
function opsThatRan(ops: readonly WireOp[], error: NsdoError): number | null {
  if (error.index === undefined) {
    const unknown = error.code === 'ERR_NSDO_HELPER_EXITED' ||
      error.code === 'ERR_NSDO_NAMESPACE_MISMATCH' || error.code === 'ERR_NSDO_ABORTED';
    return unknown ? null : 0;
  }
  return ops[error.index]?.op === 'link.set' ? error.index + 1 : error.index;
}

// ---------------------------------------------------------------------------
// Steps

/** Runs the plan's steps, the last op's first, each namespace's run as one request. */
async function runSteps(input: UndoInput, plan: Plan, errors: NsdoError[]): Promise<void> {
  const refs = new StepRefs();
  const batches: { at: WireNamespace | null; ops: WireOp[]; steps: Step[] }[] = [];
  for (const step of reverseOpOrder(plan.steps)) {
    if (step.keys.some((k) => plan.dead.has(k))) continue;
    let op: WireOp;
    try {
      op = step.build(refs);
    } catch (failure) {
      errors.push(stepError(asNsdoError(input, failure), step));
      continue;
    }
    for (const key of step.reindexes ?? []) refs.byName.add(key);
    const last = batches[batches.length - 1];
    if (last !== undefined && last.at === step.at) {
      last.ops.push(op);
      last.steps.push(step);
    } else {
      batches.push({ at: step.at, ops: [op], steps: [step] });
    }
  }
  for (const batch of batches) {
    const place = batch.at === null ? input.here : input.placeOf(batch.at);
    const results = await send(input.helper, place, batch.ops);
    results.forEach((result, i) => {
      if (result instanceof NsdoError) errors.push(stepError(result, batch.steps[i] as Step));
    });
  }
}

/** The steps from the last op's to the first op's, each op's in their own order. */
function reverseOpOrder(steps: Step[]): Step[] {
  const indexes = [...new Set(steps.map((s) => s.index))].sort((a, b) => b - a);
  return indexes.flatMap((i) => steps.filter((s) => s.index === i));
}

/** Names a snapshot link by its index until the undo made it again or moved it back. */
class StepRefs implements Refs {
  readonly byName = new Set<string>();

  ref(key: string, name: string): string | number {
    if (key.startsWith('s') && !this.byName.has(key)) return Number(key.slice(1));
    return name;
  }
}

function stepError(error: NsdoError, step: Step): NsdoError {
  error.message = `undo of op ${step.index}: ${error.message}`;
  error.index = step.index;
  return error;
}

// ---------------------------------------------------------------------------
// Repair and verdict

/**
 * Repairs until the namespace equals its snapshot; answers what still
 * differs, as errors (empty: the undo is complete).
 */
async function repair(input: UndoInput, plan: Plan): Promise<NsdoError[]> {
  const deadline = Date.now() + BUDGET_MS;
  const failed = new Map<string, NsdoError>();
  let now = await readState(input.helper, input.here);
  let idle = 0;
  let wait = 25;
  let sent = '';
  for (;;) {
    let gaps = now === null ? ['the namespace changed while it was read']
      : differences(input.snapshot, now);
    // Labels are not in what nsdo lists: a relabel still to do is a gap of its own.
    for (const dev of plan.scope.relabel) gaps.push(`the IPv4 labels of ${dev} are changed`);
    if (gaps.length === 0) gaps = await otherDifferences(input);
    if (gaps.length === 0) return [];
    const fixes = now === null ? [] : repairs(input.snapshot, now, plan.scope);
    const ops = fixes.filter((f) => f.op !== undefined);
    if (ops.length > 0 && Date.now() < deadline) {
      // The same fixes as last round: they failed or did not take; give the kernel time.
      const keys = ops.map((f) => f.key).join('\n');
      if (keys === sent) wait = await pause(wait);
      sent = keys;
      const results = await send(input.helper, input.here,
        [...ops.map((f) => f.op as WireOp), ...stateOps()]);
      record(ops, results, failed);
      relabeled(ops, failed, plan);
      now = stateFrom(results, ops.length);
      idle = 0;
      continue;
    }
    if (Date.now() >= deadline || ++idle > IDLE_ROUNDS) {
      return verdict(input, fixes, failed, gaps);
    }
    wait = await pause(wait);
    now = await readState(input.helper, input.here);
  }
}

/** Remembers each fix's last outcome. */
function record(fixes: Fix[], results: unknown[], failed: Map<string, NsdoError>): void {
  fixes.forEach((fix, i) => {
    const result = results[i];
    if (result instanceof NsdoError) {
      result.message = `undo (repair): ${result.message}`;
      failed.set(fix.key, result);
    } else {
      failed.delete(fix.key);
    }
  });
}

/** Links whose IPv4 addresses were all added again, labels and all: done with. */
function relabeled(fixes: Fix[], failed: Map<string, NsdoError>, plan: Plan): void {
  const done = new Set(fixes.map((f) => f.relabel).filter((d) => d !== undefined));
  for (const fix of fixes) {
    if (fix.relabel !== undefined && failed.has(fix.key)) done.delete(fix.relabel);
  }
  for (const dev of done) plan.scope.relabel.delete(dev as string);
}

/** The errors of an undo that did not land: what failed, what cannot be done, what differs. */
function verdict(input: UndoInput, fixes: Fix[], failed: Map<string, NsdoError>,
  gaps: string[]): NsdoError[] {
  const pending = new Set(fixes.map((f) => f.key));
  const errors = [...failed].filter(([key]) => pending.has(key)).map(([, e]) => e);
  for (const fix of fixes) {
    if (fix.unsupported !== undefined) errors.push(unsupported(input, fix.unsupported));
  }
  const shown = gaps.slice(0, 20).join('; ') + (gaps.length > 20 ? '; ...' : '');
  errors.push(new NsdoError(`undo: the namespace is not as it was before the batch: ${shown}`, {
    code: 'ERR_NSDO_UNDO_INCOMPLETE', namespace: input.here.path,
  }));
  return errors;
}

/** What differs in the other namespaces the batch named (nothing there is repaired). */
async function otherDifferences(input: UndoInput): Promise<string[]> {
  const out: string[] = [];
  for (const { place, snapshot } of input.others) {
    const now = await readState(input.helper, place);
    const gaps = now === null ? ['it changed while it was read']
      : differences(snapshot, now);
    out.push(...gaps.map((g) => `in ${place.path}: ${g}`));
  }
  return out;
}

async function pause(ms: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return Math.min(ms * 2, 500);
}

// ---------------------------------------------------------------------------
// Requests

/** Reads a namespace's state; null when a dump may be inconsistent. */
export async function readState(helper: Helper, place: Place,
  signal?: AbortSignal): Promise<State | null> {
  return stateFrom(await send(helper, place, stateOps(), signal), 0);
}

/**
 * Sends ops in continue mode and answers their results: lists as arrays,
 * nil as undefined, a failed op as its NsdoError. A request that failed
 * as a whole, or ran in another namespace than `place`, throws.
 */
export function send(helper: Helper, place: Place, ops: readonly WireOp[],
  signal?: AbortSignal): Promise<unknown[]> {
  return submitRequest(helper, place.namespace, ops, true, signal, settle, place, place.id);
}

function settle(reply: WireReply, place: Place): unknown[] {
  if (reply.error !== undefined && reply.error !== null) {
    throw errorFromWire(reply.error, place.path, []);
  }
  if (reply.namespace !== place.id) {
    throw new NsdoError(`undo: namespace mismatch: ${place.path} was ${place.id} but the ` +
      `work ran in ${reply.namespace ?? 'no namespace'}`, {
      code: 'ERR_NSDO_NAMESPACE_MISMATCH', namespace: place.path,
    });
  }
  return reply.results.map((result) => {
    if (result === null) return undefined;
    const map = result as { items?: unknown; interrupted?: boolean; error?: unknown };
    if (Array.isArray(map.items)) {
      return Object.assign(map.items, { interrupted: map.interrupted === true });
    }
    if (typeof map.error === 'object' && map.error !== null) {
      return errorFromWire(map.error as never, place.path, []);
    }
    return result;
  });
}

function unsupported(input: UndoInput, reason: string, op?: string,
  index?: number): NsdoError {
  return new NsdoError(`undo: ${reason}`, {
    code: 'ERR_NSDO_UNDO_UNSUPPORTED', op, index, namespace: input.here.path,
  });
}

function asNsdoError(input: UndoInput, failure: unknown): NsdoError {
  if (failure instanceof NsdoError) return failure;
  return new NsdoError(`undo: ${failure instanceof Error ? failure.message : String(failure)}`, {
    code: 'ERR_NSDO_UNDO_INCOMPLETE', namespace: input.here.path, cause: failure,
  });
}

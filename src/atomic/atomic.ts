// Atomic batches: withNamespace(target, ops, { atomic: true }).
//
// Before the batch runs, one request reads the namespace's links,
// addresses and routes (and those of any other namespace the batch names:
// a veth peer's, a move's destination). The batch is then replayed over
// that snapshot: an op that could not be undone (a veth whose peer lives
// in another namespace, a kind of link whose settings the link list does
// not show, a route of another protocol than route.add makes) refuses the
// whole batch with ERR_NSDO_UNDO_UNSUPPORTED before any op runs.
//
// Then the batch runs as any other. If an op fails, the ops before it are
// undone (undo.ts) and the op's NsdoError is thrown as usual, with
// `undone: true` when the namespace is back where it was, or `undone:
// false` and `undoErrors` saying what failed and what still differs.
//
// The signal can stop an atomic batch only until the batch is sent. From
// then on the batch and its undo run to the end, so that an abort never
// leaves the namespace half changed.

import { badArgument, NsdoError } from '../errors.js';
import { abortedError } from '../helper/process.js';
import type { Helper } from '../helper/helper.js';
import { namespaceIdAt } from '../namespace.js';
import type { WireNamespace, WireOp } from '../wire/types.js';
import { planUndo } from './plan.js';
import type { State } from './state.js';
import { readState, undoBatch, type Place } from './undo.js';

export interface AtomicBatch {
  helper: Helper;
  /** The batch's namespace: the path requests name, and its id. */
  target: { path: string; id: string };
  ops: readonly WireOp[];
  signal: AbortSignal | undefined;
  /** Runs the batch itself, settled like any batch. */
  run(): Promise<unknown[]>;
}

/** Ops that change nothing: a batch of only these has nothing to undo. */
const READ_ONLY = new Set(['link.get', 'link.list', 'addr.list', 'route.list']);

/** Runs a batch that is undone when one of its ops fails. */
export async function runAtomic(batch: AtomicBatch): Promise<unknown[]> {
  const here: Place = { namespace: batch.target.path, ...batch.target };
  const places = new Places(here);
  throwIfAborted(batch.signal);
  if (batch.ops.every((op) => READ_ONLY.has(op.op))) return batch.run();
  const others = places.others(batch.ops);
  const [snapshot, ...otherStates] = await Promise.all([here, ...others].map((place) =>
    readState(batch.helper, place, batch.signal).catch((error: unknown) => {
      if (error instanceof NsdoError && error.code !== 'ERR_NSDO_ABORTED') {
        error.message = `withNamespace: cannot read ${place.path} before an atomic batch: ` +
          error.message;
      }
      throw error;
    })));
  if (snapshot == null || otherStates.some((s) => s == null)) {
    throw new NsdoError('withNamespace: an atomic batch needs a consistent snapshot, but the ' +
      'namespace changed while it was read; try again', {
      code: 'ERR_NSDO_UNDO_UNSUPPORTED', namespace: here.path,
    });
  }
  refuseWhatCannotBeUndone(snapshot, batch.ops, places);
  throwIfAborted(batch.signal);
  try {
    return await batch.run();
  } catch (error) {
    if (!(error instanceof NsdoError)) throw error;
    await undoBatch({
      helper: batch.helper, here, snapshot, ops: batch.ops,
      others: others.map((place, i) => ({ place, snapshot: otherStates[i] as State })),
      isHere: (ns) => places.isHere(ns), placeOf: (ns) => places.of(ns),
    }, error);
    throw error;
  }
}

/** Checks the options an atomic batch cannot be combined with. */
export function checkAtomicOptions(options: { continue?: boolean } | undefined): void {
  if (options?.continue === true) {
    throw badArgument('withNamespace', 'options.continue',
      'false with `atomic: true` (an atomic batch stops at its first failure)', true);
  }
}

/** Throws ERR_NSDO_UNDO_UNSUPPORTED for the first op the undo could not take back. */
function refuseWhatCannotBeUndone(snapshot: State, ops: readonly WireOp[],
  places: Places): void {
  const plan = planUndo(snapshot, ops, ops.length, 'check', places.here.path,
    (ns) => places.isHere(ns));
  const first = plan.problems[0];
  if (first === undefined) return;
  const more = plan.problems.length > 1 ? ` (and ${plan.problems.length - 1} more)` : '';
  throw new NsdoError(`${first.op}: an atomic batch cannot undo op ${first.index}: ` +
    `${first.reason}${more}; nothing ran`, {
    code: 'ERR_NSDO_UNDO_UNSUPPORTED', op: first.op, index: first.index,
    namespace: places.here.path,
  });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(signal);
}

/** The namespaces a batch names besides its own, identified once. */
class Places {
  readonly #known = new Map<WireNamespace, Place>();

  constructor(readonly here: Place) {}

  /** The other namespaces `ops` name (veth peers, moves) that exist and are not `here`. */
  others(ops: readonly WireOp[]): Place[] {
    const found = new Map<string, Place>();
    for (const op of ops) {
      const ns = op.op === 'link.set' ? op.namespace
        : op.op === 'link.add' ? op.peer?.namespace : undefined;
      if (ns === undefined) continue;
      const place = this.#identify(ns);
      if (place !== null && place.id !== this.here.id) found.set(place.id, place);
    }
    return [...found.values()];
  }

  isHere(ns: WireNamespace): boolean {
    return this.#identify(ns)?.id === this.here.id;
  }

  /** A namespace argument as a place to send the undo's ops to. */
  of(ns: WireNamespace): Place {
    return this.#identify(ns) ?? { namespace: ns, path: String(ns), id: '' };
  }

  #identify(ns: WireNamespace): Place | null {
    const known = this.#known.get(ns);
    if (known !== undefined) return known;
    const path = typeof ns === 'number' ? `/proc/${ns}/ns/net` : ns;
    let place: Place | null;
    try {
      place = { namespace: ns, path, id: namespaceIdAt(path) };
    } catch {
      place = null;   // the op itself will fail on it, and the batch stop there
    }
    if (place !== null) this.#known.set(ns, place);
    return place;
  }
}

// Assertions about failures: that a promise rejects, and with which
// NsdoError fields. Each check names the field, what was expected and
// what came, so that a failing test explains itself.
import * as assert from 'uvu/assert';

/** Awaits `promise`, which must reject; returns the error. */
export async function rejection(promise, what = 'the call') {
  let value;
  try {
    value = await promise;
  } catch (error) {
    return error;
  }
  assert.unreachable(`${what} should have failed, but resolved with ${show(value)}`);
  return undefined;
}

/**
 * Awaits a rejection and checks the listed fields, e.g.
 *   await rejects(p, { code: 'EEXIST', errno: -17, op: 'link.add', index: 1 });
 * A RegExp value matches a string field. Returns the error.
 */
export async function rejects(promise, fields) {
  const what = `a call expected to fail with ${fields.code ?? 'an error'}`;
  const error = await rejection(promise, what);
  for (const [key, want] of Object.entries(fields)) {
    const got = error?.[key];
    const ok = want instanceof RegExp ? want.test(String(got)) : Object.is(got, want);
    if (!ok) {
      assert.unreachable(`error.${key}: expected ${show(want)}, got ${show(got)} ` +
        `(error: ${error?.code ?? ''} ${error?.message ?? error})`);
    }
  }
  return error;
}

function show(value) {
  if (value instanceof RegExp) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

// Test plumbing shared by every test/*.test.mjs.
//
// suite() wraps a uvu suite so that each test has a time limit (a hung
// helper fails one test instead of stalling the run) and so that a skip
// carries its reason. A skip is registered with the reason in its name,
// `link.add dummy — skipped: kernel has no "dummy" link kind`, and is also
// recorded in a list that scripts/test.mjs prints at the end. Nothing here
// ever turns a skip into a pass.
//
// Importing this module also checks that the suite runs hermetically:
// inside its own network and mount namespaces, with a private /run/netns.
// scripts/test.mjs arranges that; a test file run any other way stops here
// instead of touching the machine's network.
import fs from 'node:fs';
import { suite as uvuSuite } from 'uvu';

const DEFAULT_TIMEOUT_MS = Number(process.env.NSDO_TEST_TIMEOUT_MS) || 20_000;

/**
 * A directory on a private tmpfs for the tests' own files (fake helpers,
 * run directories), set up by scripts/test.mjs; it vanishes with the run.
 */
export const scratchDir = process.env.NSDO_TEST_SCRATCH;

/** Skips of the whole run: { name, reason }, printed by the runner. */
export const skips = (globalThis.NSDO_TEST_SKIPS ??= []);

assertHermetic();

/**
 * A uvu suite whose tests time out after `timeout` ms.
 *   const test = suite('link');
 *   test('link.add veth', async () => { ... });
 *   test.skip('link.add dummy', 'kernel has no "dummy" link kind');
 *   test.run();
 */
export function suite(name, { timeout = DEFAULT_TIMEOUT_MS } = {}) {
  const inner = uvuSuite(name);
  const test = (title, handler) => inner(title, timed(title, handler, timeout));
  test.skip = (title, reason) => {
    const full = `${title} — skipped: ${reason}`;
    skips.push({ suite: name, name: full });
    inner.skip(full);
  };
  test.before = (fn) => inner.before(timed('before', fn, timeout));
  test.after = (fn) => inner.after(timed('after', fn, timeout));
  test.before.each = (fn) => inner.before.each(timed('before.each', fn, timeout));
  test.after.each = (fn) => inner.after.each(timed('after.each', fn, timeout));
  test.run = () => inner.run();
  return test;
}

/** Runs `handler` under a time limit; the timer keeps the loop alive. */
function timed(title, handler, ms) {
  return async (ctx) => {
    let timer;
    const limit = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`"${title}" timed out after ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([handler(ctx), limit]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * Refuses to run outside the namespaces that scripts/test.mjs sets up: the
 * outer run passes its own network namespace in NSDO_TEST_OUTER_NET, and
 * this process must be in another one, with the run's private tmpfs on
 * /run/netns.
 */
function assertHermetic() {
  const own = fs.readlinkSync('/proc/self/ns/net');
  const outer = process.env.NSDO_TEST_OUTER_NET;
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const privateRunDir = mounts.some((line) => {
    const [before, after = ''] = line.split(' - ');
    return before.split(' ')[4] === '/run/netns' && after.startsWith('tmpfs nsdo-test ');
  });
  if (!outer || own === outer || !privateRunDir || !process.env.NSDO_TEST_SCRATCH) {
    throw new Error('the nsdo tests must run inside their own network and mount ' +
      'namespaces: run them with `npm test` (scripts/test.mjs), not directly');
  }
}

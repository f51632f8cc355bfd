// The concurrency proof: 10,000 withNamespace calls started at once, spread
// over 50 namespaces and over two helper processes that work in parallel.
// Each call changes its namespace in a way no other call does (a unique
// address or route), and the calls that set the bridge's MTU all go through
// one helper, which runs its requests in the order they were made: the
// last one made for a namespace decides its MTU. Nothing may fail, so no
// reply named a namespace other than the one asked for (the client checks
// every reply's namespace id; a mismatch would reject with
// ERR_NSDO_NAMESPACE_MISMATCH). Then `ip -j`, not nsdo, reads every
// namespace, and each must hold exactly what its calls made: the same
// sets of addresses and routes, that MTU, and no link besides lo and br0.
import * as assert from 'uvu/assert';
import { withNamespace, Namespace, Helper, link, addr, route } from '../dist/index.js';
import { suite } from './lib/harness.mjs';
import { ipJson, links } from './lib/kernel.mjs';
import { CACHE_MAX, helperFdReport, snapshot, snapshotDiff, zombies } from './lib/leaks.mjs';
import { uniqueName } from './lib/scratch.mjs';

const test = suite('concurrency', { timeout: 90_000 });

const NAMESPACES = 50;
const CALLS = 10_000;

/**
 * Call k's namespace: k * 7 mod 50 spreads consecutive calls over
 * different namespaces (7 and 50 have no common factor).
 */
const spaceOf = (k) => (k * 7) % NAMESPACES;

/**
 * What call k does, by n mod 5 (n: the call's rank among its namespace's
 * calls), and through which helper:
 *   0 a batch adding an address, by path, helper A
 *   1 a batch adding a route, by handle, helper B
 *   2 the callback form adding an address, by handle, helper B
 *   3 a batch setting the MTU and adding an address, by handle, helper A
 *   4 a batch adding a route and reading the bridge back, by path, helper A
 * Every address and route is unique to its call: 10.I.J.K and 11.I.J.K
 * for namespace I.
 */
function plan(k, spaces, helpers) {
  const i = spaceOf(k);
  const ns = spaces[i];
  const n = Math.floor(k / NAMESPACES);   // unique within namespace i
  const ip = `${i}.${n >> 8}.${n & 255}`;
  const address = `10.${ip}`;
  const to = `11.${ip}`;
  const [a, b] = helpers;
  switch (n % 5) {
    case 0:
      return { i, address, run: () => withNamespace(ns.path, [addr.add('br0', `${address}/32`)],
        { helper: a }) };
    case 1:
      return { i, route: to, run: () => withNamespace(ns,
        [route.add({ to: `${to}/32`, dev: 'br0' })], { helper: b }) };
    case 2:
      return { i, address, run: () => withNamespace(ns, async (scope) => {
        assert.is(scope.namespace, ns);
        await scope.addr.add('br0', `${address}/32`);
      }, { helper: b }) };
    case 3:
      return { i, address, mtu: 1280 + k, run: () => withNamespace(ns,
        [link.set('br0', { mtu: 1280 + k }), addr.add('br0', `${address}/32`)],
        { helper: a }) };
    default:
      return { i, route: to, run: () => withNamespace(ns.path,
        [route.add({ to: `${to}/32`, dev: 'br0' }), link.get('br0')], { helper: a })
        .then(([, br0]) => assert.is(br0.name, 'br0')) };
  }
}

/** The state `ip -j` reports for one namespace. */
async function observe(name) {
  const [br0] = await ipJson(name, ['link', 'show', 'br0']);
  const [entry] = await ipJson(name, ['-4', 'addr', 'show', 'dev', 'br0']);
  const routes = await ipJson(name, ['-4', 'route', 'show', 'table', 'main']);
  return {
    links: (await links(name)).map((l) => l.ifname).sort(),
    mtu: br0.mtu,
    addresses: (entry?.addr_info ?? []).map((x) => `${x.local}/${x.prefixlen}`).sort(),
    routes: routes.map((r) => `${r.dst}${r.dst.includes('/') ? '' : '/32'} ${r.dev}`).sort(),
  };
}

test(`${CALLS} concurrent withNamespace calls over ${NAMESPACES} namespaces and two helpers: ` +
  'every call ran where it asked, and ip -j shows exactly their sum', async () => {
  const before = snapshot();
  const helpers = [new Helper(), new Helper()];
  const spaces = [];
  try {
    for (let i = 0; i < NAMESPACES; i++) {
      spaces.push(await Namespace.create(uniqueName(`cc${i}-`), { helper: helpers[0] }));
    }
    await Promise.all(spaces.map((ns) => withNamespace(ns,
      [link.add({ name: 'br0', type: 'bridge', up: true })], { helper: helpers[0] })));

    const plans = Array.from({ length: CALLS }, (_, k) => plan(k, spaces, helpers));
    const started = Date.now();
    const outcomes = await Promise.allSettled(plans.map((p) => p.run()));
    const elapsed = Date.now() - started;

    const failures = new Map();
    for (const o of outcomes) {
      if (o.status === 'rejected') {
        const code = o.reason?.code ?? String(o.reason);
        failures.set(code, (failures.get(code) ?? 0) + 1);
      }
    }
    assert.is(failures.get('ERR_NSDO_NAMESPACE_MISMATCH'), undefined,
      'no reply named another namespace');
    assert.equal(Object.fromEntries(failures), {}, `failures by code; the first: ${
      outcomes.find((o) => o.status === 'rejected')?.reason?.stack}`);

    const expected = spaces.map(() => ({ addresses: [], routes: [], mtu: undefined }));
    for (const p of plans) {
      const e = expected[p.i];
      if (p.address) e.addresses.push(`${p.address}/32`);
      if (p.route) e.routes.push(`${p.route}/32 br0`);
      if (p.mtu) e.mtu = p.mtu;   // plans are in call order: the last one wins
    }
    let addresses = 0;
    let routes = 0;
    for (const [i, ns] of spaces.entries()) {
      const seen = await observe(ns.name);
      assert.equal(seen.links, ['br0', 'lo'], `${ns.name}: links`);
      assert.equal(seen.addresses, expected[i].addresses.sort(), `${ns.name}: addresses`);
      assert.equal(seen.routes, expected[i].routes.sort(), `${ns.name}: routes`);
      assert.is(seen.mtu, expected[i].mtu, `${ns.name}: the MTU of the last call made for it`);
      addresses += seen.addresses.length;
      routes += seen.routes.length;
    }
    assert.is(addresses + routes, CALLS, 'one address or route per call, all accounted for');

    for (const h of helpers) {
      const { problems } = helperFdReport(h.pid, { homeId: h.hello.namespace });
      assert.equal(problems, [], `helper ${h.pid} fds: ${problems.join('; ')}`);
    }
    console.log(`\n    concurrency: ${CALLS} calls in flight at once over ${NAMESPACES} ` +
      `namespaces and 2 helpers, all resolved in ${elapsed} ms ` +
      `(${Math.round(CALLS / (elapsed / 1000))} calls/s); 0 namespace mismatches; ip -j ` +
      `verified ${addresses} addresses, ${routes} routes and ${NAMESPACES} MTUs exactly`);
  } finally {
    for (const ns of spaces) await ns.delete().catch(() => {});
    await Promise.all(helpers.map((h) => h.close()));
  }
  assert.equal(zombies(), []);
  const diff = snapshotDiff(before, snapshot());
  assert.equal(diff, [], `leaks: ${diff.join('; ')}`);
});

test('more namespaces than the helper caches, in rotation: every call still lands in its own ' +
  'namespace, and the helper\'s fds stay bounded', async () => {
  const count = CACHE_MAX + 36;
  const rounds = 20;
  const before = snapshot();
  const helper = new Helper();
  const spaces = [];
  try {
    for (let i = 0; i < count; i++) {
      spaces.push(await Namespace.create(uniqueName(`ce${i}-`), { helper }));
    }
    // Round-robin over more namespaces than the cache holds: the least
    // recently used entry is always the one needed next, so every call
    // misses the cache and evicts another namespace's entry.
    const calls = [];
    for (let r = 0; r < rounds; r++) {
      for (const [i, ns] of spaces.entries()) {
        calls.push(withNamespace(i % 2 ? ns : ns.path,
          [addr.add('lo', `10.${i >> 8}.${i & 255}.${r + 1}/32`)], { helper }));
      }
    }
    const outcomes = await Promise.allSettled(calls);
    const report = helperFdReport(helper.pid, { homeId: helper.hello.namespace });
    assert.equal(report.problems, [], `helper fds: ${report.problems.join('; ')}`);
    const failed = outcomes.filter((o) => o.status === 'rejected');
    assert.is(failed.length, 0, `${failed.length} failed; the first: ${failed[0]?.reason?.stack}`);

    for (const [i, ns] of spaces.entries()) {
      const [lo] = await ipJson(ns.name, ['-4', 'addr', 'show', 'dev', 'lo']);
      const got = (lo?.addr_info ?? []).map((x) => x.local).filter((a) => a !== '127.0.0.1');
      const want = Array.from({ length: rounds }, (_, r) => `10.${i >> 8}.${i & 255}.${r + 1}`);
      assert.equal(got.sort(), want.sort(), `${ns.name}: exactly its own addresses`);
    }
    console.log(`\n    concurrency: ${calls.length} calls in rotation over ${count} namespaces ` +
      `(cache: ${CACHE_MAX}): all in their own namespace; right after them the helper held ` +
      `${report.namespaces} namespace fds and ${report.sockets} sockets`);
  } finally {
    for (const ns of spaces) await ns.delete().catch(() => {});
    await helper.close();
  }
  const diff = snapshotDiff(before, snapshot());
  assert.equal(diff, [], `leaks: ${diff.join('; ')}`);
});

test.run();

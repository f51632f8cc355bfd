// Atomic batches: withNamespace(target, ops, { atomic: true }) undoes the
// ops that ran when one fails. Every check compares what the kernel says
// through `ip -j` (links with details, addresses, routes of every table,
// both families), normalized, before the batch and after its undo, in
// the batch's namespace and in the other namespace it touches.
//
// Normalized means: interface indexes left out (a link the undo makes
// again gets a new one), a veth peer in another namespace shown as
// "elsewhere" (its index and netnsid are not the same thing twice), and
// what follows the carrier rather than the configuration left out
// (LOWER_UP, NO-CARRIER, M-DOWN, operstate, qdisc, the linkdown flag of a
// route). IPv4 addresses compare in order, IPv6 addresses as a set.
import fs from 'node:fs';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { withNamespace, link, addr, route, Namespace, NsdoError } from '../dist/index.js';
import { scratchDir, suite } from './lib/harness.mjs';
import { rejection, rejects } from './lib/expect.mjs';
import { eventually, ipJson, run, sleep } from './lib/kernel.mjs';
import { withScratch } from './lib/scratch.mjs';

const test = suite('atomic', { timeout: 30_000 });

/** An op that always fails (ENODEV): the failure injected into a batch. */
const failing = () => addr.add('missing0', '10.0.0.1/24');

// ---------------------------------------------------------------------------
// The namespaces: a host side with a bridge, links, addresses and routes of
// every kind the batch below changes, and an empty pod namespace.

const HOST_SETUP = `
link set lo up
link add br0 type bridge
link set br0 up
addr add 10.88.0.1/16 dev br0
addr add fd00:88::1/64 dev br0
link add ex0 type veth peer name ex1
link set ex0 master br0
link set ex0 up
link set ex1 up
addr add 10.77.0.1/24 dev ex1
addr add 10.77.0.2/24 dev ex1
addr add 10.76.0.1/24 dev ex1
route add 10.99.0.0/16 via 10.88.0.2
route add 10.98.0.0/16 via 10.88.0.2 metric 50
route add 10.97.0.0/16 dev ex1 src 10.77.0.1
route add fd00:97::/64 via fd00:88::2
route add 10.96.0.0/16 via 10.88.0.2 table 100
link add old0 type veth peer name old1
link set old0 up
link set old1 up
addr add 10.66.0.1/24 dev old0
addr add fd00:66::1/64 dev old0
route add 10.65.0.0/16 via 10.66.0.2
route add fd00:65::/64 via fd00:66::2
link add gone0 type bridge
link add gp0 type veth peer name gp1
link set gp0 master gone0
link set gone0 up
link set gp0 up
link set gp1 up
addr add 10.55.0.1/24 dev gone0
addr add fd00:55::1/64 dev gone0
addr add 10.53.0.1/24 dev gp1
route add 10.54.0.0/16 via 10.55.0.2
route add fd00:54::/64 via fd00:55::2
`;

/**
 * Runs `ip -batch` in a namespace, with duplicate address detection off
 * first so that IPv6 addresses are usable (as a route's gateway or
 * source) at once, before and after an undo.
 */
async function setUp(ns, commands) {
  await run('nsenter', [`--net=${ns.path}`, 'sh', '-c',
    'for f in all default lo; do echo 0 > /proc/sys/net/ipv6/conf/$f/accept_dad; done']);
  if (!commands.trim()) return;
  const file = path.join(scratchDir, `${ns.name}.ip`);
  fs.writeFileSync(file, commands.trim() + '\n');
  await run('ip', ['-n', ns.name, '-batch', file]);
}

/** Host and pod namespaces, set up as above, for fn({ host, pod }). */
function withHostAndPod(fn, hostSetup = HOST_SETUP) {
  return withScratch(2, async ([host, pod]) => {
    await setUp(host, hostSetup);
    await setUp(pod, '');
    return fn({ host, pod });
  });
}

// ---------------------------------------------------------------------------
// The independent observer: normalized `ip -j` dumps.

const CARRIER_FLAGS = new Set(['LOWER_UP', 'NO-CARRIER', 'M-DOWN']);
const BRIDGE_KEYS = ['forward_delay', 'hello_time', 'max_age', 'ageing_time', 'stp_state',
  'priority', 'vlan_filtering', 'mcast_snooping', 'bridge_id'];

function normalLink(l) {
  const info = l.linkinfo ?? {};
  const data = info.info_kind === 'bridge'
    ? Object.fromEntries(BRIDGE_KEYS.map((k) => [k, info.info_data?.[k]])) : undefined;
  return {
    ifname: l.ifname, kind: info.info_kind ?? null, portOf: info.info_slave_kind ?? null,
    flags: l.flags.filter((f) => !CARRIER_FLAGS.has(f)), mtu: l.mtu, address: l.address,
    master: l.master ?? null,
    peer: typeof l.link === 'string' ? l.link : l.link_index ? 'elsewhere' : null,
    txqlen: l.txqlen, group: l.group, minMtu: l.min_mtu, maxMtu: l.max_mtu, data,
  };
}

function normalAddress(a) {
  const { valid_life_time: _v, preferred_life_time: _p, tentative: _t, ...rest } = a;
  return rest;
}

function normalRoute(r) {
  const { flags = [], ...rest } = r;
  const kept = flags.filter((f) => f !== 'linkdown');
  return JSON.stringify(kept.length ? { ...rest, flags: kept } : rest);
}

/** A namespace as `ip -j` shows it, normalized. */
async function dump(ns) {
  const links = (await ipJson(ns.name, ['-d', 'link', 'show'])).map(normalLink);
  const addrs = (await ipJson(ns.name, ['addr', 'show'])).map((l) => {
    const all = (l.addr_info ?? []).map(normalAddress);
    const v6 = all.filter((a) => a.family === 'inet6').map((a) => JSON.stringify(a)).sort();
    return { ifname: l.ifname, v4: all.filter((a) => a.family === 'inet'), v6 };
  });
  const routes = [];
  for (const family of ['-4', '-6']) {
    routes.push(...(await ipJson(ns.name, [family, 'route', 'show', 'table', 'all']))
      .map(normalRoute));
  }
  const byName = (a, b) => a.ifname.localeCompare(b.ifname);
  return { links: links.sort(byName), addrs: addrs.sort(byName), routes: routes.sort() };
}

/**
 * Asserts that `ns` dumps as `before`. The kernel finishes a few things
 * a moment after the undo (a link-local address once the carrier is up),
 * so the dump is taken again for up to two seconds before it counts.
 */
async function assertRestored(ns, before, what) {
  let now;
  for (let i = 0; i < 40; i++) {
    now = await dump(ns);
    if (JSON.stringify(now) === JSON.stringify(before)) return;
    await sleep(50);
  }
  assert.equal(now, before, `${what}: ${ns.name} is not as it was before the batch`);
}

/** Both namespaces' dumps. */
async function dumps({ host, pod }) {
  return { host: await dump(host), pod: await dump(pod) };
}

async function assertBothRestored({ host, pod }, before, what) {
  await assertRestored(host, before.host, what);
  await assertRestored(pod, before.pod, what);
}

/** Checks an undone error: the failing op's own error, with undone: true. */
function assertUndone(error, fields) {
  assert.instance(error, NsdoError);
  for (const [key, want] of Object.entries(fields)) {
    assert.is(error[key], want, `error.${key} (${error.code}: ${error.message})`);
  }
  const why = (error.undoErrors ?? []).map((e) => `${e.code}: ${e.message}`).join('\n');
  assert.is(error.undone, true, `error.undone; undo errors:\n${why}`);
  assert.is(error.undoErrors, undefined, 'no undo errors');
}

// ---------------------------------------------------------------------------
// A realistic batch, and a failure injected at every position

/**
 * Pod setup (a veth into the pod namespace, on the bridge), a new bridge
 * with a veth attached, addresses and a route on it, then changes to what
 * was there: a route replaced, a route deleted, an address deleted (a
 * route uses it as its source), an address added beside another, an MTU,
 * a link taken down, renamed and brought up with a new MAC, a bridge
 * deleted with its port, a veth pair deleted, a port detached.
 */
function realisticBatch(pod) {
  return [
    link.add({ name: 'vp0', type: 'veth', master: 'br0', up: true,
      peer: { name: 'eth0', namespace: pod.path } }),
    link.add({ name: 'br1', type: 'bridge', up: true }),
    link.add({ name: 'vb0', type: 'veth', master: 'br1', up: true, peer: { name: 'vb1' } }),
    link.set('vb1', { up: true, mtu: 1400 }),
    addr.add('br1', '10.89.0.1/24'),
    addr.add('br1', 'fd00:89::1/64'),
    route.add({ to: '10.90.0.0/16', via: '10.89.0.2' }),
    route.replace({ to: '10.99.0.0/16', via: '10.88.0.3' }),
    route.del({ to: '10.98.0.0/16' }),
    addr.del('ex1', '10.77.0.1/24'),
    addr.add('br0', '10.88.0.100/16'),
    link.set('ex1', { mtu: 1300 }),
    link.set('old0', { up: false }),
    link.set('old0', { name: 'new0', mtu: 1280 }),
    link.set('new0', { up: true, mac: '02:00:00:00:66:01' }),
    link.del('gone0'),
    link.del('gp0'),
    link.set('ex0', { master: null }),
    link.set('br0', { mtu: 1450 }),
  ];
}

const BATCH_LENGTH = 19;

test('the realistic batch runs whole when nothing fails', () =>
  withHostAndPod(async (ns) => {
    const ops = realisticBatch(ns.pod);
    assert.is(ops.length, BATCH_LENGTH);
    const results = await withNamespace(ns.host.path, ops, { atomic: true });
    assert.is(results.length, BATCH_LENGTH);
    const after = await dump(ns.host);
    assert.ok(after.links.some((l) => l.ifname === 'new0'), 'renamed');
    assert.not.ok(after.links.some((l) => l.ifname === 'gone0'), 'deleted');
    assert.ok((await dump(ns.pod)).links.some((l) => l.ifname === 'eth0'), 'pod end made');
  }));

for (let k = 0; k <= BATCH_LENGTH; k++) {
  test(`a failure at position ${k} of ${BATCH_LENGTH} is undone to the last detail`, () =>
    withHostAndPod(async (ns) => {
      const before = await dumps(ns);
      const ops = realisticBatch(ns.pod);
      ops.splice(k, 0, failing());
      const error = await rejection(withNamespace(ns.host.path, ops, { atomic: true }));
      assertUndone(error, { code: 'ENODEV', op: 'addr.add', index: k });
      assert.is(error.results.length, k, 'results of the ops that ran');
      await assertBothRestored(ns, before, `failure at ${k}`);
    }));
}

test('an op that fails half-way (a link.set whose MAC took but whose MTU did not) is undone',
  () => withHostAndPod(async (ns) => {
    const before = await dumps(ns);
    const error = await rejection(withNamespace(ns.host.path, [
      link.set('old0', { name: 'new0' }),
      link.set('new0', { mac: '02:00:00:00:66:02', mtu: 70000 }),
    ], { atomic: true }));
    assertUndone(error, { code: 'EINVAL', op: 'link.set', index: 1 });
    await assertBothRestored(ns, before, 'half-applied link.set');
  }));

/**
 * A dump without the IPv6 link-local address of `dev` and the kernel
 * routes that come with it: what the kernel adds to a veth end when the
 * other end, elsewhere, comes up and gives it a carrier.
 */
function withoutLinkLocal(d, dev) {
  const own = (r) => r.dev === dev && (r.dst.startsWith('fe80') || r.dst === 'ff00::/8');
  return {
    links: d.links,
    addrs: d.addrs.map((a) => (a.ifname !== dev ? a
      : { ...a, v6: a.v6.filter((v) => JSON.parse(v).scope !== 'link') })),
    routes: d.routes.filter((r) => !own(JSON.parse(r))),
  };
}

test('the pod side of a setup is undone in a fresh namespace: loopback, address, ' +
  'default routes', () => withHostAndPod(async (ns) => {
  await withNamespace(ns.host.path, [link.add({ name: 'vp0', type: 'veth', master: 'br0',
    up: true, peer: { name: 'eth0', namespace: ns.pod.path } })]);
  const before = await dumps(ns);
  const pod = await Namespace.open(ns.pod.path);
  const error = await rejection(withNamespace(pod, [
    link.set('lo', { up: true }),
    link.set('eth0', { up: true, mtu: 1400 }),
    addr.add('eth0', '10.88.0.5/16'),
    addr.add('eth0', 'fd00:88::5/64'),
    route.add({ to: 'default', via: '10.88.0.1' }),
    route.add({ to: 'default', via: 'fd00:88::1' }),
    failing(),
  ], { atomic: true }));
  assertUndone(error, { code: 'ENODEV', index: 6 });
  await assertRestored(ns.pod, before.pod, 'pod side');
  // The batch never names the host namespace, where the other end of
  // eth0 lives. Bringing eth0 up gave that end a carrier, and IPv6 gave it
  // a link-local address: a side effect outside what an atomic batch
  // restores (README, "Atomic batches"). Everything else there is as before.
  assert.equal(withoutLinkLocal(await dump(ns.host), 'vp0'),
    withoutLinkLocal(before.host, 'vp0'), 'the host namespace, but for vp0\'s link-local');
}));

test('names swapped through a third name, and a route of another table, come back', () =>
  withHostAndPod(async (ns) => {
    const before = await dumps(ns);
    const error = await rejection(withNamespace(ns.host.path, [
      link.set('ex1', { name: 'tmp0' }),
      link.set('old1', { name: 'ex1' }),
      link.set('tmp0', { name: 'old1' }),
      route.del({ to: '10.96.0.0/16', table: 100 }),
      route.add({ to: '10.96.0.0/16', via: '10.88.0.3', table: 100, metric: 7 }),
      link.set('ex1', { up: false }),
      failing(),
    ], { atomic: true }));
    assertUndone(error, { code: 'ENODEV', index: 6 });
    await assertBothRestored(ns, before, 'swapped names');
  }));

test('a rename of a link with several IPv4 addresses gives their labels back', () =>
  withHostAndPod(async (ns) => {
    const before = await dumps(ns);
    const error = await rejection(withNamespace(ns.host.path, [
      link.set('ex1', { name: 'tmp0' }),
      failing(),
    ], { atomic: true }));
    assertUndone(error, { code: 'ENODEV', index: 1 });
    await assertBothRestored(ns, before, 'labels after a rename');
  }));

// ---------------------------------------------------------------------------
// Other namespaces

test('a link moved to another namespace is moved back, with its master, state, ' +
  'addresses and routes', () => withHostAndPod(async (ns) => {
  const before = await dumps(ns);
  const error = await rejection(withNamespace(ns.host.path, [
    link.set('old1', { master: 'br0' }),
    link.set('old0', { namespace: ns.pod.path, name: 'eth1' }),
    link.set('ex1', { namespace: ns.pod.path }),
    link.set('gp1', { namespace: ns.pod.path }),
    failing(),
  ], { atomic: true }));
  assertUndone(error, { code: 'ENODEV', index: 4 });
  await assertBothRestored(ns, before, 'moved links');
}));

test('a veth made across namespaces is taken back from both', () =>
  withHostAndPod(async (ns) => {
    const before = await dumps(ns);
    const error = await rejection(withNamespace(ns.host.path, [
      link.add({ name: 'vp0', type: 'veth', up: true,
        peer: { name: 'eth0', namespace: ns.pod.path } }),
      link.add({ name: 'vp1', type: 'veth', peer: { name: 'eth1', namespace: ns.pod.path } }),
      link.set('vp1', { namespace: ns.pod.path, name: 'vp1' }),
      failing(),
    ], { atomic: true }));
    assertUndone(error, { code: 'ENODEV', index: 3 });
    await assertBothRestored(ns, before, 'cross-namespace veths');
  }));

// ---------------------------------------------------------------------------
// What cannot be undone

test('a batch that deletes a veth whose peer is in another namespace is refused ' +
  'before anything runs', () => withHostAndPod(async (ns) => {
  await withNamespace(ns.host.path, [
    link.add({ name: 'vp0', type: 'veth', peer: { name: 'eth0', namespace: ns.pod.path } }),
  ]);
  const before = await dumps(ns);
  const error = await rejects(withNamespace(ns.host.path, [
    link.set('old0', { mtu: 1300 }),
    link.del('vp0'),
  ], { atomic: true }), { code: 'ERR_NSDO_UNDO_UNSUPPORTED', op: 'link.del', index: 1 });
  assert.match(error.message, /peer is in another namespace/);
  await assertBothRestored(ns, before, 'refused batch');
}));

test('deleting a link of a kind the undo cannot make again is refused (vxlan)', () =>
  withHostAndPod(async (ns) => {
    await withNamespace(ns.host.path, [link.add({ name: 'vx0', type: 'vxlan', id: 42 })]);
    const error = await rejects(withNamespace(ns.host.path, [link.del('vx0')],
      { atomic: true }), { code: 'ERR_NSDO_UNDO_UNSUPPORTED', index: 0 });
    assert.match(error.message, /vxlan/);
    assert.ok((await dump(ns.host)).links.some((l) => l.ifname === 'vx0'), 'nothing ran');
  }));

test('losing a route route.add cannot make again (protocol static, multipath) is refused', () =>
  withHostAndPod(async (ns) => {
    await run('ip', ['-n', ns.host.name, 'route', 'add', '10.44.0.0/16', 'via', '10.88.0.2',
      'proto', 'static']);
    await run('ip', ['-n', ns.host.name, 'route', 'add', '10.43.0.0/16',
      'nexthop', 'via', '10.88.0.2', 'nexthop', 'via', '10.88.0.3']);
    const before = await dumps(ns);
    await rejects(withNamespace(ns.host.path, [route.del({ to: '10.44.0.0/16' })],
      { atomic: true }), { code: 'ERR_NSDO_UNDO_UNSUPPORTED', op: 'route.del', index: 0 });
    await rejects(withNamespace(ns.host.path, [
      route.add({ to: '10.42.0.0/16', via: '10.88.0.2' }),
      route.replace({ to: '10.43.0.0/16', via: '10.88.0.2' }),
    ], { atomic: true }), { code: 'ERR_NSDO_UNDO_UNSUPPORTED', op: 'route.replace', index: 1 });
    const down = await rejects(withNamespace(ns.host.path, [link.set('br0', { up: false })],
      { atomic: true }), { code: 'ERR_NSDO_UNDO_UNSUPPORTED', op: 'link.set', index: 0 });
    assert.match(down.message, /10\.44\.0\.0\/16/);
    await assertBothRestored(ns, before, 'refused batches');
  }));

test('an undo that cannot complete says so: undone false, with the errors', () =>
  withScratch(1, async ([a]) => {
    // An IPv6 address on a link without carrier stays tentative once
    // duplicate address detection is on, and a tentative address cannot be
    // a route's source: the undo re-adds the address but not the route.
    await setUp(a, `
      link add d0 type veth peer name d1
      link set d0 up
      addr add fd00:7::1/64 dev d0
    `);
    // Even without address detection, a new IPv6 address is tentative
    // until the kernel's worker has run: the route may need a second try.
    const added = await eventually(async () => (await run('ip', ['-n', a.name, 'route', 'add',
      'fd00:8::/64', 'dev', 'd0', 'src', 'fd00:7::1'], { allowFail: true })) !== null);
    assert.ok(added, 'the route with a source address was set up');
    await run('nsenter', [`--net=${a.path}`, 'sh', '-c',
      'echo 1 > /proc/sys/net/ipv6/conf/d0/accept_dad']);
    const error = await rejection(withNamespace(a.path, [
      addr.del('d0', 'fd00:7::1/64'),
      failing(),
    ], { atomic: true }));
    assert.is(error.code, 'ENODEV', 'the failing op\'s own error');
    assert.is(error.index, 1);
    assert.is(error.undone, false);
    assert.ok(Array.isArray(error.undoErrors) && error.undoErrors.length >= 2,
      'undo errors listed');
    assert.ok(error.undoErrors.every((e) => e instanceof NsdoError));
    const routeAdd = error.undoErrors.find((e) => e.op === 'route.add');
    assert.is(routeAdd?.code, 'EINVAL', 'the route that could not come back');
    const last = error.undoErrors[error.undoErrors.length - 1];
    assert.is(last.code, 'ERR_NSDO_UNDO_INCOMPLETE');
    assert.match(last.message, /fd00:8::\/64/);
  }));

// ---------------------------------------------------------------------------
// Options

test('atomic with continue, or with the callback form, is refused', async () => {
  await rejects(withNamespace('/proc/self/ns/net', [link.list()],
    { atomic: true, continue: true }), { code: 'ERR_NSDO_BAD_ARGUMENT' });
  await rejects(withNamespace('/proc/self/ns/net', async () => 1, { atomic: true }),
    { code: 'ERR_NSDO_BAD_ARGUMENT' });
});

test('an atomic batch aborted before it is sent runs nothing', () =>
  withHostAndPod(async (ns) => {
    const before = await dumps(ns);
    const controller = new AbortController();
    controller.abort();
    await rejects(withNamespace(ns.host.path, [link.del('gone0')],
      { atomic: true, signal: controller.signal }), { code: 'ERR_NSDO_ABORTED' });
    await assertBothRestored(ns, before, 'aborted batch');
  }));

test.run();

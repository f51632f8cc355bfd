// link.add, link.set, link.del, link.get, link.list against the real
// kernel, each checked through `ip -j -d link show` in the namespace.
import fs from 'node:fs';
import * as assert from 'uvu/assert';
import { withNamespace, Namespace, link } from '../dist/index.js';
import { suite } from './lib/harness.mjs';
import { rejects } from './lib/expect.mjs';
import { eventually, linkByName, links, probeLinkKind } from './lib/kernel.mjs';
import { withProcessIn, withScratch } from './lib/scratch.mjs';

const test = suite('link');

const kindOf = (l) => l?.linkinfo?.info_kind;
const isUp = (l) => l.flags.includes('UP');

test('link.add veth: both ends in the target namespace', () => withScratch(1, async ([a]) => {
  const results = await withNamespace(a.path, [
    link.add({ name: 'v0', type: 'veth', peer: { name: 'v1' } }),
  ]);
  assert.is(results.length, 1);

  const v0 = await linkByName(a.name, 'v0');
  const v1 = await linkByName(a.name, 'v1');
  assert.is(kindOf(v0), 'veth');
  assert.is(kindOf(v1), 'veth');
  assert.is(v0.link, 'v1', 'v0 is paired with v1');
}));

for (const [form, target] of [
  ['a path', (b) => b.path],
  ['a Namespace handle', (b) => Namespace.open(b.name)],
]) {
  test(`link.add veth: peer created directly in another namespace (${form})`, () =>
    withScratch(2, async ([a, b]) => {
      await withNamespace(a.path, [link.add({
        name: 'va', type: 'veth', mtu: 1400, mac: '02:00:00:00:0a:01',
        peer: { name: 'vb', namespace: await target(b), mtu: 1300, mac: '02:00:00:00:0b:01' },
      })]);

      const va = await linkByName(a.name, 'va');
      const vb = await linkByName(b.name, 'vb');
      assert.ok(va, 'va exists in a');
      assert.ok(vb, 'vb exists in b');
      assert.not.ok(await linkByName(a.name, 'vb'), 'vb is not in a');
      assert.not.ok(await linkByName(b.name, 'va'), 'va is not in b');
      assert.is(va.mtu, 1400);
      assert.is(vb.mtu, 1300);
      assert.is(va.address, '02:00:00:00:0a:01');
      assert.is(vb.address, '02:00:00:00:0b:01');
      assert.is(va.link_index, vb.ifindex, 'va is paired with vb across namespaces');
    }));
}

test('link.add veth: peer namespace given as a pid', () => withScratch(2, async ([a, b]) => {
  await withProcessIn(b.path, async (pid) => {
    await withNamespace(a.path, [
      link.add({ name: 'va', type: 'veth', peer: { name: 'vb', namespace: pid } }),
    ]);
  });
  assert.ok(await linkByName(a.name, 'va'));
  assert.ok(await linkByName(b.name, 'vb'));
}));

test('link.add veth with queue counts: the peer shares them unless it has its own', () =>
  withScratch(2, async ([a, b]) => {
    const queues = (l) => [l.num_tx_queues, l.num_rx_queues];
    await withNamespace(a.path, [
      link.add({ name: 'q0', type: 'veth', txQueues: 1, rxQueues: 1,
        peer: { name: 'q1', namespace: b.path } }),
      link.add({ name: 'q2', type: 'veth', txQueues: 2, rxQueues: 3,
        peer: { name: 'q3', txQueues: 4 } }),
      link.add({ name: 'q4', type: 'veth', peer: { name: 'q5' } }),
      link.add({ name: 'q6', type: 'veth', txQueues: 1, rxQueues: 1 }),
    ]);
    assert.equal(queues(await linkByName(a.name, 'q0')), [1, 1]);
    assert.equal(queues(await linkByName(b.name, 'q1')), [1, 1]);
    assert.equal(queues(await linkByName(a.name, 'q2')), [2, 3]);
    assert.equal(queues(await linkByName(a.name, 'q3')), [4, 3]);

    // without them a veth gets the kernel's default, one per possible CPU
    const possible = possibleCpus();
    assert.equal(queues(await linkByName(a.name, 'q4')), [possible, possible]);
    assert.equal(queues(await linkByName(a.name, 'q5')), [possible, possible]);

    // with no peer map the kernel names the peer, which still gets them
    const q6 = await linkByName(a.name, 'q6');
    const peer = await linkByName(a.name, q6.link);
    assert.equal(queues(q6), [1, 1]);
    assert.equal(queues(peer), [1, 1], `the kernel-named peer ${q6.link}`);

    await rejects(Promise.resolve().then(() => link.add({ name: 'q7', type: 'veth', txQueues: 0 })),
      { code: 'ERR_NSDO_BAD_ARGUMENT' });
  }));

/** /sys/devices/system/cpu/possible, e.g. "0-1" or "0,2-3", as a count. */
function possibleCpus() {
  return fs.readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim().split(',')
    .map((range) => range.split('-').map(Number))
    .reduce((n, [first, last = first]) => n + last - first + 1, 0);
}

test('link.add bridge with mtu, mac and up', () => withScratch(1, async ([a]) => {
  await withNamespace(a.path, [
    link.add({ name: 'br0', type: 'bridge', mtu: 1450, mac: '02:00:00:00:00:b0', up: true }),
  ]);
  const br = await linkByName(a.name, 'br0');
  assert.is(kindOf(br), 'bridge');
  assert.is(br.mtu, 1450);
  assert.is(br.address, '02:00:00:00:00:b0');
  assert.ok(isUp(br), 'br0 is up');
}));

test('link.add vxlan with id, port, local, remote and dev', () => withScratch(1, async ([a]) => {
  await withNamespace(a.path, [
    link.add({ name: 'u0', type: 'veth', peer: { name: 'u1' } }),
    link.add({
      name: 'vx0', type: 'vxlan', id: 42, port: 4790, local: '10.9.0.1', remote: '10.9.0.2',
      dev: 'u0',
    }),
  ]);
  const data = (await linkByName(a.name, 'vx0'))?.linkinfo?.info_data;
  assert.is(kindOf(await linkByName(a.name, 'vx0')), 'vxlan');
  assert.is(data.id, 42);
  assert.is(data.port, 4790);
  assert.is(data.local, '10.9.0.1');
  assert.is(data.remote, '10.9.0.2');
  assert.is(data.link, 'u0');
}));

test('link.add vxlan with a multicast group and the default port', () =>
  withScratch(1, async ([a]) => {
    await withNamespace(a.path, [
      link.add({ name: 'u0', type: 'veth', peer: { name: 'u1' } }),
      link.add({ name: 'vx1', type: 'vxlan', id: 43, group: '239.1.1.1', dev: 'u0' }),
    ]);
    const data = (await linkByName(a.name, 'vx1'))?.linkinfo?.info_data;
    assert.is(data.id, 43);
    assert.is(data.group, '239.1.1.1');
    assert.is(data.port, 4789, 'the default port is 4789');
  }));

test('link.add vxlan over IPv6', () => withScratch(1, async ([a]) => {
  await withNamespace(a.path, [
    link.add({ name: 'vx2', type: 'vxlan', id: 44, local: 'fd00::1', remote: 'fd00::2' }),
  ]);
  const data = (await linkByName(a.name, 'vx2'))?.linkinfo?.info_data;
  assert.is(data.local6, 'fd00::1');
  assert.is(data.remote6, 'fd00::2');
}));

test('link.add ifb (a kind nsdo sends without data)', () => withScratch(1, async ([a]) => {
  await withNamespace(a.path, [link.add({ name: 'ifb7', type: 'ifb' })]);
  assert.is(kindOf(await linkByName(a.name, 'ifb7')), 'ifb');
}));

kindTest('dummy', async (a) => {
  await withNamespace(a.path, [link.add({ name: 'd0', type: 'dummy', up: true })]);
  const d0 = await linkByName(a.name, 'd0');
  assert.is(kindOf(d0), 'dummy');
  assert.ok(isUp(d0));
});

kindTest('vlan', async (a) => {
  await withNamespace(a.path, [
    link.add({ name: 'u0', type: 'veth', peer: { name: 'u1' } }),
    link.add({ name: 'u0.7', type: 'vlan', id: 7, link: 'u0' }),
  ]);
  const vl = await linkByName(a.name, 'u0.7');
  assert.is(kindOf(vl), 'vlan');
  assert.is(vl.linkinfo.info_data.id, 7);
  assert.is(vl.link, 'u0');
});

kindTest('macvlan', async (a) => {
  await withNamespace(a.path, [
    link.add({ name: 'u0', type: 'veth', peer: { name: 'u1' } }),
    link.add({ name: 'm0', type: 'macvlan', link: 'u0', mode: 'bridge' }),
  ]);
  const m0 = await linkByName(a.name, 'm0');
  assert.is(kindOf(m0), 'macvlan');
  assert.is(m0.linkinfo.info_data.mode, 'bridge');
  assert.is(m0.link, 'u0');
});

/** A link.add test that is skipped, with the reason, when the kernel lacks the kind. */
function kindTest(kind, body) {
  const title = `link.add ${kind}`;
  const probe = probeLinkKind(kind);
  if (probe.ok) test(title, () => withScratch(1, ([a]) => body(a)));
  else test.skip(title, probe.reason);
}

test('link.add of a kind the kernel does not know fails with the kernel\'s reason', () =>
  withScratch(1, async ([a]) => {
    const error = await rejects(
      withNamespace(a.path, [link.add({ name: 'x0', type: 'nsdo-no-such-kind' })]),
      { code: 'EOPNOTSUPP', errno: -95, op: 'link.add', index: 0 });
    assert.match(error.extack ?? '', /Unknown device type/);
    assert.not.ok(await linkByName(a.name, 'x0'));
  }));

test('link.set up and down', () => withScratch(1, async ([a]) => {
  await withNamespace(a.path, [
    link.add({ name: 'br0', type: 'bridge' }),
    link.set('br0', { up: true }),
  ]);
  assert.ok(isUp(await linkByName(a.name, 'br0')));
  await withNamespace(a.path, [link.set('br0', { up: false })]);
  assert.not.ok(isUp(await linkByName(a.name, 'br0')));
}));

test('link.set mtu and mac', () => withScratch(1, async ([a]) => {
  await withNamespace(a.path, [
    link.add({ name: 'v0', type: 'veth', peer: { name: 'v1' } }),
    link.set('v0', { mtu: 1280, mac: '02:00:00:00:01:01' }),
  ]);
  const v0 = await linkByName(a.name, 'v0');
  assert.is(v0.mtu, 1280);
  assert.is(v0.address, '02:00:00:00:01:01');
}));

test('link.set name renames a down link, by name and by index', () =>
  withScratch(1, async ([a]) => {
    await withNamespace(a.path, [link.add({ name: 'old0', type: 'bridge' })]);
    const index = (await linkByName(a.name, 'old0')).ifindex;
    await withNamespace(a.path, [link.set('old0', { name: 'new0' })]);
    assert.not.ok(await linkByName(a.name, 'old0'));
    assert.is((await linkByName(a.name, 'new0')).ifindex, index);
    await withNamespace(a.path, [link.set(index, { name: 'newer0' })]);
    assert.is((await linkByName(a.name, 'newer0')).ifindex, index);
  }));

test('link.set master attaches to a bridge; master null detaches', () =>
  withScratch(1, async ([a]) => {
    await withNamespace(a.path, [
      link.add({ name: 'br0', type: 'bridge' }),
      link.add({ name: 'v0', type: 'veth', peer: { name: 'v1' } }),
      link.set('v0', { master: 'br0' }),
    ]);
    assert.is((await linkByName(a.name, 'v0')).master, 'br0');

    await withNamespace(a.path, [link.set('v0', { master: null })]);
    assert.is((await linkByName(a.name, 'v0')).master, undefined);

    const brIndex = (await linkByName(a.name, 'br0')).ifindex;
    await withNamespace(a.path, [link.set('v0', { master: brIndex })]);
    assert.is((await linkByName(a.name, 'v0')).master, 'br0', 'master given as an index');
  }));

test('link.add with master attaches at creation', () => withScratch(1, async ([a]) => {
  await withNamespace(a.path, [
    link.add({ name: 'br0', type: 'bridge' }),
    link.add({ name: 'v0', type: 'veth', master: 'br0', peer: { name: 'v1' } }),
  ]);
  assert.is((await linkByName(a.name, 'v0')).master, 'br0');
}));

test('link.set namespace: a Namespace handle, a path and a pid', () =>
  withScratch(2, async ([a, b]) => {
    await withNamespace(a.path, [
      link.add({ name: 'p0', type: 'veth', peer: { name: 'q0' } }),
      link.add({ name: 'p1', type: 'veth', peer: { name: 'q1' } }),
      link.add({ name: 'p2', type: 'veth', peer: { name: 'q2' } }),
    ]);
    const handle = await Namespace.open(b.name);
    await withNamespace(a.path, [
      link.set('q0', { namespace: handle }),
      link.set('q1', { namespace: b.path }),
    ]);
    await withProcessIn(b.path,
      (pid) => withNamespace(a.path, [link.set('q2', { namespace: pid })]));

    const inA = (await links(a.name)).map((l) => l.ifname);
    const inB = (await links(b.name)).map((l) => l.ifname);
    for (const q of ['q0', 'q1', 'q2']) {
      assert.ok(inB.includes(q), `${q} moved to b`);
      assert.not.ok(inA.includes(q), `${q} left a`);
    }
  }));

test('link.del by name and by index; deleting a veth end removes both', () =>
  withScratch(1, async ([a]) => {
    await withNamespace(a.path, [
      link.add({ name: 'v0', type: 'veth', peer: { name: 'v1' } }),
      link.add({ name: 'br0', type: 'bridge' }),
    ]);
    const brIndex = (await linkByName(a.name, 'br0')).ifindex;
    await withNamespace(a.path, [link.del('v0'), link.del(brIndex)]);
    const names = (await links(a.name)).map((l) => l.ifname);
    assert.equal(names, ['lo']);
  }));

test('link.get by name and by index gives the kernel\'s fields', () =>
  withScratch(1, async ([a]) => {
    await withNamespace(a.path, [
      link.add({ name: 'br0', type: 'bridge', up: true }),
      link.add({
        name: 'v0', type: 'veth', mtu: 1400, mac: '02:00:00:00:02:01', master: 'br0', up: true,
        peer: { name: 'v1' },
      }),
    ]);
    // v1 is down, so v0 settles in LOWERLAYERDOWN (the kernel's linkwatch
    // updates operstate a moment after the link comes up)
    const settled = await eventually(async () =>
      (await linkByName(a.name, 'v0')).operstate === 'LOWERLAYERDOWN');
    assert.ok(settled, 'v0 reaches LOWERLAYERDOWN');
    const ipV0 = await linkByName(a.name, 'v0');
    const ipV1 = await linkByName(a.name, 'v1');
    const ipBr = await linkByName(a.name, 'br0');
    const [byName, byIndex] = await withNamespace(a.path,
      [link.get('v0'), link.get(ipV0.ifindex)]);

    assert.equal(byName, byIndex);
    assert.is(byName.index, ipV0.ifindex);
    assert.is(byName.name, 'v0');
    assert.is(byName.type, 'veth');
    assert.is(byName.mtu, 1400);
    assert.is(byName.up, true);
    assert.is(byName.mac, '02:00:00:00:02:01');
    assert.is(byName.master, 'br0');
    assert.is(byName.masterIndex, ipBr.ifindex);
    assert.is(byName.parentIndex, ipV1.ifindex);
    assert.is(typeof byName.carrier, 'boolean');
    assert.is(byName.operstate, ipV0.operstate.toLowerCase());
  }));

test('link.get of a missing link fails with ENODEV', () => withScratch(1, async ([a]) => {
  await rejects(withNamespace(a.path, [link.get('nope0')]), { code: 'ENODEV', op: 'link.get' });
}));

test('link.list matches ip link show', () => withScratch(1, async ([a]) => {
  await withNamespace(a.path, [
    link.add({ name: 'br0', type: 'bridge', up: true }),
    link.add({ name: 'v0', type: 'veth', master: 'br0', peer: { name: 'v1' } }),
    link.add({ name: 'vx0', type: 'vxlan', id: 9, remote: '10.9.0.9' }),
  ]);
  const [list] = await withNamespace(a.path, [link.list()]);
  const seen = await links(a.name);

  assert.ok(Array.isArray(list));
  assert.is(list.interrupted, false);
  assert.equal(list.map((l) => l.name).sort(), seen.map((l) => l.ifname).sort());
  for (const l of seen) {
    const mine = list.find((x) => x.name === l.ifname);
    assert.is(mine.index, l.ifindex, `${l.ifname}.index`);
    assert.is(mine.mtu, l.mtu, `${l.ifname}.mtu`);
    assert.is(mine.up, isUp(l), `${l.ifname}.up`);
    assert.is(mine.type, kindOf(l) ?? l.link_type, `${l.ifname}.type`);
    assert.is(mine.master, l.master ?? null, `${l.ifname}.master`);
    if (l.link_type === 'ether') assert.is(mine.mac, l.address, `${l.ifname}.mac`);
  }
}));

test.run();

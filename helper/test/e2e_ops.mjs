#!/usr/bin/env node
// The link, addr and route ops, end to end, checked against `ip -j`.
//
// Drives helper/build/nsdo-helper (or $NSDO_HELPER) over a pipe and checks
// each op twice: by its reply (results, errors, the kernel's extended ack)
// and by what `ip` sees afterwards. Needs root and iproute2; it re-runs
// itself inside `unshare --net --mount` so that nothing it does can touch
// this machine's own network or mounts.
//
//   node helper/test/e2e_ops.mjs     prints TAP-like "ok N - name" lines
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Packr, Unpackr } from 'msgpackr';

const here = path.dirname(new URL(import.meta.url).pathname);
const helperPath = process.env.NSDO_HELPER ?? path.join(here, '..', 'build', 'nsdo-helper');

if (!process.env.NSDO_E2E_INSIDE) {
  // The inner run mounts a private tmpfs on /run/netns, which must exist to
  // be a mount point; one made here for that is removed again.
  const made = !fs.existsSync('/run/netns');
  if (made) fs.mkdirSync('/run/netns', { recursive: true });
  const r = spawnSync('unshare', ['--net', '--mount', '--propagation', 'private',
    process.execPath, ...process.argv.slice(1)],
  { stdio: 'inherit', env: { ...process.env, NSDO_E2E_INSIDE: '1' } });
  if (made) fs.rmdirSync('/run/netns');
  process.exit(r.status ?? 1);
}

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

/** Starts the helper; returns a function that sends one batch and waits. */
function startHelper() {
  const proc = spawn(helperPath, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const frames = [];
  const waiters = [];
  let buf = Buffer.alloc(0);
  proc.stdout.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
      const len = buf.readUInt32BE(0);
      const frame = unpackr.unpack(buf.subarray(4, 4 + len));
      buf = buf.subarray(4 + len);
      const w = waiters.shift();
      if (w) w(frame); else frames.push(frame);
    }
  });
  const next = () => (frames.length ? Promise.resolve(frames.shift())
    : new Promise((resolve) => waiters.push(resolve)));
  let id = 0;
  const send = (ops, more = {}) => {
    const payload = packr.pack({ id: ++id, ops, ...more });
    const head = Buffer.alloc(4);
    head.writeUInt32BE(payload.length);
    proc.stdin.write(Buffer.concat([head, payload]));
    return next();
  };
  const close = () => {
    proc.stdin.end();
    return new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  };
  return { next, send, close };
}

let count = 0;
let failed = 0;
async function test(name, fn) {
  count++;
  try {
    await fn();
    console.log(`ok ${count} - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok ${count} - ${name}`);
    console.log(`  # ${String(e.stack ?? e).split('\n').slice(0, 6).join('\n  # ')}`);
  }
}

const ip = (...args) => JSON.parse(execFileSync('ip', ['-j', ...args]).toString() || '[]');
const ipLink = (name, ns) => ip(...(ns ? ['-n', ns] : []), '-d', 'link', 'show', name)[0];
const run = (cmd, ...args) => execFileSync(cmd, args, { stdio: 'ignore' });

/** Sends one batch and returns its results; any error fails the test. */
async function ok(ops, more) {
  const r = await helper.send(ops, more);
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  return r.results;
}

/** Sends one op that must fail; returns the error. */
async function fails(op, code) {
  const r = await helper.send([op]);
  assert.ok(r.error, `expected ${code}, got ${JSON.stringify(r.results)}`);
  assert.equal(r.error.code, code, JSON.stringify(r.error));
  assert.equal(r.error.op, op.op);
  return r.error;
}

run('mount', '-t', 'tmpfs', 'tmpfs', '/run/netns');
run('ip', 'netns', 'add', 'red');
const helper = startHelper();
await helper.next();

await test('link.add bridge with mtu, mac and up in one message', async () => {
  await ok([{ op: 'link.add', name: 'br0', type: 'bridge', mtu: 1400,
    mac: '02:00:00:00:00:01', up: true }]);
  const l = ipLink('br0');
  assert.equal(l.linkinfo.info_kind, 'bridge');
  assert.equal(l.mtu, 1400);
  assert.equal(l.address, '02:00:00:00:00:01');
  assert.ok(l.flags.includes('UP'));
});

await test('link.add veth with master and a configured peer', async () => {
  await ok([{ op: 'link.add', name: 've0', type: 'veth', master: 'br0',
    peer: { name: 've1', mtu: 1300, mac: '02:00:00:00:00:02' } }]);
  assert.equal(ipLink('ve0').master, 'br0');
  const peer = ipLink('ve1');
  assert.equal(peer.mtu, 1300);
  assert.equal(peer.address, '02:00:00:00:00:02');
});

await test('link.add veth with its peer created in another namespace', async () => {
  await ok([{ op: 'link.add', name: 'vr0', type: 'veth',
    peer: { name: 'vr1', namespace: '/run/netns/red' } }]);
  assert.equal(ipLink('vr1', 'red').ifname, 'vr1');
  assert.equal(ip('link').some((l) => l.ifname === 'vr1'), false);
});

await test('link.add vxlan: id, port, local, remote, dev', async () => {
  await ok([{ op: 'link.add', name: 'vx0', type: 'vxlan', id: 42, port: 4790,
    local: '10.9.0.1', remote: '10.9.0.2', dev: 've0' }]);
  const d = ipLink('vx0').linkinfo.info_data;
  assert.deepEqual([d.id, d.port, d.local, d.remote, d.link], [42, 4790, '10.9.0.1', '10.9.0.2', 've0']);
});

await test('link.add vxlan: multicast group, IPv6, port 4789 by default', async () => {
  await ok([{ op: 'link.add', name: 'vx1', type: 'vxlan', id: 43, group: '239.1.1.1', dev: 've0' },
    { op: 'link.add', name: 'vx2', type: 'vxlan', id: 44, local: 'fd00::1', remote: 'fd00::2' }]);
  assert.equal(ipLink('vx1').linkinfo.info_data.group, '239.1.1.1');
  const d = ipLink('vx2').linkinfo.info_data;
  assert.deepEqual([d.local6, d.remote6, d.port], ['fd00::1', 'fd00::2', 4789]);
});

await test('link.add of a kind the kernel lacks: its own errno and extack', async () => {
  const e = await fails({ op: 'link.add', name: 'q0', type: 'nosuchkind' }, 'EOPNOTSUPP');
  assert.equal(e.extack, 'Unknown device type');
  assert.match(e.message, /^link\.add q0: /);
});

await test('link.add of an existing name: EEXIST naming the link', async () => {
  const e = await fails({ op: 'link.add', name: 'br0', type: 'bridge' }, 'EEXIST');
  assert.match(e.message, /^link\.add br0: /);
});

await test('link.add refuses arguments of another kind, peer typos, bad text', async () => {
  let e = await fails({ op: 'link.add', name: 'b9', type: 'bridge', port: 1 },
    'ERR_NSDO_BAD_ARGUMENT');
  assert.match(e.message, /"port" does not apply to type "bridge"/);
  e = await fails({ op: 'link.add', name: 'v9', type: 'veth', peer: { name: 'v8', mtux: 1 } },
    'ERR_NSDO_BAD_ARGUMENT');
  assert.match(e.message, /"peer\.mtux"/);
  e = await fails({ op: 'link.add', name: 'v9', type: 'veth', peer: { name: 'a/b' } },
    'ERR_NSDO_BAD_ARGUMENT');
  assert.match(e.message, /"peer\.name"/);
  e = await fails({ op: 'link.add', name: 'b9', type: 'bridge', mac: '02:00:00:00:00' },
    'ERR_NSDO_BAD_ARGUMENT');
  assert.match(e.message, /"02:00:00:00:00"/);
  e = await fails({ op: 'link.add', name: 'x9', type: 'vxlan', id: 1, remote: '239.1.1.1' },
    'ERR_NSDO_BAD_ARGUMENT');
  assert.match(e.message, /"remote"/);
  assert.equal(ip('link').some((l) => /9$/.test(l.ifname)), false);
});

await test('link.set: rename, mtu, mac, master, up, then detach and down', async () => {
  await ok([{ op: 'link.add', name: 'vs0', type: 'veth', peer: { name: 'vs1' } },
    { op: 'link.set', link: 'vs0', name: 'vs9', mtu: 1234, mac: '02:00:00:00:00:09',
      master: 'br0', up: true }]);
  let l = ipLink('vs9');
  assert.deepEqual([l.mtu, l.address, l.master], [1234, '02:00:00:00:00:09', 'br0']);
  assert.ok(l.flags.includes('UP'));
  await ok([{ op: 'link.set', link: 'vs9', master: null, up: false }]);
  l = ipLink('vs9');
  assert.equal(l.master, undefined);
  assert.equal(l.flags.includes('UP'), false);
});

await test('link.set namespace: by path and by pid', async () => {
  await ok([{ op: 'link.set', link: 'vs9', namespace: '/run/netns/red' }]);
  assert.equal(ipLink('vs9', 'red').ifname, 'vs9');
  await ok([{ op: 'link.set', link: 'vs1', namespace: process.pid }]);
  assert.equal(ipLink('vs1').ifname, 'vs1');
  const e = await fails({ op: 'link.set', link: 'vs1', namespace: 4194304 }, 'ESRCH');
  assert.match(e.message, /^link\.set vs1: /);
});

await test('link.get by name, index and alternative name; ENODEV', async () => {
  const index = ipLink('br0').ifindex;
  run('ip', 'link', 'property', 'add', 'dev', 'br0', 'altname', 'a-long-alternative-name');
  const [a, b, c] = await ok([{ op: 'link.get', link: 'br0' }, { op: 'link.get', link: index },
    { op: 'link.get', link: 'a-long-alternative-name' }]);
  assert.deepEqual(a, b);
  assert.deepEqual(a, c);
  const l = ipLink('br0');
  assert.deepEqual(a, { index, name: 'br0', type: 'bridge', mtu: l.mtu, up: true,
    carrier: !l.flags.includes('NO-CARRIER'), operstate: l.operstate.toLowerCase(),
    mac: '02:00:00:00:00:01', master: null, masterIndex: null, parentIndex: null });
  const [ve0] = await ok([{ op: 'link.get', link: 've0' }]);
  assert.deepEqual([ve0.master, ve0.masterIndex, ve0.parentIndex],
    ['br0', index, ipLink('ve1').ifindex]);
  await fails({ op: 'link.get', link: 'nope' }, 'ENODEV');
  await fails({ op: 'link.get', link: 99999 }, 'ENODEV');
});

await test('link.list matches ip link, also with 300 more links', async () => {
  const batch = [];
  for (let i = 0; i < 300; i++) batch.push({ op: 'link.add', name: `m${i}`, type: 'bridge' });
  await ok(batch);
  const [list] = await ok([{ op: 'link.list' }]);
  assert.equal(list.interrupted, false);
  const names = list.items.map((l) => l.name).sort();
  assert.deepEqual(names, ip('link').map((l) => l.ifname).sort());
  assert.equal(list.items.find((l) => l.name === 'lo').type, 'loopback');
});

await test('link.del: the link and a veth peer go; a second time ENODEV', async () => {
  await ok([{ op: 'link.del', link: 've1' }]);
  assert.equal(ip('link').some((l) => l.ifname === 've0' || l.ifname === 've1'), false);
  const e = await fails({ op: 'link.del', link: 've1' }, 'ENODEV');
  assert.match(e.message, /ve1/);
});

await test('ops run in the namespace the request names', async () => {
  const r = await helper.send([{ op: 'link.list' }], { namespace: '/run/netns/red' });
  assert.deepEqual(r.results[0].items.map((l) => l.name).sort(), ['lo', 'vr1', 'vs9']);
});

await test('addr.add and addr.list, IPv4 and IPv6, bare and with prefix', async () => {
  await ok([{ op: 'link.add', name: 'a0', type: 'veth', up: true, peer: { name: 'a1' } },
    { op: 'addr.add', dev: 'a0', address: '10.1.0.1/24' },
    { op: 'addr.add', dev: 'a0', address: '10.1.0.2' },
    { op: 'addr.add', dev: 'a0', address: 'fd00::1/64' }]);
  const got = ip('addr', 'show', 'a0')[0].addr_info
    .filter((a) => a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`);
  assert.deepEqual(got, ['10.1.0.1/24', '10.1.0.2/32', 'fd00::1/64']);
  const [list] = await ok([{ op: 'addr.list', dev: 'a0' }]);
  assert.deepEqual(list.items[0], { dev: 'a0', index: ipLink('a0').ifindex,
    address: '10.1.0.1', prefixLength: 24, family: 4, scope: 'global' });
  assert.ok(list.items.every((a) => a.dev === 'a0'));
  assert.ok(list.items.some((a) => a.family === 6 && a.address === 'fd00::1'));
  const [all] = await ok([{ op: 'addr.list' }]);
  const ipCount = ip('addr').reduce((n, l) => n + l.addr_info.length, 0);
  assert.equal(all.items.length, ipCount);
});

await test('addr errors: EEXIST with extack, bad text, wrong prefix on delete', async () => {
  let e = await fails({ op: 'addr.add', dev: 'a0', address: '10.1.0.1/24' }, 'EEXIST');
  assert.ok(e.extack);
  assert.match(e.message, /^addr\.add a0 10\.1\.0\.1\/24: /);
  e = await fails({ op: 'addr.add', dev: 'a0', address: '10.1.0.1/33' }, 'ERR_NSDO_BAD_ARGUMENT');
  assert.match(e.message, /"address"/);
  await fails({ op: 'addr.del', dev: 'a0', address: '10.1.0.1' }, 'EADDRNOTAVAIL');
  await ok([{ op: 'addr.del', dev: 'a0', address: '10.1.0.1/24' },
    { op: 'addr.del', dev: 'a0', address: 'fd00::1/64' }]);
  const left = ip('addr', 'show', 'a0')[0].addr_info.filter((a) => a.scope === 'global');
  assert.deepEqual(left.map((a) => a.local), ['10.1.0.2']);
});

await test('route.add: default via, host route, table 1000, IPv6', async () => {
  await ok([{ op: 'addr.add', dev: 'a0', address: '10.1.0.1/24' },
    { op: 'addr.add', dev: 'a0', address: 'fd00::1/64' },
    { op: 'route.add', to: 'default', via: '10.1.0.254' },
    { op: 'route.add', to: '10.2.0.0/16', via: '10.1.0.254', metric: 100 },
    { op: 'route.add', to: '10.3.0.7', dev: 'a0', src: '10.1.0.1' },
    { op: 'route.add', to: '10.5.0.0/16', dev: 'a0', table: 1000 },
    { op: 'route.add', to: 'fd01::/64', via: 'fd00::fe', metric: 5 }]);
  const v4 = ip('route', 'show', 'table', 'all');
  assert.ok(v4.some((r) => r.dst === 'default' && r.gateway === '10.1.0.254'));
  assert.ok(v4.some((r) => r.dst === '10.3.0.7' && r.scope === 'link' && r.prefsrc === '10.1.0.1'));
  assert.ok(v4.some((r) => r.dst === '10.5.0.0/16' && r.table === '1000'));
  assert.ok(ip('-6', 'route').some((r) => r.dst === 'fd01::/64' && r.metric === 5));
});

await test('route.list: main by default, a table, a family', async () => {
  const [main, t1000, v6] = await ok([{ op: 'route.list' }, { op: 'route.list', table: 1000 },
    { op: 'route.list', family: 6 }]);
  assert.deepEqual(main.items.find((r) => r.to === 'default' && r.family === 4),
    { to: 'default', via: '10.1.0.254', dev: 'a0', table: 254, metric: 0, family: 4,
      scope: 'universe', protocol: 'boot', type: 'unicast', src: null });
  assert.deepEqual(main.items.find((r) => r.to === '10.3.0.7/32'),
    { to: '10.3.0.7/32', via: null, dev: 'a0', table: 254, metric: 0, family: 4,
      scope: 'link', protocol: 'boot', type: 'unicast', src: '10.1.0.1' });
  assert.ok(main.items.every((r) => r.table === 254));
  assert.deepEqual(t1000.items.map((r) => r.to), ['10.5.0.0/16']);
  assert.ok(v6.items.every((r) => r.family === 6));
  assert.ok(v6.items.some((r) => r.to === 'fd01::/64' && r.via === 'fd00::fe'));
  const [none] = await ok([{ op: 'route.list', table: 77, family: 4 }]);
  assert.deepEqual(none.items, []);
});

await test('route.replace and route.del', async () => {
  await ok([{ op: 'route.replace', to: '10.2.0.0/16', via: '10.1.0.253', metric: 100 }]);
  assert.equal(ip('route', 'show', '10.2.0.0/16')[0].gateway, '10.1.0.253');
  await ok([{ op: 'route.del', to: '10.2.0.0/16' }, { op: 'route.del', to: 'fd01::/64' },
    { op: 'route.del', to: '10.5.0.0/16', table: 1000 }]);
  assert.deepEqual(ip('route', 'show', '10.2.0.0/16'), []);
  await fails({ op: 'route.del', to: '10.2.0.0/16' }, 'ESRCH');
});

await test('route errors: the kernel\'s extack, mixed families, missing family', async () => {
  let e = await fails({ op: 'route.add', to: '10.2.0.1/16', via: '10.1.0.254' }, 'EINVAL');
  assert.equal(e.extack, 'Invalid prefix for given prefix length');
  e = await fails({ op: 'route.add', to: '10.2.0.0/16', via: 'fd00::fe' }, 'ERR_NSDO_BAD_ARGUMENT');
  assert.match(e.message, /"via"/);
  e = await fails({ op: 'route.add', to: 'default', dev: 'a0' }, 'ERR_NSDO_BAD_ARGUMENT');
  assert.match(e.message, /"family"/);
  await fails({ op: 'route.list', table: 'every' }, 'ERR_NSDO_BAD_ARGUMENT');
});

assert.equal(await helper.close(), 0);
console.log(`1..${count}`);
if (failed) {
  console.log(`# ${failed} failed`);
  process.exit(1);
}

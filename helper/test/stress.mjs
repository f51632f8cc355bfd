#!/usr/bin/env node
// The helper under a stream of broken input: mutated requests and random
// bytes, one frame after another. Every frame must get a reply that decodes,
// the helper must never stop answering, and it must exit 0 at the end with
// nothing on stderr from a sanitizer. Run it against the sanitized build to
// catch memory errors:
//
//   npx zx scripts/build-helper.mjs --sanitize
//   NSDO_HELPER=helper/build/nsdo-helper-asan node helper/test/stress.mjs [count]
//
// The seeds run real link, addr and route ops, so it re-runs itself inside
// `unshare --net --mount`; namespace.* ops are left out of the seeds so that
// no mutation can reach the filesystem.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { Packr, Unpackr } from 'msgpackr';

const here = path.dirname(new URL(import.meta.url).pathname);
const helperPath = process.env.NSDO_HELPER ?? path.join(here, '..', 'build', 'nsdo-helper');
const N = Number(process.argv[2] ?? 20000);

if (!process.env.NSDO_STRESS_INSIDE) {
  const r = spawnSync('unshare', ['--net', '--mount', '--propagation', 'private',
    process.execPath, ...process.argv.slice(1)],
  { stdio: 'inherit', env: { ...process.env, NSDO_STRESS_INSIDE: '1' } });
  process.exit(r.status ?? 1);
}

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

const seeds = [
  { id: 1, ops: [{ op: 'link.list' }] },
  { id: 2, continue: true, ops: [
    { op: 'link.add', name: 'v0', type: 'veth', peer: { name: 'v1' }, mtu: 1400, up: true },
    { op: 'link.del', link: 'v0' }] },
  { id: 3, ops: [{ op: 'addr.add', dev: 'lo', address: '10.9.0.1/24' }, { op: 'addr.list' },
    { op: 'addr.del', dev: 1, address: '10.9.0.1/24' }] },
  { id: 4, namespace: process.pid, ops: [{ op: 'route.list', table: 'all' },
    { op: 'route.add', to: '10.8.0.0/16', dev: 'lo' },
    { op: 'route.del', to: '10.8.0.0/16', dev: 'lo' }] },
  { id: 5, namespace: '/proc/self/ns/net', ops: [
    { op: 'link.set', link: 'lo', up: true, mtu: 65536 }, { op: 'link.get', link: 1 }] },
  { id: 6, ops: [{ op: 'link.add', name: 'br0', type: 'bridge' },
    { op: 'link.add', name: 'vx0', type: 'vxlan', id: 42, dev: 'lo', port: 4789,
      local: '127.0.0.1', group: '239.1.1.1' },
    { op: 'link.del', link: 'vx0' }, { op: 'link.del', link: 'br0' }] },
].map((o) => packr.pack(o));

// Bytes that change the meaning of what follows them the most.
const nasty = [0x00, 0x7f, 0xff, 0xc0, 0xdd, 0xdf, 0xcc, 0xcf, 0xa0, 0xd9, 0xc7];

let seed = 7;
function random(n) {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return (seed >>> 8) % n;
}

/** Frame i: random bytes every tenth time, else a seed with a few mutations. */
function frame(i) {
  if (i % 10 === 0) return Buffer.from(Array.from({ length: 1 + random(64) }, () => random(256)));
  let b = Buffer.from(seeds[random(seeds.length)]);
  for (let m = 1 + random(4); m > 0; m--) {
    const at = random(b.length);
    switch (random(4)) {
      case 0: b[at] = random(256); break;
      case 1: b[at] ^= 1 << random(8); break;
      case 2: b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + random(4))]); break;
      default: b = Buffer.concat([b.subarray(0, at), Buffer.from([nasty[random(nasty.length)]]),
        b.subarray(at)]);
    }
  }
  return b.length ? b : Buffer.from([0xc0]);
}

const proc = spawn(helperPath, [], { stdio: ['pipe', 'pipe', 'pipe'] });
let stderr = '';
let pending = Buffer.alloc(0);
let replies = 0;
const waiters = [];
proc.stderr.on('data', (d) => { stderr += d; });
proc.stdout.on('data', (d) => {
  pending = Buffer.concat([pending, d]);
  while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
    const len = pending.readUInt32BE(0);
    unpackr.unpack(pending.subarray(4, 4 + len));	// throws if it does not decode
    pending = pending.subarray(4 + len);
    replies++;
    waiters.shift()?.();
  }
});

function reply() {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no reply within 5 s')), 5000);
    waiters.push(() => { clearTimeout(t); resolve(); });
  });
}

function send(payload) {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(payload.length);
  proc.stdin.write(Buffer.concat([head, payload]));
  return reply();
}

await reply();	// the hello
for (let i = 0; i < N; i++) {
  const b = frame(i);
  try {
    await send(b);
  } catch (e) {
    console.log(`frame ${i} got no reply: ${b.toString('hex')}\n${stderr.slice(-3000)}`);
    process.exit(1);
  }
}
proc.stdin.end();
proc.on('exit', (code, signal) => {
  const bad = stderr.split('\n').filter((l) => /Sanitizer|runtime error/.test(l));
  console.log(`${replies} replies to ${N} frames and the hello; exit ${code ?? signal}`);
  if (bad.length) console.log(bad.slice(0, 20).join('\n'));
  process.exit(code === 0 && !bad.length ? 0 : 1);
});

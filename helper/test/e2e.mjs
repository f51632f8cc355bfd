#!/usr/bin/env node
// The helper's protocol, end to end: frames in, frames out, on a real kernel.
//
// Drives helper/build/nsdo-helper (or $NSDO_HELPER) over a pipe, the way any
// driver would, and checks every reply against PROTOCOL.md: the hello, bad
// frames, bad requests, namespace errors, namespace.* ops, continue mode,
// and that the helper keeps serving after each refusal. Needs root; it
// re-runs itself inside `unshare --net --mount` so that nothing it does can
// touch this machine's own network or mounts.
//
//   node helper/test/e2e.mjs          prints TAP-like "ok N - name" lines
import { spawn, spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
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
const helpers = [];
let sanitized = false;

/** A helper process with a frame reader on its stdout. */
class Helper {
  constructor(env = {}, prefix = []) {
    const [cmd, ...args] = [...prefix, helperPath];
    this.proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env } });
    this.buf = Buffer.alloc(0);
    this.waiters = [];
    this.frames = [];
    this.stderr = '';
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, sig) =>
      resolve({ code, sig })));
    this.proc.stderr.on('data', (d) => { this.stderr += d; });
    this.proc.stdout.on('data', (d) => this.onData(d));
    this.proc.stdin.on('error', () => {});
    helpers.push(this);
  }

  onData(d) {
    this.buf = Buffer.concat([this.buf, d]);
    while (this.buf.length >= 4) {
      const len = this.buf.readUInt32BE(0);
      if (this.buf.length < 4 + len) break;
      const frame = unpackr.unpack(this.buf.subarray(4, 4 + len));
      this.buf = this.buf.subarray(4 + len);
      const w = this.waiters.shift();
      if (w) w(frame); else this.frames.push(frame);
    }
  }

  next() {
    if (this.frames.length) return Promise.resolve(this.frames.shift());
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no reply within 10 s')), 10000);
      this.waiters.push((f) => { clearTimeout(t); resolve(f); });
    });
  }

  sendRaw(payload) {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(payload.length);
    this.proc.stdin.write(Buffer.concat([head, payload]));
  }

  async request(req) {
    this.sendRaw(packr.pack(req));
    return this.next();
  }

  async close() {
    this.proc.stdin.end();
    return this.exited;
  }
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

function idOf(p) {
  const st = fs.statSync(p, { bigint: true });
  return `${st.dev}:${st.ino}`;
}

function expectError(reply, code, extra = {}) {
  assert.ok(reply.error, `expected error ${code}, got ${JSON.stringify(reply)}`);
  assert.equal(reply.error.code, code, JSON.stringify(reply.error));
  for (const [k, v] of Object.entries(extra)) assert.deepEqual(reply.error[k], v, k);
  assert.equal(typeof reply.error.message, 'string');
}

spawnSync('mount', ['-t', 'tmpfs', 'tmpfs', '/run/netns']);
const home = idOf('/proc/self/ns/net');
const h = new Helper();
let nextId = 1;
const req = (ops, more = {}) => h.request({ id: nextId++, ops, ...more });

await test('hello names protocol 1, the pid and the home namespace', async () => {
  const hello = await h.next();
  assert.equal(hello.hello, 'nsdo');
  assert.equal(hello.protocol, 1);
  assert.equal(hello.pid, h.proc.pid);
  assert.equal(hello.maxFrame, 4194304);
  assert.equal(hello.namespace, home);
  assert.equal(typeof hello.version, 'string');
  assert.equal(typeof hello.build, 'string');
  sanitized = /asan/.test(hello.build);
});

await test('link.list in the home namespace', async () => {
  const r = await req([{ op: 'link.list' }]);
  assert.equal(r.id, 1);
  assert.equal(r.namespace, home);
  assert.equal(r.error, undefined);
  assert.ok(r.results[0].items.some((l) => l.name === 'lo'));
});

await test('junk bytes: BAD_FRAME with id 0, then still serving', async () => {
  h.sendRaw(Buffer.from([0xc1]));
  expectError(await h.next(), 'ERR_NSDO_BAD_FRAME', { index: null, op: null });
  h.sendRaw(Buffer.from([0x81, 0xa2, 0x69, 0x64]));	// truncated map
  const r = await h.next();
  expectError(r, 'ERR_NSDO_BAD_FRAME');
  assert.equal(r.id, 0);
  assert.equal(r.namespace, null);
  assert.deepEqual(r.results, []);
});

await test('trailing bytes after the value: BAD_FRAME', async () => {
  h.sendRaw(Buffer.concat([packr.pack({ id: 5, ops: [{ op: 'link.list' }] }),
    Buffer.from([0xc0])]));
  expectError(await h.next(), 'ERR_NSDO_BAD_FRAME');
});

await test('extension type: BAD_FRAME', async () => {
  h.sendRaw(Buffer.from([0x82, 0xa2, 0x69, 0x64, 0x01, 0xa3, 0x6f, 0x70, 0x73,
    0xd4, 0x01, 0x00]));
  expectError(await h.next(), 'ERR_NSDO_BAD_FRAME');
});

await test('nesting of 17: TOO_DEEP; 16 is fine', async () => {
  let v = 1;
  for (let i = 0; i < 17; i++) v = [v];
  h.sendRaw(packr.pack(v));
  expectError(await h.next(), 'ERR_NSDO_TOO_DEEP');
  v = 1;
  for (let i = 0; i < 16; i++) v = [v];
  h.sendRaw(packr.pack(v));	// 16 arrays: well-formed, but not a request
  expectError(await h.next(), 'ERR_NSDO_BAD_REQUEST');
});

await test('length 0: BAD_FRAME', async () => {
  h.proc.stdin.write(Buffer.alloc(4));
  expectError(await h.next(), 'ERR_NSDO_BAD_FRAME');
});

await test('5 MiB frame: FRAME_TOO_LARGE, discarded, next one answered', async () => {
  h.sendRaw(Buffer.alloc(5 * 1024 * 1024, 0x90));
  expectError(await h.next(), 'ERR_NSDO_FRAME_TOO_LARGE');
  const r = await req([{ op: 'link.list' }]);
  assert.equal(r.error, undefined);
});

await test('a 4 MiB frame is read, and memory is given back after', async () => {
  const big = 'x'.repeat(4 * 1024 * 1024 - 64);
  const r = await h.request({ id: 77, ops: [{ op: 'link.list', big }] });
  expectError(r, 'ERR_NSDO_BAD_ARGUMENT', { index: 0, op: 'link.list' });
  assert.equal(r.id, 77);
  if (sanitized) return;	// ASan's shadow memory says nothing about ours
  await req([{ op: 'link.get', link: 1 }]);	// the buffer is freed after a reply
  const status = fs.readFileSync(`/proc/${h.proc.pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  assert.ok(rss < 1024, `VmRSS ${rss} kB after the big frame`);
});

for (const [name, body, code] of [
  ['not a map', [1, 2], 'ERR_NSDO_BAD_REQUEST'],
  ['no id', { ops: [{ op: 'link.list' }] }, 'ERR_NSDO_BAD_REQUEST'],
  ['id 0', { id: 0, ops: [{ op: 'link.list' }] }, 'ERR_NSDO_BAD_REQUEST'],
  ['negative id', { id: -3, ops: [{ op: 'link.list' }] }, 'ERR_NSDO_BAD_REQUEST'],
  ['no ops', { id: 9 }, 'ERR_NSDO_BAD_REQUEST'],
  ['empty ops', { id: 9, ops: [] }, 'ERR_NSDO_BAD_REQUEST'],
  ['ops not an array', { id: 9, ops: { op: 'link.list' } }, 'ERR_NSDO_BAD_REQUEST'],
  ['unknown top-level key', { id: 9, ops: [{ op: 'link.list' }], namepsace: 1 },
    'ERR_NSDO_BAD_REQUEST'],
  ['namespace of the wrong type', { id: 9, ops: [{ op: 'link.list' }], namespace: true },
    'ERR_NSDO_BAD_REQUEST'],
  ['continue not a bool', { id: 9, ops: [{ op: 'link.list' }], continue: 1 },
    'ERR_NSDO_BAD_REQUEST'],
]) {
  await test(`request ${name}: ${code}`, async () => {
    const r = await h.request(body);
    expectError(r, code, { index: null, op: null });
    assert.equal(r.id, body.id > 0 ? body.id : 0);
  });
}

await test('unknown op: UNKNOWN_OP with index and the name sent', async () => {
  const r = await req([{ op: 'link.list' }, { op: 'link.lsit' }, { op: 'link.list' }]);
  expectError(r, 'ERR_NSDO_UNKNOWN_OP', { index: 1, op: 'link.lsit', errno: 0 });
  assert.equal(r.results.length, 1);
});

await test('op that is not a map, or has no name: BAD_REQUEST at its index', async () => {
  expectError(await req([7]), 'ERR_NSDO_BAD_REQUEST', { index: 0, op: null });
  expectError(await req([{ dev: 'lo' }]), 'ERR_NSDO_BAD_REQUEST', { index: 0 });
  expectError(await req([{ op: 5 }]), 'ERR_NSDO_BAD_REQUEST', { index: 0 });
});

await test('unknown argument key is refused, naming it', async () => {
  const r = await req([{ op: 'link.get', lnik: 'lo' }]);
  expectError(r, 'ERR_NSDO_BAD_ARGUMENT', { index: 0, op: 'link.get' });
  assert.match(r.error.message, /lnik/);
});

await test('a key given twice is refused', async () => {
  // msgpackr cannot write a duplicate key: build the map by hand.
  const op = Buffer.concat([Buffer.from([0x83]), packr.pack('op'), packr.pack('link.get'),
    packr.pack('link'), packr.pack('lo'), packr.pack('link'), packr.pack('lo')]);
  const body = Buffer.concat([Buffer.from([0x82]), packr.pack('id'), packr.pack(42),
    packr.pack('ops'), Buffer.from([0x91]), op]);
  h.sendRaw(body);
  const r = await h.next();
  expectError(r, 'ERR_NSDO_BAD_ARGUMENT', { index: 0 });
  assert.equal(r.id, 42);
});

await test('non-UTF-8 bytes in an unknown op name come back as valid text', async () => {
  const name = Buffer.from([0xa4, 0xff, 0x0a, 0xc3, 0x28]);	// str of 4 bad bytes
  const body = Buffer.concat([Buffer.from([0x82]), packr.pack('id'), packr.pack(43),
    packr.pack('ops'), Buffer.from([0x91, 0x81]), packr.pack('op'), name]);
  h.sendRaw(body);
  const r = await h.next();
  expectError(r, 'ERR_NSDO_UNKNOWN_OP', { index: 0, op: '???(' });
});

await test('continue: every op has an entry, failed counts the errors', async () => {
  const r = await req([{ op: 'link.list' }, { op: 'nope' },
    { op: 'link.get', link: 'nosuch0' }, { op: 'link.get', link: 1 }], { continue: true });
  assert.equal(r.error, undefined);
  assert.equal(r.failed, 2);
  assert.equal(r.results.length, 4);
  assert.equal(r.results[1].error.code, 'ERR_NSDO_UNKNOWN_OP');
  assert.equal(r.results[2].error.code, 'ENODEV');
  assert.equal(r.results[2].error.errno, 19);
  assert.equal(r.results[2].error.index, 2);
  assert.match(r.results[2].error.message, /nosuch0/);
  assert.equal(r.results[3].name, 'lo');
});

await test('stop at the first failure without continue', async () => {
  const r = await req([{ op: 'link.get', link: 1 }, { op: 'link.get', link: 'nosuch0' },
    { op: 'link.get', link: 1 }]);
  expectError(r, 'ENODEV', { index: 1, op: 'link.get', errno: 19 });
  assert.equal(r.results.length, 1);
  assert.equal(r.failed, undefined);
});

await test('bad link names are refused before the kernel sees them', async () => {
  for (const link of ['', 'a/b', 'a b', '.', '..', 'x'.repeat(16), 'tab\there', -1, 0, true]) {
    const r = await req([{ op: 'link.del', link }]);
    expectError(r, 'ERR_NSDO_BAD_ARGUMENT', { index: 0 });
  }
});

let blue;
await test('namespace.create: file, bind mount, { path, id }', async () => {
  const r = await req([{ op: 'namespace.create', name: 'blue' }]);
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  blue = r.results[0];
  assert.equal(blue.path, '/run/netns/blue');
  assert.equal(blue.id, idOf('/run/netns/blue'));
  assert.notEqual(blue.id, home);
});

await test('the reply names the namespace the ops ran in', async () => {
  const r = await req([{ op: 'link.list' }], { namespace: '/run/netns/blue' });
  assert.equal(r.namespace, blue.id);
  assert.deepEqual(r.results[0].items.map((l) => l.name), ['lo']);
});

await test('namespace.create of an existing name: EEXIST', async () => {
  expectError(await req([{ op: 'namespace.create', name: 'blue' }]), 'EEXIST',
    { errno: 17, index: 0 });
});

await test('namespace.create refuses bad names', async () => {
  for (const name of ['', '.', '..', 'a/b', 'x'.repeat(256)])
    expectError(await req([{ op: 'namespace.create', name }]), 'ERR_NSDO_INVALID_NAME');
  expectError(await req([{ op: 'namespace.create', name: 7 }]), 'ERR_NSDO_BAD_ARGUMENT');
  expectError(await req([{ op: 'namespace.create', name: 'ok', dir: 'rel' }]),
    'ERR_NSDO_BAD_ARGUMENT');
});

await test('namespace.create in a directory that is not a mount point', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsdo-e2e-run-'));
  try {
    const r = await req([{ op: 'namespace.create', name: 'red', dir }]);
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.results[0].path, `${dir}/red`);
    const mi = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    assert.match(mi, new RegExp(` ${dir} ${dir} .*shared:`));
    const d = await req([{ op: 'namespace.delete', path: `${dir}/red` }]);
    assert.equal(d.error, undefined, JSON.stringify(d.error));
    assert.equal(fs.existsSync(`${dir}/red`), false);
  } finally {
    for (const mount of [`${dir}/red`, dir]) spawnSync('umount', ['-l', mount]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

await test('namespace ops refuse to run in another namespace', async () => {
  const r = await req([{ op: 'namespace.temporary' }], { namespace: '/run/netns/blue' });
  expectError(r, 'ERR_NSDO_BAD_REQUEST', { index: 0, op: 'namespace.temporary' });
  assert.equal(r.namespace, blue.id);
});

await test('namespace.identify by path and by pid', async () => {
  let r = await req([{ op: 'namespace.identify', path: '/run/netns/blue' }]);
  assert.deepEqual(r.results[0], { path: '/run/netns/blue', id: blue.id });
  r = await req([{ op: 'namespace.identify', pid: process.pid }]);
  assert.deepEqual(r.results[0], { path: `/proc/${process.pid}/ns/net`, id: home });
  expectError(await req([{ op: 'namespace.identify' }]), 'ERR_NSDO_BAD_ARGUMENT');
  expectError(await req([{ op: 'namespace.identify', path: '/x', pid: 1 }]),
    'ERR_NSDO_BAD_ARGUMENT');
});

await test('namespace errors: not found, not a namespace, wrong type', async () => {
  const ops = [{ op: 'link.list' }];
  expectError(await req(ops, { namespace: '/run/netns/nosuch' }),
    'ERR_NSDO_NAMESPACE_NOT_FOUND', { index: null, op: null, errno: 0 });
  fs.writeFileSync('/run/netns/stale', '');
  expectError(await req(ops, { namespace: '/run/netns/stale' }), 'ERR_NSDO_NOT_A_NAMESPACE');
  expectError(await req(ops, { namespace: '/run/netns' }), 'ERR_NSDO_NOT_A_NAMESPACE');
  expectError(await req(ops, { namespace: '/proc/self/ns/mnt' }),
    'ERR_NSDO_WRONG_NAMESPACE_TYPE');
  const fifo = '/tmp/nsdo-e2e-fifo';
  fs.rmSync(fifo, { force: true });
  spawnSync('mkfifo', [fifo]);
  expectError(await req(ops, { namespace: fifo }), 'ERR_NSDO_NOT_A_NAMESPACE');
  fs.rmSync(fifo, { force: true });
  const r = await req(ops, { namespace: '' });
  expectError(r, 'ERR_NSDO_BAD_REQUEST');
  assert.equal(r.namespace, null);
});

await test('namespace by pid: a live one, an exited one, 0', async () => {
  let r = await req([{ op: 'link.list' }], { namespace: process.pid });
  assert.equal(r.namespace, home);
  const gone = spawnSync('true').pid;
  r = await req([{ op: 'link.list' }], { namespace: gone });
  expectError(r, 'ERR_NSDO_NAMESPACE_NOT_FOUND');
  expectError(await req([{ op: 'link.list' }], { namespace: 0 }), 'ERR_NSDO_BAD_REQUEST');
});

await test('namespace.delete: gone, and its stale file is refused after', async () => {
  const r = await req([{ op: 'namespace.delete', path: '/run/netns/blue' }]);
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(fs.existsSync('/run/netns/blue'), false);
  expectError(await req([{ op: 'namespace.delete', path: '/run/netns/blue' }]),
    'ERR_NSDO_NAMESPACE_NOT_FOUND');
});

await test('namespace.delete removes an empty stale file, keeps one with contents', async () => {
  const r = await req([{ op: 'namespace.delete', path: '/run/netns/stale' }]);
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  fs.writeFileSync('/run/netns/precious', 'data');
  expectError(await req([{ op: 'namespace.delete', path: '/run/netns/precious' }]),
    'ERR_NSDO_NOT_A_NAMESPACE');
  assert.equal(fs.readFileSync('/run/netns/precious', 'utf8'), 'data');
});

await test('namespace.delete removes every mount stacked on the file', async () => {
  const c = await req([{ op: 'namespace.create', name: 'twice' }]);
  assert.equal(c.error, undefined, JSON.stringify(c.error));
  for (let i = 0; i < 3; i++)
    assert.equal(spawnSync('mount', ['--bind', '/run/netns/twice', '/run/netns/twice']).status, 0);
  const r = await req([{ op: 'namespace.delete', path: '/run/netns/twice' }]);
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(fs.existsSync('/run/netns/twice'), false);
});

await test('a file that stays mounted after 16 unmounts: BUSY; the next delete ends it', async () => {
  const c = await req([{ op: 'namespace.create', name: 'pile' }]);
  assert.equal(c.error, undefined, JSON.stringify(c.error));
  // Private first, so that each bind adds one mount instead of doubling them.
  assert.equal(spawnSync('mount', ['--make-private', '/run/netns/pile']).status, 0);
  for (let i = 0; i < 20; i++)
    assert.equal(spawnSync('mount', ['--bind', '/run/netns/pile', '/run/netns/pile']).status, 0);
  const r = await req([{ op: 'namespace.delete', path: '/run/netns/pile' }]);
  expectError(r, 'ERR_NSDO_NAMESPACE_BUSY', { index: 0, op: 'namespace.delete' });
  assert.match(r.error.message, /more than 16 mounts are stacked on it in this mount namespace/);
  const again = await req([{ op: 'namespace.delete', path: '/run/netns/pile' }]);
  assert.equal(again.error, undefined, JSON.stringify(again.error));
  assert.equal(fs.existsSync('/run/netns/pile'), false);
});

await test('a mount namespace made while it existed does not block delete', async () => {
  const c = await req([{ op: 'namespace.create', name: 'held' }]);
  assert.equal(c.error, undefined, JSON.stringify(c.error));
  const holder = spawn('unshare', ['--mount', '--propagation', 'private', 'sleep', '60']);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const r = await req([{ op: 'namespace.delete', path: '/run/netns/held' }]);
  holder.kill('SIGKILL');
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(fs.existsSync('/run/netns/held'), false);
});

await test('a namespace the helper may not open: NAMESPACE_PERMISSION', async () => {
  // No capabilities rather than another uid: under `unshare --user
  // --map-root-user` no other uid exists.
  const hp = new Helper({}, ['setpriv', '--inh-caps=-all', '--bounding-set=-all']);
  await hp.next();
  const r = await hp.request({ id: 1, namespace: 1, ops: [{ op: 'link.list' }] });
  expectError(r, 'ERR_NSDO_NAMESPACE_PERMISSION', { index: null, errno: 0 });
  assert.equal(r.namespace, null);
  await hp.close();
});

await test('namespace.temporary and namespace.release', async () => {
  const r = await req([{ op: 'namespace.temporary' }]);
  const t = r.results[0];
  assert.match(t.path, new RegExp(`^/proc/${h.proc.pid}/fd/\\d+$`));
  assert.equal(t.id, idOf(t.path));
  const l = await req([{ op: 'link.list' }], { namespace: t.path });
  assert.equal(l.namespace, t.id);
  const rel = await req([{ op: 'namespace.release', path: t.path }]);
  assert.equal(rel.error, undefined);
  expectError(await req([{ op: 'namespace.release', path: t.path }]),
    'ERR_NSDO_BAD_ARGUMENT');
  expectError(await req([{ op: 'namespace.release', path: `/proc/${h.proc.pid}/fd/0` }]),
    'ERR_NSDO_BAD_ARGUMENT');
});

await test('many namespaces: the socket cache stays bounded', async () => {
  const paths = [];
  for (let i = 0; i < 80; i++) {
    const r = await req([{ op: 'namespace.temporary' }]);
    paths.push(r.results[0].path);
  }
  for (const p of paths) {
    const r = await req([{ op: 'link.list' }], { namespace: p });
    assert.equal(r.error, undefined);
  }
  const fds = fs.readdirSync(`/proc/${h.proc.pid}/fd`).length;
  assert.ok(fds < 80 + 64 + 8, `${fds} fds open`);
  for (const p of paths) await req([{ op: 'namespace.release', path: p }]);
});

await test('EOF at a frame boundary: exit 0', async () => {
  const { code } = await h.close();
  assert.equal(code, 0, h.stderr);
});

await test('EOF inside a frame: a log line, exit 1', async () => {
  const h2 = new Helper();
  await h2.next();
  h2.proc.stdin.end(Buffer.from([0, 0, 0, 10, 1, 2]));
  const { code } = await h2.exited;
  assert.equal(code, 1);
  assert.match(h2.stderr, /ended inside a frame/);
});

await test('an unused namespace is let go after about 1 s, idle or busy', async () => {
  const h3 = new Helper({ NSDO_HELPER_DEBUG: '1' });
  await h3.next();
  const fdsOf = () => fs.readdirSync(`/proc/${h3.proc.pid}/fd`).length;
  const t = (await h3.request({ id: 1, ops: [{ op: 'namespace.temporary' }] })).results[0];
  const before = fdsOf();
  const r = await h3.request({ id: 2, namespace: t.path, ops: [{ op: 'link.list' }] });
  assert.equal(r.error, undefined);
  assert.equal(fdsOf(), before + 1, 'its socket is cached');
  // Busy in the home namespace: expiry must not wait for an idle helper.
  for (let i = 0; i < 16; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    await h3.request({ id: 3 + i, ops: [{ op: 'link.list' }] });
  }
  assert.equal(fdsOf(), before, 'its socket is closed while busy');
  assert.match(h3.stderr, new RegExp(`let namespace ${t.id} go: unused`));
  // Idle: poll() wakes up for the expiry.
  await h3.request({ id: 30, namespace: t.path, ops: [{ op: 'link.list' }] });
  await new Promise((resolve) => setTimeout(resolve, 1600));
  assert.equal(fdsOf(), before, 'its socket is closed while idle');
  await h3.close();
});

await test('inherited fds are closed at start', async () => {
  const fd = fs.openSync('/proc/self/status', 'r');
  const h4 = new Helper();
  await h4.next();
  const fds = fs.readdirSync(`/proc/${h4.proc.pid}/fd`).map(Number).sort((a, b) => a - b);
  assert.deepEqual(fds.filter((n) => n > 2).length, 1, `fds ${fds}`);	// the home fd
  fs.closeSync(fd);
  await h4.close();
});

await test('no helper reported a sanitizer error', async () => {
  for (const x of helpers)
    assert.doesNotMatch(x.stderr, /runtime error|Sanitizer|LeakSanitizer/, x.stderr);
});

console.log(`1..${count}`);
if (failed) {
  console.log(`# ${failed} failed`);
  process.exit(1);
}

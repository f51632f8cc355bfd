// The helper binary on its own: that it is static, and that it keeps the
// wire contract of helper/PROTOCOL.md when driven raw over stdio, with
// frames the client would never send. After every bad frame the same
// helper must answer the next good request.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { unpack } from 'msgpackr';
import * as assert from 'uvu/assert';
import { suite } from './lib/harness.mjs';
import { run, statId } from './lib/kernel.mjs';
import { procStat } from './lib/leaks.mjs';
import { MAX_FRAME, RawHelper, frame, helperPath, pack } from './lib/raw-helper.mjs';

const test = suite('helper');

const good = (id) => ({ id, ops: [{ op: 'link.get', link: 'lo' }] });

/** Asserts that `h` still serves: a good request gets its answer. */
async function stillServes(h, id) {
  const reply = await h.request(good(id));
  assert.is(reply.id, id, 'the helper answers the next request');
  assert.is(reply.error, undefined, `no error: ${JSON.stringify(reply.error)}`);
  assert.is(reply.results[0].name, 'lo');
}

/** Runs fn with a fresh raw helper and closes it after. */
async function withRaw(fn) {
  const h = await RawHelper.start();
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

// The sanitized helper (npm test -- --sanitize) cannot be static: ASan needs
// the dynamic loader. The one valgrind runs the suite against
// (scripts/valgrind.mjs) is built against glibc, so that valgrind sees its
// allocations.
const staticTest = process.env.NSDO_TEST_SANITIZED || process.env.NSDO_TEST_VALGRIND
  ? (title) => test.skip(title, 'this run\'s helper is linked dynamically') : test;

staticTest('the binary is static: no ELF interpreter (PT_INTERP)', async () => {
  const headers = await run('readelf', ['-l', '-W', helperPath]);
  assert.not.match(headers, /INTERP/, 'readelf -l shows no INTERP segment');
  assert.not.match(headers, /Requesting program interpreter/);
  const kind = await run('file', ['-L', helperPath], { allowFail: true });
  if (kind !== null) assert.match(kind, /statically linked|static-pie linked/);
  const { size } = fs.statSync(helperPath);
  console.log(`\n    helper: ${helperPath}, ${size} bytes (${(size / 1024).toFixed(1)} KiB)`);
  assert.ok(size > 0);
});

test('hello: the first frame, before any input', () => withRaw(async (h) => {
  assert.is(h.hello.hello, 'nsdo');
  assert.is(h.hello.protocol, 1);
  assert.type(h.hello.version, 'string');
  assert.type(h.hello.build, 'string');
  assert.is(h.hello.pid, h.pid);
  assert.is(h.hello.maxFrame, MAX_FRAME);
  assert.is(h.hello.namespace, await statId('/proc/self/ns/net'));
}));

test('a reply names the namespace the ops ran in', () => withRaw(async (h) => {
  const reply = await h.request(good(1));
  assert.is(reply.namespace, await statId('/proc/self/ns/net'));
  assert.is(reply.results.length, 1);
}));

test('pipelined requests are answered in order', () => withRaw(async (h) => {
  await h.write(Buffer.concat([5, 6, 7, 8].map((id) => frame(pack(good(id))))));
  for (const id of [5, 6, 7, 8]) assert.is((await h.next()).id, id);
}));

test('a frame split into many small writes is read whole', () => withRaw(async (h) => {
  const bytes = frame(pack(good(9)));
  for (const b of bytes) await h.write(Buffer.from([b]));
  assert.is((await h.next()).id, 9);
}));

test('oversized frame: ERR_NSDO_FRAME_TOO_LARGE, payload discarded, then serves', () =>
  withRaw(async (h) => {
    const len = MAX_FRAME + 1;
    await h.write(frame(Buffer.alloc(len, 0xc0), len));
    const reply = await h.next();
    assert.is(reply.id, 0);
    assert.is(reply.error?.code, 'ERR_NSDO_FRAME_TOO_LARGE');
    await stillServes(h, 2);
  }));

test('a frame of exactly the cap is read (and refused as a value, not as a size)', () =>
  withRaw(async (h) => {
    // a str32 of MAX_FRAME - 5 bytes: one well-formed value, but not a map
    const body = Buffer.alloc(MAX_FRAME);
    body[0] = 0xdb;
    body.writeUInt32BE(MAX_FRAME - 5, 1);
    await h.write(frame(body));
    const reply = await h.next();
    assert.is(reply.error?.code, 'ERR_NSDO_BAD_REQUEST');
    await stillServes(h, 3);
  }));

const badFrames = [
  ['zero length', Buffer.alloc(0), 'ERR_NSDO_BAD_FRAME'],
  ['truncated map', Buffer.from([0x82, 0xa2, 0x69, 0x64]), 'ERR_NSDO_BAD_FRAME'],
  ['truncated str', Buffer.from([0xd9, 0x20, 0x61]), 'ERR_NSDO_BAD_FRAME'],
  ['never-used byte 0xc1', Buffer.from([0xc1]), 'ERR_NSDO_BAD_FRAME'],
  ['random garbage', Buffer.from('d4f1c19a00ffee1234c1c1c1', 'hex'), 'ERR_NSDO_BAD_FRAME'],
  ['trailing bytes after one value', Buffer.concat([pack(good(1)), Buffer.from([0xc0])]),
    'ERR_NSDO_BAD_FRAME'],
  ['two values', Buffer.concat([pack(good(1)), pack(good(2))]), 'ERR_NSDO_BAD_FRAME'],
  ['huge array count', Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]), 'ERR_NSDO_BAD_FRAME'],
  ['17 nested arrays', Buffer.concat([Buffer.alloc(17, 0x91), Buffer.from([0xc0])]),
    'ERR_NSDO_TOO_DEEP'],
  ['deep nesting inside an op', deepRequest(20), 'ERR_NSDO_TOO_DEEP'],
  ['16 nested arrays (deep enough, but not a request)',
    Buffer.concat([Buffer.alloc(16, 0x91), Buffer.from([0xc0])]), 'ERR_NSDO_BAD_REQUEST'],
  ['fixext1 extension', Buffer.from([0xd4, 0x01, 0x00]), 'ERR_NSDO_BAD_FRAME'],
  ['timestamp extension as a value', withValue(Buffer.from([0xd6, 0xff, 0, 0, 0, 1])),
    'ERR_NSDO_BAD_FRAME'],
  ['ext8 extension', Buffer.from([0xc7, 0x02, 0x05, 0x00, 0x00]), 'ERR_NSDO_BAD_FRAME'],
];

for (const [what, payload, code] of badFrames) {
  test(`bad frame, ${what}: ${code}, then serves`, () => withRaw(async (h) => {
    await h.write(frame(payload));
    const reply = await h.next();
    assert.is(reply.error?.code, code, `${what}: ${JSON.stringify(reply.error)}`);
    assert.is(reply.results?.length ?? 0, 0, 'no op ran');
    if (code !== 'ERR_NSDO_BAD_REQUEST') assert.is(reply.id, 0);
    assert.type(reply.error.message, 'string');
    await stillServes(h, 11);
  }));
}

/** {id: 1, ops: [{op: 'link.get', link: [[[...]]]}]} nested `depth` deep in all. */
function deepRequest(depth) {
  const head = pack({ id: 1, ops: [{ op: 'link.get', link: 0 }] });
  // replace the trailing 0 (the link value) with depth - 3 nested arrays
  return Buffer.concat([head.subarray(0, head.length - 1),
    Buffer.alloc(depth - 3, 0x91), Buffer.from([0xc0])]);
}

/** {id: 1, ops: [{op: 'link.get', link: <value bytes>}]} */
function withValue(value) {
  const head = pack({ id: 1, ops: [{ op: 'link.get', link: 0 }] });
  return Buffer.concat([head.subarray(0, head.length - 1), value]);
}

const badRequests = [
  ['an array, not a map', [1, 2], 'ERR_NSDO_BAD_REQUEST'],
  ['a string', 'hello', 'ERR_NSDO_BAD_REQUEST'],
  ['no id', { ops: [{ op: 'link.list' }] }, 'ERR_NSDO_BAD_REQUEST'],
  ['id 0', { id: 0, ops: [{ op: 'link.list' }] }, 'ERR_NSDO_BAD_REQUEST'],
  ['id a string', { id: 'x', ops: [{ op: 'link.list' }] }, 'ERR_NSDO_BAD_REQUEST'],
  ['id negative', { id: -4, ops: [{ op: 'link.list' }] }, 'ERR_NSDO_BAD_REQUEST'],
  ['no ops', { id: 21 }, 'ERR_NSDO_BAD_REQUEST'],
  ['ops a map', { id: 21, ops: { op: 'link.list' } }, 'ERR_NSDO_BAD_REQUEST'],
  ['ops empty', { id: 21, ops: [] }, 'ERR_NSDO_BAD_REQUEST'],
  ['an op that is not a map', { id: 21, ops: ['link.list'] }, 'ERR_NSDO_BAD_REQUEST'],
  ['namespace of the wrong type', { id: 21, namespace: true, ops: [{ op: 'link.list' }] },
    'ERR_NSDO_BAD_REQUEST'],
  ['continue of the wrong type', { id: 21, continue: 'yes', ops: [{ op: 'link.list' }] },
    'ERR_NSDO_BAD_REQUEST'],
  ['65,537 ops', { id: 21, ops: Array.from({ length: 65537 }, () => ({ op: 'link.list' })) },
    'ERR_NSDO_BAD_REQUEST'],
  ['an unknown request key', { id: 21, ops: [{ op: 'link.list' }], colour: 'red' },
    'ERR_NSDO_BAD_REQUEST'],
];

for (const [what, value, code] of badRequests) {
  test(`bad request, ${what}: ${code}, then serves`, () => withRaw(async (h) => {
    const reply = await h.request(value);
    assert.is(reply.error?.code, code, `${what}: ${JSON.stringify(reply.error)}`);
    assert.is(reply.results?.length ?? 0, 0);
    await stillServes(h, 22);
  }));
}

test('a map key that is not a string is refused, then serves', () => withRaw(async (h) => {
  // { 1: 2, "ops": [] }
  await h.write(frame(Buffer.from([0x82, 0x01, 0x02, 0xa3, 0x6f, 0x70, 0x73, 0x90])));
  const reply = await h.next();
  assert.match(reply.error?.code ?? '', /^ERR_NSDO_BAD_(REQUEST|FRAME)$/);
  await stillServes(h, 23);
}));

test('a request id is carried back, also on a request-level error', () => withRaw(async (h) => {
  const reply = await h.request({ id: 4242, ops: [] });
  assert.is(reply.id, 4242);
  assert.is(reply.error?.code, 'ERR_NSDO_BAD_REQUEST');
}));

const badOps = [
  ['an unknown op', { op: 'link.frobnicate' }, 'ERR_NSDO_UNKNOWN_OP', /link\.frobnicate/],
  ['no op name', { link: 'lo' }, /^ERR_NSDO_BAD_(REQUEST|ARGUMENT)$/, /op/],
  ['op name not a string', { op: 7 }, /^ERR_NSDO_BAD_(REQUEST|ARGUMENT)$/, /op/],
  ['a missing argument', { op: 'link.add', type: 'bridge' }, 'ERR_NSDO_BAD_ARGUMENT', /name/],
  ['an unknown argument', { op: 'link.get', link: 'lo', colour: 'red' }, 'ERR_NSDO_BAD_ARGUMENT',
    /colour/],
  ['an argument of the wrong type', { op: 'link.set', link: 'lo', mtu: 'big' },
    'ERR_NSDO_BAD_ARGUMENT', /mtu/],
  ['a link name too long', { op: 'link.add', name: 'x'.repeat(16), type: 'bridge' },
    'ERR_NSDO_BAD_ARGUMENT', /name/],
  ['zero transmit queues', { op: 'link.add', name: 'q0', type: 'bridge', txQueues: 0 },
    'ERR_NSDO_BAD_ARGUMENT', /"txQueues"/],
  ["a peer's queue count of the wrong type",
    { op: 'link.add', name: 'q0', type: 'veth', peer: { name: 'q1', rxQueues: 'one' } },
    'ERR_NSDO_BAD_ARGUMENT', /"peer\.rxQueues"/],
  ['a malformed address', { op: 'addr.add', dev: 'lo', address: '10.0.0.300/8' },
    'ERR_NSDO_BAD_ARGUMENT', /address|10\.0\.0\.300/],
];

for (const [what, op, code, named] of badOps) {
  const strict = typeof code === 'string';
  test(`bad op, ${what}: ${strict ? code : 'refused'} naming it, then serves`, () =>
    withRaw(async (h) => {
      const reply = await h.request({ id: 31, ops: [{ op: 'link.get', link: 'lo' }, op] });
      assert.is(reply.id, 31);
      if (strict) assert.is(reply.error?.code, code, `${what}: ${JSON.stringify(reply.error)}`);
      else assert.match(reply.error?.code ?? '', code, `${what}: ${JSON.stringify(reply.error)}`);
      if (!strict) return stillServes(h, 32);
      assert.is(reply.error.index, 1);
      assert.is(reply.error.errno, 0);
      assert.match(reply.error.message, named);
      assert.is(reply.results.length, 1, 'the op before it ran');
      await stillServes(h, 32);
    }));
}

test('continue: one entry per op, failures in place, failed count', () => withRaw(async (h) => {
  const reply = await h.request({ id: 41, continue: true, ops: [
    { op: 'link.get', link: 'lo' },
    { op: 'link.get', link: 'nope0' },
    { op: 'link.nope' },
    { op: 'link.get', link: 1 },
  ] });
  assert.is(reply.error, undefined);
  assert.is(reply.results.length, 4);
  assert.is(reply.failed, 2);
  assert.is(reply.results[1].error.code, 'ENODEV');
  assert.is(reply.results[1].error.errno, 19);
  assert.is(reply.results[2].error.code, 'ERR_NSDO_UNKNOWN_OP');
  assert.is(reply.results[3].name, 'lo');
}));

test('namespace errors: not found, not a namespace, wrong type, bad pid', () =>
  withRaw(async (h) => {
    fs.writeFileSync('/run/netns/nsdo-raw-stale', '');
    try {
      const cases = [
        ['/run/netns/nsdo-raw-missing', 'ERR_NSDO_NAMESPACE_NOT_FOUND'],
        ['/run/netns/nsdo-raw-stale', 'ERR_NSDO_NOT_A_NAMESPACE'],
        ['/proc/self/ns/mnt', 'ERR_NSDO_WRONG_NAMESPACE_TYPE'],
        [999999999, 'ERR_NSDO_NAMESPACE_NOT_FOUND'],
      ];
      for (const [namespace, code] of cases) {
        const reply = await h.request({ id: 51, namespace, ops: [{ op: 'link.list' }] });
        assert.is(reply.error?.code, code, `${namespace}: ${JSON.stringify(reply.error)}`);
        assert.is(reply.error.index ?? null, null, 'no op ran');
        assert.is(reply.namespace ?? null, null, 'the helper never reached a namespace');
      }
      await stillServes(h, 52);
    } finally {
      fs.rmSync('/run/netns/nsdo-raw-stale', { force: true });
    }
  }));

test('namespace.create refuses invalid names itself (not only the client)', () =>
  withRaw(async (h) => {
    for (const name of ['..', '.', 'a/b', '', 'x'.repeat(256)]) {
      const reply = await h.request({ id: 61, ops: [{ op: 'namespace.create', name }] });
      assert.is(reply.error?.code, 'ERR_NSDO_INVALID_NAME', `${JSON.stringify(name)}`);
    }
    await stillServes(h, 62);
  }));

test('namespace ops: create, identify, temporary, release, delete', () =>
  withRaw(async (h) => {
    const made = await h.request({ id: 71, ops: [
      { op: 'namespace.create', name: 'nsdo-raw' },
      { op: 'namespace.identify', path: '/run/netns/nsdo-raw' },
      { op: 'namespace.identify', pid: h.pid },
      { op: 'namespace.temporary' },
    ] });
    assert.is(made.error, undefined, JSON.stringify(made.error));
    const [created, identified, home, temp] = made.results;
    assert.is(created.path, '/run/netns/nsdo-raw');
    assert.is(created.id, await statId('/run/netns/nsdo-raw'));
    assert.is(identified.id, created.id);
    assert.is(home.id, h.hello.namespace);
    assert.match(temp.path, new RegExp(`^/proc/${h.pid}/fd/\\d+$`));
    assert.is(temp.id, await statId(temp.path));

    const inTemp = await h.request({ id: 72, namespace: temp.path, ops: [{ op: 'link.list' }] });
    assert.is(inTemp.namespace, temp.id);

    const gone = await h.request({ id: 73, ops: [
      { op: 'namespace.release', path: temp.path },
      { op: 'namespace.delete', path: '/run/netns/nsdo-raw' },
    ] });
    assert.is(gone.error, undefined, JSON.stringify(gone.error));
    assert.not.ok(fs.existsSync('/run/netns/nsdo-raw'));
    assert.not.ok(fs.existsSync(temp.path));
  }));

/** The capability masks and no_new_privs of a process, read from /proc/PID/status. */
function privileges(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (key) => {
    const m = new RegExp(`^${key}:\\s+(\\S+)$`, 'm').exec(status);
    assert.ok(m, `/proc/${pid}/status has ${key}`);
    return key === 'NoNewPrivs' ? Number(m[1]) : BigInt(`0x${m[1]}`);
  };
  return Object.fromEntries(['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs']
    .map((key) => [key, field(key)]));
}

// CAP_NET_ADMIN (12), CAP_SYS_PTRACE (19), CAP_SYS_ADMIN (21): helper/privilege.c.
const NEEDED = (1n << 12n) | (1n << 19n) | (1n << 21n);
const hex = (mask) => `0x${mask.toString(16)}`;

test('privileges: only the three capabilities it needs, no_new_privs, not dumpable', async () => {
  const h = await RawHelper.start({ env: { ...process.env, NSDO_HELPER_DEBUG: '1' } });
  try {
    await stillServes(h, 90);
    const mine = privileges(process.pid);
    const its = privileges(h.pid);
    assert.is(its.NoNewPrivs, 1, 'no_new_privs is set');
    assert.is(hex(its.CapInh), '0x0', 'nothing inheritable');
    assert.is(hex(its.CapAmb), '0x0', 'no ambient capabilities');
    if ((mine.CapPrm & (1n << 19n)) !== 0n) {
      // Started with CAP_SYS_PTRACE (root, or root of a user namespace).
      const kept = mine.CapPrm & NEEDED;
      assert.is(hex(its.CapPrm), hex(kept), 'permitted: CAP_SYS_ADMIN, NET_ADMIN, SYS_PTRACE');
      assert.is(hex(its.CapEff), hex(kept), 'effective: the same three');
      if ((mine.CapEff & (1n << 8n)) !== 0n) {	// CAP_SETPCAP lets it shrink the bounding set
        assert.is(hex(its.CapBnd), hex(kept), 'bounding set: the same three');
      }
      assert.match(h.stderr, /capabilities: kept 0x[0-9a-f]+ of 0x[0-9a-f]+, not dumpable/);
    } else {
      // Without CAP_SYS_PTRACE it keeps what it was given (privilege.c says why).
      assert.is(hex(its.CapPrm), hex(mine.CapPrm));
    }
  } finally {
    await h.close();
  }
});

/** CPU time (user + system) of a process so far, in clock ticks. */
function cpuTicks(pid) {
  const { fields } = procStat(pid);
  return Number(fields[11]) + Number(fields[12]);   // utime, stime
}

test('after a run of quick requests an idle helper sleeps instead of looking for more', () =>
  withRaw(async (h) => {
    // Requests that follow their replies closely make the helper look for
    // the next one for a short while before it sleeps (main.c); once they
    // stop, it must go to sleep, not keep looking.
    for (let id = 1; id <= 200; id++) await stillServes(h, id);
    const before = cpuTicks(h.pid);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const used = cpuTicks(h.pid) - before;
    assert.ok(used <= 2, `idle for 1 s, it used ${used} ticks (10 ms each) of CPU`);
    await stillServes(h, 201);
  }));

/** Whether process `pid` has exited (gone, or a zombie not yet reaped). */
function exited(pid) {
  const stat = procStat(pid);
  return stat === null || stat.fields[0] === 'Z';
}

test('the helper exits when its parent dies, even with its stdin still open', async () => {
  // The parent is a shell that waits for the helper; the test holds the
  // other end of the helper's stdin, so only the parent's death (and
  // PR_SET_PDEATHSIG) can end it, not an end of file.
  const parent = spawn('sh', ['-c', '"$0"; exit 0', helperPath], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = Buffer.alloc(0);
  const hello = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no hello within 10 s')), 10_000);
    parent.stdout.on('data', (chunk) => {
      out = Buffer.concat([out, chunk]);
      if (out.length >= 4 && out.length >= 4 + out.readUInt32BE(0)) {
        clearTimeout(timer);
        resolve(unpack(out.subarray(4, 4 + out.readUInt32BE(0))));
      }
    });
  });
  const pid = hello.pid;
  assert.ok(!exited(pid), 'the helper runs');
  parent.kill('SIGKILL');
  let gone = false;
  for (let i = 0; i < 100 && !gone; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    gone = exited(pid);
  }
  if (!gone) process.kill(pid, 'SIGKILL');
  parent.stdin.destroy();
  assert.ok(gone, `helper ${pid} exited within 5 s of its parent's death`);
});

test('stderr carries only log lines; EOF on stdin ends the helper cleanly', async () => {
  const h = await RawHelper.start({ env: { ...process.env, NSDO_HELPER_DEBUG: '1' } });
  await h.request(good(81));
  await h.request({ id: 82, ops: [{ op: 'link.get', link: 'nope0' }] });
  const { code, signal } = await h.close();
  assert.is(code, 0);
  assert.is(signal, null);
  const lines = h.stderr.split('\n').filter(Boolean);
  for (const line of lines) {
    assert.match(line, new RegExp(`^nsdo-helper\\[${h.pid}\\] (debug|info|warn|error): `, 'i'),
      `log line format: ${line}`);
  }
});

test.run();

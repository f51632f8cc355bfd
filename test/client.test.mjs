// The client side: the callback form, lazy spawning, what happens when the
// helper dies mid-batch, namespace mismatch detection, abort signals, and
// helpers that are missing or speak the wrong protocol.
//
// Tests that stop or kill a helper use their own Helper instance, never
// the shared one.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import { withNamespace, Namespace, Helper, getHelper, link, addr, route } from '../dist/index.js';
import { scratchDir, suite } from './lib/harness.mjs';
import { rejects } from './lib/expect.mjs';
import { addrsOf, linkByName, routesOf, run, sleep } from './lib/kernel.mjs';
import { pack, frame } from './lib/raw-helper.mjs';
import { withScratch } from './lib/scratch.mjs';

const test = suite('client');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A private helper for one test, closed afterwards whatever happens. */
async function withHelper(fn) {
  const helper = new Helper();
  try {
    return await fn(helper);
  } finally {
    const pid = helper.pid;
    if (pid) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    await helper.close();
  }
}

test('callback form: one round trip per call, the value comes back', () =>
  withScratch(1, async ([a]) => {
    const value = await withNamespace(a.path, async (ns) => {
      assert.instance(ns.namespace, Namespace);
      assert.is(ns.namespace.path, a.path);
      await ns.link.add({ name: 'v0', type: 'veth', peer: { name: 'v1' } });
      const v0 = await ns.link.get('v0');
      if (!v0.up) await ns.link.set('v0', { up: true });
      await ns.addr.add('v0', '10.5.0.1/24');
      await ns.route.add({ to: '10.6.0.0/24', via: '10.5.0.2' });
      const [links, addrs] = await ns.run([link.list(), addr.list('v0')]);
      const routes = await ns.route.list();
      return { links, addrs, routes, listed: await ns.link.list(), mine: await ns.addr.list() };
    });

    assert.ok(value.links.some((l) => l.name === 'v0'));
    assert.ok(value.listed.some((l) => l.name === 'v1'));
    assert.ok(value.addrs.some((x) => x.address === '10.5.0.1'));
    assert.ok(value.mine.some((x) => x.address === '10.5.0.1'));
    assert.ok(value.routes.some((r) => r.to === '10.6.0.0/24' && r.via === '10.5.0.2'));
    assert.ok((await linkByName(a.name, 'v0')).flags.includes('UP'));
    assert.ok((await addrsOf(a.name, 'v0')).some((x) => x.local === '10.5.0.1'));
    assert.ok((await routesOf(a.name, 4)).some((r) => r.dst === '10.6.0.0/24'));
  }));

test('callback form: an error thrown inside comes out unchanged', () =>
  withScratch(1, async ([a]) => {
    const mine = new Error('from the callback');
    const got = await withNamespace(a.path, async () => { throw mine; }).catch((e) => e);
    assert.is(got, mine);
    await rejects(withNamespace(a.path, (ns) => ns.link.del('nope0')), { code: 'ENODEV' });
  }));

test('batch results are typed per op and in order', () => withScratch(1, async ([a]) => {
  const results = await withNamespace(a.path, [
    link.add({ name: 'br0', type: 'bridge' }),
    link.get('br0'),
    link.list(),
    addr.list(),
    route.list(),
  ]);
  assert.is(results.length, 5);
  assert.ok(results[0] === null || results[0] === undefined, 'link.add answers nothing');
  assert.is(results[1].name, 'br0');
  assert.ok(Array.isArray(results[2]) && Array.isArray(results[3]) && Array.isArray(results[4]));
}));

test('lazy spawn: no helper until the first call', async () => {
  await withHelper(async (helper) => {
    const spawned = [];
    helper.on('spawn', (pid) => spawned.push(pid));
    assert.is(helper.pid, undefined);
    await sleep(50);
    assert.is(spawned.length, 0);

    await withNamespace(process.pid, [link.list()], { helper });
    assert.type(helper.pid, 'number');
    assert.equal(spawned, [helper.pid]);
    // Under valgrind (scripts/valgrind.mjs) the process runs valgrind's tool.
    if (!process.env.NSDO_TEST_VALGRIND) {
      assert.is(fs.realpathSync(`/proc/${helper.pid}/exe`), fs.realpathSync(helper.path));
    }

    await withNamespace(process.pid, [link.list()], { helper });
    assert.equal(spawned, [helper.pid], 'one helper serves many calls');
  });
});

test('events: log lines from the helper\'s stderr, exit with code and stderr', async () => {
  const saved = process.env.NSDO_HELPER_DEBUG;
  process.env.NSDO_HELPER_DEBUG = '1';   // the helper writes debug lines only then
  const helper = new Helper();
  try {
    const lines = [];
    const exits = [];
    helper.on('log', (line) => lines.push(line));
    helper.on('exit', (info) => exits.push(info));
    await withNamespace(process.pid, [link.list()], { helper });
    const pid = helper.pid;
    await helper.close();
    assert.ok(lines.length > 0, 'at least one log line');
    assert.ok(lines.every((l) => l.startsWith(`nsdo-helper[${pid}] `)), lines.join('\n'));
    assert.is(exits.length, 1);
    assert.is(exits[0].exitCode, 0);
    assert.is(exits[0].signal, null);
  } finally {
    if (saved === undefined) delete process.env.NSDO_HELPER_DEBUG;
    else process.env.NSDO_HELPER_DEBUG = saved;
    await helper.close();
  }
});

test('an idle helper does not keep Node alive', async () => {
  const script = `
    const m = await import(${JSON.stringify(path.join(root, 'dist/index.js'))});
    await m.withNamespace(process.pid, [m.link.list()]);
    console.log('done');`;
  const started = Date.now();
  const out = await new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 8000 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
  assert.is(out.trim(), 'done');
  assert.ok(Date.now() - started < 8000);
});

test('SIGKILL mid-batch: pending calls reject with ERR_NSDO_HELPER_EXITED; the next call works',
  () => withHelper(async (helper) => {
    await withNamespace(process.pid, [link.list()], { helper });
    const first = helper.pid;
    const exits = [];
    helper.on('exit', (info) => exits.push(info));

    // Stopped, the helper cannot answer: both batches are surely in flight.
    process.kill(first, 'SIGSTOP');
    const ops = Array.from({ length: 200 }, () => link.get('lo'));
    const one = withNamespace(process.pid, ops, { helper });
    const two = withNamespace(process.pid, [link.list()], { helper });
    await sleep(50);
    process.kill(first, 'SIGKILL');

    for (const pending of [one, two]) {
      const error = await rejects(pending, { code: 'ERR_NSDO_HELPER_EXITED', signal: 'SIGKILL' });
      assert.match(error.message, /SIGKILL/);
    }
    assert.is(exits.length, 1, 'one exit event');

    const [list] = await withNamespace(process.pid, [link.list()], { helper });
    assert.ok(list.some((l) => l.name === 'lo'));
    assert.type(helper.pid, 'number');
    assert.is.not(helper.pid, first, 'a new helper');
  }));

test('a helper that exits on its own: exit code and stderr tail in the error', async () => {
  const script = `${scratchDir}/nsdo-fake-helper-exit`;
  fs.writeFileSync(script, '#!/bin/sh\necho "fake helper: giving up" >&2\nexit 3\n',
    { mode: 0o755 });
  const helper = new Helper({ path: script });
  try {
    const error = await rejects(withNamespace(process.pid, [link.list()], { helper }),
      { code: 'ERR_NSDO_HELPER_EXITED', exitCode: 3 });
    assert.match(String(error.stderr), /giving up/);
  } finally {
    await helper.close();
  }
});

test('a helper that speaks another protocol is refused (ERR_NSDO_PROTOCOL)', async () => {
  const hello = { hello: 'nsdo', protocol: 99, version: '9.9.9', build: 'fake', pid: 1,
    maxFrame: 4194304, namespace: '0:0' };
  const cases = { 'protocol 99': frame(pack(hello)), 'not a hello': frame(pack([1, 2, 3])) };
  for (const [what, bytes] of Object.entries(cases)) {
    const data = `${scratchDir}/nsdo-fake-hello-${what.replace(/ /g, '-')}`;
    const script = `${data}.sh`;
    fs.writeFileSync(data, bytes);
    fs.writeFileSync(script, `#!/bin/sh\ncat ${data}\nexec sleep 10\n`, { mode: 0o755 });
    const helper = new Helper({ path: script });
    try {
      await rejects(withNamespace(process.pid, [link.list()], { helper }),
        { code: 'ERR_NSDO_PROTOCOL' });
    } finally {
      await helper.close();
    }
  }
});

test('a reply to a home request that names another namespace fails loudly', async () => {
  // A stand-in helper: its hello says home is 1:1, then it answers the first
  // request (namespace.create, which runs at home) from 2:2.
  const hello = { hello: 'nsdo', protocol: 1, version: '0.0.0', build: 'fake', pid: 1,
    maxFrame: 4194304, namespace: '1:1' };
  const reply = { id: 1, namespace: '2:2', results: [{ path: '/run/netns/x', id: '3:3' }] };
  const data = `${scratchDir}/nsdo-fake-home`;
  const script = `${data}.sh`;
  fs.writeFileSync(data, Buffer.concat([frame(pack(hello)), frame(pack(reply))]));
  fs.writeFileSync(script, `#!/bin/sh\ncat ${data}\nexec sleep 10\n`, { mode: 0o755 });
  const helper = new Helper({ path: script });
  try {
    const error = await rejects(Namespace.create('nsdo-fake-home', { helper }),
      { code: 'ERR_NSDO_NAMESPACE_MISMATCH' });
    assert.match(error.message, /home namespace 1:1 names 2:2/);
  } finally {
    await helper.close();
  }
});

test('a helper path that does not exist: ERR_NSDO_HELPER_NOT_FOUND', async () => {
  const helper = new Helper({ path: '/nonexistent/nsdo-helper' });
  try {
    const error = await rejects(withNamespace(process.pid, [link.list()], { helper }),
      { code: 'ERR_NSDO_HELPER_NOT_FOUND' });
    assert.match(error.message, /\/nonexistent\/nsdo-helper/);
  } finally {
    await helper.close();
  }
});

test('namespace mismatch: a handle whose name was deleted and made again', async () => {
  const name = 'nsdo-mismatch';
  try {
    await run('ip', ['netns', 'add', name]);
    const handle = await Namespace.open(name);
    await run('ip', ['netns', 'del', name]);
    await run('ip', ['netns', 'add', name]);
    const error = await rejects(withNamespace(handle, [link.list()]),
      { code: 'ERR_NSDO_NAMESPACE_MISMATCH' });
    assert.match(error.message, new RegExp(handle.id));
    // a fresh handle for the new namespace works
    const [list] = await withNamespace(await Namespace.open(name), [link.list()]);
    assert.ok(list.some((l) => l.name === 'lo'));
  } finally {
    await run('ip', ['netns', 'del', name], { allowFail: true });
  }
});

test('abort: an already aborted signal rejects without running anything', () =>
  withScratch(1, async ([a]) => {
    const error = await rejects(
      withNamespace(a.path, [link.add({ name: 'br0', type: 'bridge' })],
        { signal: AbortSignal.abort() }),
      { code: 'ERR_NSDO_ABORTED' });
    assert.instance(error, Error);
    await sleep(50);
    assert.not.ok(await linkByName(a.name, 'br0'));
  }));

test('abort: a call in flight rejects at once; the helper goes on serving', () =>
  withHelper(async (helper) => {
    await withNamespace(process.pid, [link.list()], { helper });
    process.kill(helper.pid, 'SIGSTOP');
    const controller = new AbortController();
    const pending = withNamespace(process.pid, [link.get('lo')],
      { helper, signal: controller.signal });
    await sleep(20);
    controller.abort();
    await rejects(pending, { code: 'ERR_NSDO_ABORTED' });
    process.kill(helper.pid, 'SIGCONT');

    const [lo] = await withNamespace(process.pid, [link.get('lo')], { helper });
    assert.is(lo.name, 'lo', 'the late reply to the aborted call is not mixed up');
  }));

test('parallel calls to several namespaces each get their own answers', () =>
  withScratch(3, async (spaces) => {
    await Promise.all(spaces.map((s, i) =>
      withNamespace(s.path, [link.add({ name: `only${i}`, type: 'bridge' })])));
    const answers = await Promise.all(Array.from({ length: 30 }, (_, k) => {
      const i = k % spaces.length;
      return withNamespace(spaces[i].path, [link.list()]).then(([l]) => ({ i, l }));
    }));
    for (const { i, l } of answers) {
      const names = l.map((x) => x.name).sort();
      assert.equal(names, ['lo', `only${i}`].sort(), `namespace ${i}`);
    }
  }));

test('a large batch: 2000 ops in one request', () => withScratch(1, async ([a]) => {
  const ops = Array.from({ length: 2000 }, (_, i) =>
    i % 2 ? link.get('lo') : link.set('lo', { up: i % 4 === 0 }));
  const results = await withNamespace(a.path, ops);
  assert.is(results.length, 2000);
  assert.is(results[1999].name, 'lo');
}));

test('a reply that would pass the frame cap stops the batch: ERR_NSDO_REPLY_TOO_LARGE', () =>
  withHelper(async (helper) => {
    // each link.get result is over 100 bytes: 40,000 of them pass 4 MiB
    const ops = Array.from({ length: 40000 }, () => link.get('lo'));
    const error = await rejects(withNamespace(process.pid, ops, { helper }),
      { code: 'ERR_NSDO_REPLY_TOO_LARGE', op: 'link.get' });
    assert.ok(error.results.length > 1000, 'the results that fitted are kept');
    assert.is(error.index, error.results.length);
    const [lo] = await withNamespace(process.pid, [link.get('lo')], { helper });
    assert.is(lo.name, 'lo', 'the same helper goes on serving');
  }));

test('a temporary namespace outlives a helper that died', () => withHelper(async (helper) => {
  const tmp = await Namespace.temporary({ helper });
  try {
    await withNamespace(tmp, [link.add({ name: 'k0', type: 'bridge' })], { helper });
    process.kill(helper.pid, 'SIGKILL');
    await new Promise((resolve) => helper.once('exit', resolve));
    const [k0] = await withNamespace(tmp, [link.get('k0')], { helper });
    assert.is(k0.type, 'bridge', 'the new helper finds the same namespace');
  } finally {
    await tmp.close();
  }
}));

test('the shared helper is one process', async () => {
  await withNamespace(process.pid, [link.list()]);
  assert.is(getHelper(), getHelper());
  assert.type(getHelper().pid, 'number');
});

test.run();

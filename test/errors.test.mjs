// How failures surface: NsdoError's fields for kernel errors, the codes of
// namespace paths that are not what they claim, invalid names, and how a
// batch stops (or, in continue mode, goes on) at a failing op.
import fs from 'node:fs';
import * as assert from 'uvu/assert';
import { withNamespace, Namespace, NsdoError, link } from '../dist/index.js';
import { suite } from './lib/harness.mjs';
import { rejection, rejects } from './lib/expect.mjs';
import { linkByName, links, run } from './lib/kernel.mjs';
import { withScratch } from './lib/scratch.mjs';

const test = suite('errors');

test('EEXIST: code, errno, op, index, namespace, message and completed results', () =>
  withScratch(1, async ([a]) => {
    const error = await rejects(withNamespace(a.path, [
      link.add({ name: 'br0', type: 'bridge' }),
      link.get('br0'),
      link.add({ name: 'br0', type: 'bridge' }),
    ]), { code: 'EEXIST', errno: -17, op: 'link.add', index: 2, namespace: a.path });

    assert.instance(error, NsdoError);
    assert.instance(error, Error);
    assert.match(error.message, /br0/);
    assert.is(error.results.length, 2, 'results of the two ops that completed');
    assert.is(error.results[1].name, 'br0', 'the link.get result is kept');
    assert.is(typeof error.stack, 'string');
  }));

test('ENODEV for a link that does not exist', () => withScratch(1, async ([a]) => {
  const error = await rejects(withNamespace(a.path, [link.set('nope0', { up: true })]),
    { code: 'ENODEV', errno: -19, op: 'link.set', index: 0, namespace: a.path });
  assert.match(error.message, /nope0/);
  assert.equal(error.results, []);
}));

test('the kernel\'s extended ack is surfaced, in extack and in the message', () =>
  withScratch(1, async ([a]) => {
    const error = await rejects(withNamespace(a.path, [
      link.add({ name: 'br0', type: 'bridge' }),
      link.set('br0', { mtu: 1_000_000 }),
    ]), { code: 'EINVAL', errno: -22, index: 1, op: 'link.set' });
    assert.match(error.extack ?? '', /mtu/i);
    assert.ok(error.message.includes(error.extack), error.message);
  }));

test('a veth peer namespace that does not exist', () => withScratch(1, async ([a]) => {
  const error = await rejects(withNamespace(a.path, [
    link.add({ name: 'p0', type: 'veth', peer: { name: 'p1', namespace: '/run/netns/nsdo-nope' } }),
  ]), { code: 'ERR_NSDO_NAMESPACE_NOT_FOUND', index: 0, op: 'link.add' });
  assert.match(error.message, /nsdo-nope/);
  assert.not.ok(await linkByName(a.name, 'p0'));
}));

test('a missing namespace path: ERR_NSDO_NAMESPACE_NOT_FOUND', async () => {
  const path = '/run/netns/nsdo-does-not-exist';
  const error = await rejects(withNamespace(path, [link.list()]),
    { code: 'ERR_NSDO_NAMESPACE_NOT_FOUND' });
  assert.match(error.message, /nsdo-does-not-exist/);
});

test('a stale plain file: ERR_NSDO_NOT_A_NAMESPACE', async () => {
  const path = '/run/netns/nsdo-stale';
  fs.writeFileSync(path, '');
  try {
    const error = await rejects(withNamespace(path, [link.list()]),
      { code: 'ERR_NSDO_NOT_A_NAMESPACE' });
    assert.match(error.message, /nsdo-stale/);
    await rejects(Namespace.open('nsdo-stale'), { code: 'ERR_NSDO_NOT_A_NAMESPACE' });
  } finally {
    fs.rmSync(path, { force: true });
  }
});

test('a directory: ERR_NSDO_NOT_A_NAMESPACE', async () => {
  await rejects(withNamespace('/run/netns', [link.list()]), { code: 'ERR_NSDO_NOT_A_NAMESPACE' });
});

test('another type of namespace (/proc/self/ns/mnt): ERR_NSDO_WRONG_NAMESPACE_TYPE', async () => {
  await rejects(withNamespace('/proc/self/ns/mnt', [link.list()]),
    { code: 'ERR_NSDO_WRONG_NAMESPACE_TYPE' });
  await rejects(Namespace.open('/proc/self/ns/uts'), { code: 'ERR_NSDO_WRONG_NAMESPACE_TYPE' });
});

test('invalid namespace names are refused and nothing is created', async () => {
  const before = fs.readdirSync('/run/netns').sort();
  for (const name of ['a/b', '/', '..', '.', '', 'x'.repeat(256)]) {
    await rejects(Namespace.create(name), { code: 'ERR_NSDO_INVALID_NAME' });
  }
  assert.equal(fs.readdirSync('/run/netns').sort(), before);
});

test('invalid link names are refused and nothing is created', () =>
  withScratch(1, async ([a]) => {
    for (const name of ['x'.repeat(16), 'a/b', 'a b', '']) {
      // the op builder may refuse it at once, or the helper later
      const error = await rejection((async () =>
        withNamespace(a.path, [link.add({ name, type: 'bridge' })]))());
      assert.instance(error, NsdoError);
      assert.match(error.code, /^ERR_NSDO_(BAD_ARGUMENT|INVALID_NAME)$/,
        `link name ${JSON.stringify(name)}: got ${error.code}`);
    }
    assert.equal((await links(a.name)).map((l) => l.ifname), ['lo']);
  }));

test('a batch stops at the first failure', () => withScratch(1, async ([a]) => {
  const error = await rejects(withNamespace(a.path, [
    link.add({ name: 'one0', type: 'bridge' }),
    link.add({ name: 'one0', type: 'bridge' }),
    link.add({ name: 'two0', type: 'bridge' }),
  ]), { code: 'EEXIST', index: 1 });
  assert.is(error.results.length, 1);
  assert.ok(await linkByName(a.name, 'one0'));
  assert.not.ok(await linkByName(a.name, 'two0'), 'the op after the failure did not run');
}));

test('continue mode runs every op and reports each failure in place', () =>
  withScratch(1, async ([a]) => {
    const ops = [
      link.add({ name: 'one0', type: 'bridge' }),
      link.add({ name: 'one0', type: 'bridge' }),
      link.add({ name: 'two0', type: 'bridge' }),
      link.get('nope0'),
    ];
    const outcome = await withNamespace(a.path, ops, { continue: true }).then(
      (results) => ({ results }), (error) => ({ error }));
    const results = outcome.results ?? outcome.error?.results;

    assert.ok(await linkByName(a.name, 'two0'), 'the op after the failure ran');
    assert.is(results.length, 4, 'one entry per op');
    const failedAt = (i) => results[i] instanceof Error ? results[i] : results[i]?.error;
    assert.not.ok(failedAt(0));
    assert.is(failedAt(1)?.code, 'EEXIST');
    assert.not.ok(failedAt(2));
    assert.is(failedAt(3)?.code, 'ENODEV');
  }));

test('the namespace is reported for a pid target too', async () => {
  const error = await rejection(withNamespace(process.pid, [link.get('nope0')]));
  assert.is(error.code, 'ENODEV');
  assert.type(error.namespace, 'string');
  assert.ok(error.namespace.includes(String(process.pid)), error.namespace);
});

test('no error leaves a link behind in Node\'s own namespace', async () => {
  const names = (await run('ip', ['-j', 'link', 'show'])).trim();
  assert.equal(JSON.parse(names).map((l) => l.ifname), ['lo']);
});

test.run();

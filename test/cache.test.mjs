// The helper's namespace cache: it keeps one netlink socket per namespace
// it works in, and a socket keeps its namespace alive. A namespace deleted
// behind nsdo's back (`ip netns del`) must still be freed soon, even while
// the helper is busy with other namespaces, and a cached namespace must
// not cost a new socket per request.
//
// Each test runs its own Helper, so that the sockets counted are its own
// and no other test's cached namespaces come and go in between.
import fs from 'node:fs';
import * as assert from 'uvu/assert';
import { Helper, link, withNamespace } from '../dist/index.js';
import { suite } from './lib/harness.mjs';
import { linkByName, run, sleep } from './lib/kernel.mjs';
import { withScratch } from './lib/scratch.mjs';

const test = suite('cache');

/** Runs fn with a helper of its own, closed after. */
async function withHelper(fn) {
  const helper = new Helper();
  try {
    return await fn(helper);
  } finally {
    await helper.close();
  }
}

/** The inodes of the sockets a process holds, sorted. */
function socketsOf(pid) {
  const dir = `/proc/${pid}/fd`;
  return fs.readdirSync(dir).map((fd) => {
    try {
      return fs.readlinkSync(`${dir}/${fd}`);
    } catch {
      return '';
    }
  }).filter((target) => target.startsWith('socket:')).sort();
}

/** Makes veth va in a with its peer vb in b; b is then held by va alone. */
async function vethAcross(helper, a, b) {
  await withNamespace(a.path, [
    link.add({ name: 'va', type: 'veth', peer: { name: 'vb', namespace: b.path } }),
  ], { helper });
  await withNamespace(b.path, [link.list()], { helper });
}

test('ip netns del: freed within seconds while another namespace is in constant use', () =>
  withHelper((helper) => withScratch(2, async ([a, b]) => {
    await vethAcross(helper, a, b);
    await run('ip', ['netns', 'del', b.name]);

    // A request in a every 100 ms: the helper is never idle.
    const start = Date.now();
    let gone = false;
    while (!gone && Date.now() - start < 6000) {
      await withNamespace(a.path, [link.list()], { helper });
      await sleep(100);
      gone = !(await linkByName(a.name, 'va'));
    }
    const ms = Date.now() - start;
    assert.ok(gone, 'b was freed, and with it the veth pair, while a was in use');
    assert.ok(ms < 4000, `freed after ${ms} ms`);
  })));

test('a name deleted and made again: the old namespace is let go at the next request', () =>
  withHelper((helper) => withScratch(2, async ([a, b]) => {
    await vethAcross(helper, a, b);
    const before = socketsOf(helper.pid);

    await run('ip', ['netns', 'del', b.name]);
    await run('ip', ['netns', 'add', b.name]);
    const [links] = await withNamespace(b.path, [link.list()], { helper });
    assert.equal(links.map((l) => l.name), ['lo'], 'the request ran in the new b');

    // The old b's socket went in that same request: as many sockets as before.
    assert.is(socketsOf(helper.pid).length, before.length);
    const gone = await (async () => {
      for (let i = 0; i < 100; i++) {
        if (!(await linkByName(a.name, 'va'))) return true;
        await sleep(20);
      }
      return false;
    })();
    assert.ok(gone, 'the old b was freed');
  })));

test('a namespace in use keeps its socket; an unused one loses it after about 1 s', () =>
  withHelper((helper) => withScratch(2, async ([a, b]) => {
    await withNamespace(a.path, [link.list()], { helper });
    await withNamespace(b.path, [link.list()], { helper });
    const both = socketsOf(helper.pid);

    for (let i = 0; i < 15; i++) {
      await withNamespace(a.path, [link.list()], { helper });
      await sleep(100);
    }
    const after = socketsOf(helper.pid);
    assert.is(after.length, both.length - 1, 'b\'s socket was closed');
    assert.ok(after.every((s) => both.includes(s)), 'a kept the socket it had');
  })));

test.run();

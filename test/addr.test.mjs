// addr.add, addr.del, addr.list for IPv4 and IPv6, each checked through
// `ip -j addr show` in the namespace.
import * as assert from 'uvu/assert';
import { withNamespace, link, addr } from '../dist/index.js';
import { suite } from './lib/harness.mjs';
import { rejects } from './lib/expect.mjs';
import { addrsOf, linkByName } from './lib/kernel.mjs';
import { withScratch } from './lib/scratch.mjs';

const test = suite('addr');

/** A namespace with one veth end v0 (up) to put addresses on. */
function withLink(fn) {
  return withScratch(1, async ([a]) => {
    await withNamespace(a.path, [
      link.add({ name: 'v0', type: 'veth', up: true, peer: { name: 'v1' } }),
      link.set('v1', { up: true }),
    ]);
    return fn(a);
  });
}

const has = (list, local, prefixlen) =>
  list.some((x) => x.local === local && x.prefixlen === prefixlen);

test('addr.add IPv4 and IPv6', () => withLink(async (a) => {
  await withNamespace(a.path, [addr.add('v0', '10.1.0.1/24'), addr.add('v0', 'fd00:1::1/64')]);
  const seen = await addrsOf(a.name, 'v0');
  assert.ok(has(seen, '10.1.0.1', 24), 'ip shows 10.1.0.1/24');
  assert.ok(has(seen, 'fd00:1::1', 64), 'ip shows fd00:1::1/64');
}));

test('addr.add by link index', () => withLink(async (a) => {
  const index = (await linkByName(a.name, 'v0')).ifindex;
  await withNamespace(a.path, [addr.add(index, '10.1.0.2/16')]);
  assert.ok(has(await addrsOf(a.name, 'v0'), '10.1.0.2', 16));
}));

test('addr.list gives every address with its fields; with dev, only that link\'s', () =>
  withLink(async (a) => {
    await withNamespace(a.path, [
      addr.add('v0', '10.1.0.1/24'),
      addr.add('v0', 'fd00:1::1/64'),
      addr.add('v1', '10.1.0.9/24'),
    ]);
    const index = (await linkByName(a.name, 'v0')).ifindex;
    const [all, onV0] = await withNamespace(a.path, [addr.list(), addr.list('v0')]);

    assert.is(all.interrupted, false);
    const v4 = all.find((x) => x.address === '10.1.0.1');
    assert.equal(v4, {
      dev: 'v0', index, address: '10.1.0.1', prefixLength: 24, family: 4, scope: 'global',
    });
    const v6 = all.find((x) => x.address === 'fd00:1::1');
    assert.equal(v6, {
      dev: 'v0', index, address: 'fd00:1::1', prefixLength: 64, family: 6, scope: 'global',
    });
    assert.ok(all.some((x) => x.address === '10.1.0.9' && x.dev === 'v1'));
    assert.ok(onV0.every((x) => x.dev === 'v0'), 'addr.list("v0") lists only v0');
    assert.not.ok(onV0.some((x) => x.address === '10.1.0.9'));

    // every global address ip shows on v0 is in nsdo's list, and no more
    const ipGlobal = (await addrsOf(a.name, 'v0')).filter((x) => x.scope === 'global')
      .map((x) => `${x.local}/${x.prefixlen}`).sort();
    const mine = onV0.filter((x) => x.scope === 'global')
      .map((x) => `${x.address}/${x.prefixLength}`).sort();
    assert.equal(mine, ipGlobal);
  }));

test('addr.del IPv4 and IPv6', () => withLink(async (a) => {
  await withNamespace(a.path, [addr.add('v0', '10.1.0.1/24'), addr.add('v0', 'fd00:1::1/64')]);
  await withNamespace(a.path, [addr.del('v0', '10.1.0.1/24'), addr.del('v0', 'fd00:1::1/64')]);
  const seen = await addrsOf(a.name, 'v0');
  assert.not.ok(seen.some((x) => x.local === '10.1.0.1'));
  assert.not.ok(seen.some((x) => x.local === 'fd00:1::1'));
}));

test('addr.add twice fails with EEXIST', () => withLink(async (a) => {
  await rejects(
    withNamespace(a.path, [addr.add('v0', '10.1.0.1/24'), addr.add('v0', '10.1.0.1/24')]),
    { code: 'EEXIST', errno: -17, op: 'addr.add', index: 1 });
}));

test('addr.del of an address the link does not have fails', () => withLink(async (a) => {
  await rejects(withNamespace(a.path, [addr.del('v0', '10.1.0.77/24')]),
    { code: 'EADDRNOTAVAIL', op: 'addr.del' });
}));

test('addr.add with a malformed address is refused and names it', () =>
  withLink(async (a) => {
    for (const bad of ['10.1.0.300/24', '10.1.0.1/33', 'fd00::1/129', 'nope']) {
      // the op builder may refuse it at once, or the helper later
      const error = await rejects((async () => withNamespace(a.path, [addr.add('v0', bad)]))(),
        { code: 'ERR_NSDO_BAD_ARGUMENT' });
      assert.ok(error.message.includes(bad), `the message names ${bad}: ${error.message}`);
    }
    assert.equal(await addrsOf(a.name, 'v0').then((l) => l.filter((x) => x.family === 4)), []);
  }));

test.run();

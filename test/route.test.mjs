// route.add, route.replace, route.del, route.list for IPv4 and IPv6, each
// checked through `ip -j -4/-6 route show table T` in the namespace.
import * as assert from 'uvu/assert';
import { withNamespace, link, addr, route } from '../dist/index.js';
import { suite } from './lib/harness.mjs';
import { rejects } from './lib/expect.mjs';
import { eventually, ipJson, run, routesOf } from './lib/kernel.mjs';
import { withScratch } from './lib/scratch.mjs';

const test = suite('route');

/**
 * A namespace with veth r0 (up) holding 10.2.0.1/24 and fd00:2::1/64, and
 * its peer r1 up, so that 10.2.0.2 and fd00:2::2 are on-link gateways.
 * Duplicate address detection is off, and the setup waits until the kernel
 * no longer marks the IPv6 address tentative (it does so until it has seen
 * the carrier come up), so the address is usable as a route source.
 */
function withNet(fn) {
  return withScratch(1, async ([a]) => {
    await run('nsenter', [`--net=${a.path}`, 'sh', '-c',
      'echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad']);
    await withNamespace(a.path, [
      link.add({ name: 'r0', type: 'veth', up: true, peer: { name: 'r1' } }),
      link.set('r1', { up: true }),
      addr.add('r0', '10.2.0.1/24'),
      addr.add('r0', 'fd00:2::1/64'),
    ]);
    const usable = await eventually(async () => {
      const [entry] = await ipJson(a.name, ['-6', 'addr', 'show', 'dev', 'r0']);
      const info = entry?.addr_info?.find((x) => x.local === 'fd00:2::1');
      return info !== undefined && !info.tentative;
    }, { ms: 3000 });
    assert.ok(usable, 'fd00:2::1 still tentative after 3 s');
    return fn(a);
  });
}

const find = (list, dst) => list.find((r) => r.dst === dst);

test('route.add IPv4: to a prefix via a gateway, and a host route', () =>
  withNet(async (a) => {
    await withNamespace(a.path, [
      route.add({ to: '10.3.0.0/16', via: '10.2.0.2' }),
      route.add({ to: '10.4.0.7', via: '10.2.0.2', dev: 'r0' }),
    ]);
    const seen = await routesOf(a.name, 4);
    assert.is(find(seen, '10.3.0.0/16')?.gateway, '10.2.0.2');
    assert.is(find(seen, '10.3.0.0/16')?.dev, 'r0');
    assert.is(find(seen, '10.4.0.7')?.gateway, '10.2.0.2', 'a bare address is a /32');
  }));

test('route.add IPv4 default via a gateway with a metric', () => withNet(async (a) => {
  await withNamespace(a.path, [route.add({ to: 'default', via: '10.2.0.2', metric: 100 })]);
  const def = find(await routesOf(a.name, 4), 'default');
  assert.is(def?.gateway, '10.2.0.2');
  assert.is(def?.metric, 100);
}));

test('route.add IPv4 with dev only defaults to scope link; scope and src as given', () =>
  withNet(async (a) => {
    await withNamespace(a.path, [
      route.add({ to: '10.5.0.0/24', dev: 'r0' }),
      route.add({ to: '10.6.0.0/24', dev: 'r0', scope: 'host' }),
      route.add({ to: '10.7.0.0/24', dev: 'r0', src: '10.2.0.1' }),
    ]);
    const seen = await routesOf(a.name, 4);
    assert.is(find(seen, '10.5.0.0/24')?.scope, 'link');
    assert.is(find(seen, '10.6.0.0/24')?.scope, 'host');
    assert.is(find(seen, '10.7.0.0/24')?.prefsrc, '10.2.0.1');
  }));

test('route.add into a numbered table', () => withNet(async (a) => {
  await withNamespace(a.path, [
    route.add({ to: 'default', via: '10.2.0.2', table: 100 }),
    route.add({ to: 'default', via: 'fd00:2::2', table: 100 }),
  ]);
  assert.is(find(await routesOf(a.name, 4, 100), 'default')?.gateway, '10.2.0.2');
  assert.is(find(await routesOf(a.name, 6, 100), 'default')?.gateway, 'fd00:2::2');
  assert.not.ok(find(await routesOf(a.name, 4), 'default'), 'not in main');
}));

test('route.replace changes a route, and adds one that is missing', () =>
  withNet(async (a) => {
    await withNamespace(a.path, [
      route.add({ to: '10.3.0.0/16', via: '10.2.0.2' }),
      route.replace({ to: '10.3.0.0/16', via: '10.2.0.3' }),
      route.replace({ to: '10.8.0.0/16', via: '10.2.0.4' }),
    ]);
    const seen = (await routesOf(a.name, 4)).filter((r) => r.dst === '10.3.0.0/16');
    assert.is(seen.length, 1, 'replaced, not added beside');
    assert.is(seen[0].gateway, '10.2.0.3');
    assert.is(find(await routesOf(a.name, 4), '10.8.0.0/16')?.gateway, '10.2.0.4');
  }));

test('route.del IPv4 and IPv6', () => withNet(async (a) => {
  await withNamespace(a.path, [
    route.add({ to: '10.3.0.0/16', via: '10.2.0.2' }),
    route.add({ to: 'fd00:3::/64', via: 'fd00:2::2' }),
  ]);
  await withNamespace(a.path, [
    route.del({ to: '10.3.0.0/16', via: '10.2.0.2' }),
    route.del({ to: 'fd00:3::/64' }),
  ]);
  assert.not.ok(find(await routesOf(a.name, 4), '10.3.0.0/16'));
  assert.not.ok(find(await routesOf(a.name, 6), 'fd00:3::/64'));
}));

test('route.del of a missing route fails with ESRCH', () => withNet(async (a) => {
  await rejects(withNamespace(a.path, [route.del({ to: '10.99.0.0/24' })]),
    { code: 'ESRCH', errno: -3, op: 'route.del', index: 0 });
}));

test('route.add IPv6: prefix via gateway, default with metric, dev-only default, src', () =>
  withNet(async (a) => {
    await withNamespace(a.path, [
      route.add({ to: 'fd00:3::/64', via: 'fd00:2::2' }),
      route.add({ to: 'default', via: 'fd00:2::2', metric: 300 }),
      route.add({ to: 'default', dev: 'r0', family: 6, metric: 400 }),
      route.add({ to: 'fd00:4::/64', dev: 'r0', src: 'fd00:2::1' }),
    ]);
    const seen = await routesOf(a.name, 6);
    assert.is(find(seen, 'fd00:3::/64')?.gateway, 'fd00:2::2');
    const defaults = seen.filter((r) => r.dst === 'default');
    assert.ok(defaults.some((r) => r.gateway === 'fd00:2::2' && r.metric === 300));
    assert.ok(defaults.some((r) => !r.gateway && r.dev === 'r0' && r.metric === 400));
    assert.is(find(seen, 'fd00:4::/64')?.prefsrc, 'fd00:2::1');
    assert.not.ok(find(await routesOf(a.name, 4), 'default'), 'the IPv6 default is not IPv4');
  }));

test('route.replace IPv6', () => withNet(async (a) => {
  await withNamespace(a.path, [
    route.add({ to: 'fd00:3::/64', via: 'fd00:2::2' }),
    route.replace({ to: 'fd00:3::/64', via: 'fd00:2::3' }),
  ]);
  const seen = (await routesOf(a.name, 6)).filter((r) => r.dst === 'fd00:3::/64');
  assert.is(seen.length, 1);
  assert.is(seen[0].gateway, 'fd00:2::3');
}));

test('route.list gives the kernel\'s routes with their fields', () => withNet(async (a) => {
  await withNamespace(a.path, [
    route.add({ to: '10.3.0.0/16', via: '10.2.0.2', metric: 7 }),
    route.add({ to: '10.7.0.0/24', dev: 'r0', src: '10.2.0.1' }),
    route.add({ to: 'default', via: '10.2.0.2', table: 100 }),
    route.add({ to: 'fd00:3::/64', via: 'fd00:2::2' }),
  ]);
  const [main, v6, t100, all] = await withNamespace(a.path, [
    route.list(),
    route.list({ family: 6 }),
    route.list({ table: 100 }),
    route.list({ table: 'all' }),
  ]);

  assert.is(main.interrupted, false);
  assert.equal(find(main.map((r) => ({ ...r, dst: r.to })), '10.3.0.0/16'), {
    to: '10.3.0.0/16', dst: '10.3.0.0/16', via: '10.2.0.2', dev: 'r0', table: 254, metric: 7,
    family: 4, scope: 'universe', protocol: 'boot', type: 'unicast', src: null,
  });
  const withSrc = main.find((r) => r.to === '10.7.0.0/24');
  assert.is(withSrc.src, '10.2.0.1');
  assert.is(withSrc.scope, 'link');
  assert.is(withSrc.via, null);

  // main, IPv4, as ip sees it
  const ipMain = (await routesOf(a.name, 4)).map((r) => r.dst).sort();
  assert.equal(main.filter((r) => r.family === 4).map((r) => r.to).sort(), ipMain);

  assert.ok(v6.every((r) => r.family === 6), 'family: 6 lists IPv6 only');
  assert.ok(v6.some((r) => r.to === 'fd00:3::/64' && r.via === 'fd00:2::2'));
  assert.ok(t100.some((r) => r.to === 'default' && r.table === 100));
  assert.ok(t100.every((r) => r.table === 100), 'table: 100 lists table 100 only');
  assert.ok(all.some((r) => r.table === 255 && r.type === 'local' && r.to.startsWith('10.2.0.1')),
    'table: all includes the local table');
  assert.ok(all.some((r) => r.table === 100));
}));

test('route.list({ table: "local" })', () => withNet(async (a) => {
  const [local] = await withNamespace(a.path, [route.list({ table: 'local', family: 4 })]);
  const ipLocal = (await routesOf(a.name, 4, 'local')).map((r) => `${r.type}:${r.dst}`).sort();
  assert.ok(local.length > 0);
  const mine = local.map((r) => `${r.type}:${r.to.replace(/\/32$/, '')}`).sort();
  assert.equal(mine, ipLocal);
}));

test.run();

// Fault injection, on the real kernel, observed through `ip -j` and /proc:
//
// 1. The helper SIGKILLed at random moments over at least 400 batches:
//    every pending call rejects with ERR_NSDO_HELPER_EXITED, none hangs or
//    resolves wrongly, the next call gets a new helper, and nothing leaks
//    (fds in Node and in the helper, children, zombies, files and mounts in
//    the run directory). The decisions come from a seeded generator: the
//    seed is printed, and NSDO_FAULT_SEED=N repeats them. (Where in its
//    work the signal finds the helper is up to the scheduler.)
// 2. Namespaces that vanish or change while requests for them wait: each
//    request runs in the namespace it named or fails with a namespace
//    error; none runs anywhere else.
// 3. Bad input through the raw protocol, table-driven, beyond what
//    helper.test.mjs and helper/test/e2e.mjs already cover, and symbolic
//    links in the run directory. Each is refused with a clear code and the
//    same helper answers the next request.
import { execFileSync, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { withNamespace, Namespace, Helper, NsdoError, link, addr } from '../dist/index.js';
import { scratchDir, suite } from './lib/harness.mjs';
import { rejects } from './lib/expect.mjs';
import { addrsOf, eventually, ipJson, links, run, sleep, statId } from './lib/kernel.mjs';
import {
  entriesOf, fdTable, helperChildren, helperFdReport, isChild, mountsUnder, newFds, snapshot,
  snapshotDiff, zombies,
} from './lib/leaks.mjs';
import { RawHelper, frame, helperPath, pack } from './lib/raw-helper.mjs';
import { uniqueName, withScratch } from './lib/scratch.mjs';

const test = suite('faults', { timeout: 120_000 });

const SEED = process.env.NSDO_FAULT_SEED !== undefined
  ? Number(process.env.NSDO_FAULT_SEED) >>> 0 : randomInt(2 ** 31);
const MIN_BATCHES = 400;
const HANG_MS = 10_000;

// ---------------------------------------------------------------------------
// 1. SIGKILL at random moments

/** A small seeded generator (mulberry32): the same seed, the same choices. */
function generator(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
  };
}

/** Resolves to { ok, value } or { ok: false, error }; rejects (a hang) after HANG_MS. */
function settle(promise, what) {
  let timer;
  const hang = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} neither resolved nor rejected ` +
      `within ${HANG_MS} ms`)), HANG_MS);
  });
  const outcome = promise.then((value) => ({ ok: true, value }),
    (error) => ({ ok: false, error }));
  return Promise.race([outcome, hang]).finally(() => clearTimeout(timer));
}

/**
 * The world the storm works on: scratch namespaces, each with a marker
 * bridge whose name no other namespace has, and what each batch tried and
 * what the kernel confirmed.
 */
function makeWorld(spaces) {
  return {
    spaces: spaces.map((s, i) => ({
      ...s, marker: `mark${i}`, triedLinks: new Set(), madeLinks: new Set(),
      triedAddrs: new Set(), madeAddrs: new Set(),
    })),
    veths: [],        // { a, b, i, j, made }
    creates: [],      // { name, made }
    counter: 0,
  };
}

/**
 * One random batch: its kind, how to start it, how to check a success, and
 * what to record once its fate is known.
 */
function makeBatch(rng, world, helper) {
  const n = ++world.counter;
  const roll = rng.next();
  if (roll < 0.12) return homeBatch(helper);
  if (roll < 0.22) return createBatch(world, helper, n);
  if (roll < 0.3) return bigBatch(rng, world, helper);
  return scratchBatch(rng, world, helper, n);
}

/** Reads only, in Node's own namespace (never changes it). */
function homeBatch(helper) {
  return {
    kind: 'home',
    start: () => withNamespace(process.pid, [link.get('lo'), link.list()], { helper }),
    check: ([lo, list]) => {
      assert.is(lo.name, 'lo');
      assert.ok(list.some((l) => l.name === 'lo'));
    },
    record: () => {},
  };
}

/** namespace.create of a fresh name. */
function createBatch(world, helper, n) {
  const entry = { name: `nsdo-kill${SEED % 1000}-${n}`, made: false };
  world.creates.push(entry);
  return {
    kind: 'create',
    start: () => Namespace.create(entry.name, { helper }),
    check: (ns) => {
      assert.is(ns.path, `/run/netns/${entry.name}`);
      assert.match(ns.id, /^\d+:\d+$/);
    },
    record: (ok) => { entry.made = ok; },
  };
}

/** Hundreds of reads in one batch, so that a kill lands while it runs. */
function bigBatch(rng, world, helper) {
  const space = rng.pick(world.spaces);
  const count = 200 + rng.int(400);
  return {
    kind: 'big',
    start: () => withNamespace(space.path,
      Array.from({ length: count }, () => link.get(space.marker)), { helper }),
    check: (results) => {
      assert.is(results.length, count);
      for (const r of results) assert.is(r.name, space.marker);
    },
    record: () => {},
  };
}

/** Changes in one scratch namespace: addresses, bridges, veths into another. */
function scratchBatch(rng, world, helper, n) {
  const i = rng.int(world.spaces.length);
  const space = world.spaces[i];
  const ops = [link.get(space.marker)];
  const bridges = [];
  const addrs = [];
  let veth = null;
  for (let k = rng.int(4); k > 0; k--) {
    const what = rng.pick(['addr', 'addr', 'bridge', 'veth', 'list']);
    if (what === 'addr') {
      const address = `10.${200 + i}.${(n >> 8) & 255}.${n & 255}`;
      if (addrs.includes(address)) continue;
      ops.push(addr.add(space.marker, `${address}/32`));
      addrs.push(address);
    } else if (what === 'bridge' && !bridges.includes(`fb${n}`)) {
      ops.push(link.add({ name: `fb${n}`, type: 'bridge' }));
      bridges.push(`fb${n}`);
    } else if (what === 'veth' && veth === null) {
      const j = (i + 1 + rng.int(world.spaces.length - 1)) % world.spaces.length;
      veth = { a: `fv${n}`, b: `fw${n}`, i, j, made: false };
      ops.push(link.add({ name: veth.a, type: 'veth',
        peer: { name: veth.b, namespace: world.spaces[j].path } }));
    } else if (what === 'list') {
      ops.push(link.list());
    }
  }
  for (const l of bridges) space.triedLinks.add(l);
  for (const a of addrs) space.triedAddrs.add(a);
  if (veth !== null) {
    space.triedLinks.add(veth.a);
    world.spaces[veth.j].triedLinks.add(veth.b);
    world.veths.push(veth);
  }
  return {
    kind: 'scratch',
    start: () => withNamespace(space.path, ops, { helper }),
    check: (results) => {
      assert.is(results.length, ops.length);
      assert.is(results[0].name, space.marker, 'the batch ran in the namespace it named');
      results.slice(1).forEach((r, k) => {
        if (ops[k + 1].op === 'link.list') assert.ok(r.some((l) => l.name === space.marker));
        else assert.is(r, undefined);
      });
    },
    record: (ok) => {
      if (!ok) return;
      for (const l of bridges) space.madeLinks.add(l);
      for (const a of addrs) space.madeAddrs.add(a);
      if (veth !== null) {
        veth.made = true;
        space.madeLinks.add(veth.a);
        world.spaces[veth.j].madeLinks.add(veth.b);
      }
    },
  };
}

/** Checks one rejection: the helper's death, by SIGKILL, and nothing else. */
function checkKilled(error, what) {
  assert.instance(error, NsdoError, `${what}: ${error?.stack ?? error}`);
  assert.is(error.code, 'ERR_NSDO_HELPER_EXITED', `${what}: ${error.message}`);
  assert.is(error.signal, 'SIGKILL', `${what}: signal`);
  assert.is(error.exitCode, null, `${what}: exit code`);
  assert.match(error.message, /SIGKILL/);
}

/**
 * Where the storm stands after a kill: the killed helper is gone and was
 * reaped, the next call works and has a new helper, whose fds are only
 * those the protocol names, and Node holds no fd beyond that helper's
 * three pipes.
 */
async function afterKill(helper, killed, stats, cached) {
  assert.not.ok(isChild(killed), `the killed helper ${killed} was reaped`);
  assert.equal(zombies(), [], 'no zombie child');
  const [lo] = await withNamespace(process.pid, [link.get('lo')], { helper });
  assert.is(lo.name, 'lo', 'the next call succeeds');
  assert.type(helper.pid, 'number');
  assert.is.not(helper.pid, killed, 'a new helper, with a new pid');
  const { problems } = helperFdReport(helper.pid, { homeId: helper.hello.namespace, cached });
  assert.equal(problems, [], `the new helper's fds: ${problems.join('; ')}`);
  const extra = newFds(stats.nodeFds, fdTable());
  assert.ok(extra.length <= 3 && extra.every((l) => / -> (socket|pipe):\[\d+\]$/.test(l)),
    `Node's fds beyond the new helper's three pipes: ${extra.join(', ')}`);
}

/** One round: start 1-6 batches, maybe kill the helper at a random moment. */
async function stormRound(rng, world, helper, stats, cached) {
  const mode = rng.pick(['prehello', 'sync', 'sync', 'tick', 'ms', 'ms', 'ms', 'none']);
  if (mode === 'prehello') await helper.close();   // the round's first batch spawns one
  const batches = Array.from({ length: 1 + rng.int(6) }, () => makeBatch(rng, world, helper));
  const delay = rng.int(16);
  const outcomes = batches.map((b, k) =>
    settle(b.start(), `batch ${stats.batches + k} (${b.kind})`));
  stats.batches += batches.length;

  let killed = null;
  if (mode !== 'none') {
    if (mode === 'tick') await new Promise((resolve) => setImmediate(resolve));
    if (mode === 'ms') await sleep(delay);
    killed = helper.pid;
    const exited = new Promise((resolve) => helper.once('exit', resolve));
    process.kill(killed, 'SIGKILL');
    stats.kills++;
    if (mode === 'prehello') stats.beforeHello++;
    await settle(exited, `the exit of helper ${killed}`);
  }

  const results = await Promise.all(outcomes);
  results.forEach((outcome, k) => {
    const what = `batch ${stats.batches - batches.length + k} (${batches[k].kind}, ` +
      `round mode ${mode})`;
    if (outcome.ok) {
      batches[k].check(outcome.value);
      stats.resolved++;
    } else {
      assert.ok(killed !== null, `${what} failed without a kill: ${outcome.error?.message}`);
      checkKilled(outcome.error, what);
      if (batches[k].kind === 'create') {
        assert.match(outcome.error.message, /was cut short: .*`ip netns del nsdo-kill/,
          `${what}: the error says what may be left behind`);
      }
      stats.rejected++;
    }
    batches[k].record(outcome.ok);
  });
  if (killed !== null) await afterKill(helper, killed, stats, cached);
}

/**
 * The kernel's view after the storm: every change whose batch resolved is
 * there; nothing is there that no batch tried; each veth has both ends or
 * none; Node's own namespace has not changed.
 */
async function checkWorld(world, homeLinks) {
  const present = new Map();
  for (const space of world.spaces) {
    const names = new Set((await links(space.name)).map((l) => l.ifname));
    present.set(space.name, names);
    const allowed = new Set(['lo', space.marker, ...space.triedLinks]);
    for (const n of names) assert.ok(allowed.has(n), `${space.name}: ${n}, which no batch made`);
    for (const n of space.madeLinks) assert.ok(names.has(n), `${space.name}: ${n} is missing`);

    const addrs = new Set((await addrsOf(space.name, space.marker))
      .filter((a) => a.family === 4).map((a) => a.local));
    for (const a of addrs) assert.ok(space.triedAddrs.has(a), `${space.name}: address ${a}`);
    for (const a of space.madeAddrs) assert.ok(addrs.has(a), `${space.name}: ${a} is missing`);
  }
  for (const v of world.veths) {
    const a = present.get(world.spaces[v.i].name).has(v.a);
    const b = present.get(world.spaces[v.j].name).has(v.b);
    assert.is(a, b, `veth ${v.a}/${v.b}: both ends or none`);
  }
  const now = (await links(null)).map((l) => l.ifname).sort();
  assert.equal(now, homeLinks, 'Node\'s own namespace has the links it had');
}

/**
 * The namespaces the storm tried to create: those whose call resolved are
 * mounted; the others may be mounted, a stale empty file (killed between
 * creating the file and mounting on it) or absent. Returns the counts and
 * removes them all through namespace.delete, which takes both forms.
 */
async function sweepCreates(world, helper, before) {
  const counts = { made: 0, unreported: 0, stale: 0, absent: 0 };
  const allowed = new Set([...before.entries, ...world.creates.map((c) => c.name),
    ...world.spaces.map((s) => s.name)]);
  for (const entry of entriesOf()) {
    assert.ok(allowed.has(entry), `an entry no one made: /run/netns/${entry}`);
  }
  for (const c of world.creates) {
    const p = `/run/netns/${c.name}`;
    const mounted = mountsUnder(p).filter((m) => m.startsWith(`${p} `)).length;
    assert.ok(mounted <= 1, `${p} is mounted ${mounted} times`);
    if (c.made) assert.is(mounted, 1, `${p}: its create resolved, so it is mounted`);
    if (c.made) counts.made++;
    else if (mounted) counts.unreported++;
    else if (fs.existsSync(p)) counts.stale++;
    else counts.absent++;
    if (!fs.existsSync(p)) continue;
    const reply = await helper.request(undefined, [{ op: 'namespace.delete', path: p }]);
    assert.is(reply.error, undefined, `namespace.delete ${p}: ${JSON.stringify(reply.error)}`);
  }
  return counts;
}

test(`SIGKILL at random moments over ${MIN_BATCHES} batches or more (seed ${SEED})`, async () => {
  const rng = generator(SEED);
  const helper = new Helper();
  const homeLinks = (await links(null)).map((l) => l.ifname).sort();
  const before = snapshot();
  const stats = { rounds: 0, batches: 0, kills: 0, beforeHello: 0, rejected: 0, resolved: 0,
    pids: new Set(), nodeFds: before.fds };
  const started = Date.now();
  helper.on('spawn', (pid) => stats.pids.add(pid));
  try {
    await withScratch(3, async (spaces) => {
      for (const [i, s] of spaces.entries()) {
        await run('ip', ['-n', s.name, 'link', 'add', `mark${i}`, 'type', 'bridge']);
      }
      const world = makeWorld(spaces);
      const cached = spaces.length;   // the scratch namespaces besides home
      while (stats.batches < MIN_BATCHES) {
        stats.rounds++;
        await stormRound(rng, world, helper, stats, cached);
      }
      await checkWorld(world, homeLinks);
      stats.creates = await sweepCreates(world, helper, before);
    });
    const { problems } = helperFdReport(helper.pid, { homeId: helper.hello.namespace });
    assert.equal(problems, [], `the last helper's fds: ${problems.join('; ')}`);
    const live = helper.pid;
    assert.equal(helperChildren(helperPath).filter((p) => !before.children.includes(p)), [live],
      'the only helper of ours alive is the current one');
  } finally {
    await helper.close();
  }

  assert.equal(helperChildren(helperPath).filter((p) => !before.children.includes(p)), [],
    'no helper of ours after close()');
  assert.equal(zombies(), [], 'no zombie');
  const diff = snapshotDiff(before, snapshot());
  assert.equal(diff, [], `leaks: ${diff.join('; ')}`);
  assert.ok(stats.kills > 0 && stats.rejected > 0 && stats.resolved > 0);

  const c = stats.creates;
  console.log(`\n    faults: seed ${SEED} (NSDO_FAULT_SEED=${SEED} repeats the choices): ` +
    `${stats.batches} batches in ${stats.rounds} rounds, ${stats.kills} SIGKILLs ` +
    `(${stats.beforeHello} before the hello), ${stats.rejected} calls rejected with ` +
    `ERR_NSDO_HELPER_EXITED (SIGKILL), ${stats.resolved} resolved and checked, ` +
    `${stats.pids.size} helpers started; namespace.create: ${c.made} resolved, ` +
    `${c.unreported} made but unreported, ${c.stale} stale files, ${c.absent} not made ` +
    `(all removed); no fd, child, zombie, mount or file left; ${Date.now() - started} ms`);
});

// ---------------------------------------------------------------------------
// 2. Namespaces that change while requests for them wait

/** A private helper for one test, closed (and resumed first) afterwards. */
async function withHelper(fn) {
  const helper = new Helper();
  try {
    await helper.request(undefined, [{ op: 'link.get', link: 'lo' }]);
    return await fn(helper);
  } finally {
    try {
      if (helper.pid) process.kill(helper.pid, 'SIGCONT');
    } catch {
      // gone already
    }
    await helper.close();
  }
}

/** Adds a bridge, so that a request can tell which namespace it ran in. */
async function mark(name, marker) {
  await run('ip', ['-n', name, 'link', 'add', marker, 'type', 'bridge']);
}

/** A raw request whose first op reads the marker link. */
function probe(helper, target, marker, extra = []) {
  return helper.request(target, [{ op: 'link.get', link: marker }, ...extra]);
}

/**
 * Checks raw replies that must form a prefix of successes in `id`,
 * followed only by failures whose codes are in `codes`, with no namespace
 * reached and no op run. Returns [successes, failures].
 */
function checkPrefix(replies, id, marker, codes) {
  let failed = 0;
  replies.forEach((reply, k) => {
    if (reply.error === undefined) {
      assert.is(failed, 0, `reply ${k} succeeded after a failure`);
      assert.is(reply.namespace, id, `reply ${k} ran in ${reply.namespace}, not ${id}`);
      assert.is(reply.results[0].name, marker);
      return;
    }
    failed++;
    assert.ok(codes.includes(reply.error.code), `reply ${k}: ${JSON.stringify(reply.error)}`);
    assert.is(reply.namespace, null, `reply ${k} names no namespace`);
    assert.equal(reply.results, [], `reply ${k}: no op ran`);
  });
  return [replies.length - failed, failed];
}

test('namespace.delete queued among requests for it: before it they run there, after it ' +
  'ERR_NSDO_NAMESPACE_NOT_FOUND; another namespace is never touched', () =>
  withHelper(async (helper) => {
    const name = uniqueName('qd');
    const x = await Namespace.create(name, { helper });
    await withScratch(1, async ([y]) => {
      await mark(name, 'mx');
      await mark(y.name, 'my');
      const yId = await statId(y.path);
      process.kill(helper.pid, 'SIGSTOP');   // everything below waits in the pipe
      const forX = [];
      const forY = [];
      for (let k = 0; k < 200; k++) {
        if (k === 100) forX.push(x.delete());
        forX.push(probe(helper, x.path, 'mx',
          [{ op: 'addr.add', dev: 'mx', address: `10.77.${k >> 8}.${k & 255}/32` }]));
        forY.push(probe(helper, y.path, 'my'));
      }
      process.kill(helper.pid, 'SIGCONT');

      const replies = await Promise.all(forX);
      assert.is(replies.splice(100, 1)[0], undefined, 'the delete resolved');
      const [ok, failed] = checkPrefix(replies, x.id, 'mx', ['ERR_NSDO_NAMESPACE_NOT_FOUND']);
      assert.is(ok, 100, 'every request before the delete ran in its namespace');
      assert.is(failed, 100, 'every request after it failed');
      for (const reply of await Promise.all(forY)) {
        assert.is(reply.error, undefined, JSON.stringify(reply.error));
        assert.is(reply.namespace, yId);
      }
      const inY = (await addrsOf(y.name, 'my')).filter((a) => a.family === 4);
      assert.equal(inY, [], 'no address meant for the deleted one landed in another');
      assert.not.ok(fs.existsSync(x.path));
    }).finally(() => run('ip', ['netns', 'del', name], { allowFail: true }));
  }));

/**
 * Queues 20 calls and 20 raw requests for a namespace path, then deletes
 * the namespace and makes it again under the same name before the helper
 * reads them. Returns the calls' and raw requests' outcomes, both ids and
 * how many of the calls' addresses landed in the new namespace.
 */
async function recreateWhileQueued(helper) {
  const name = uniqueName('qr');
  const p = `/run/netns/${name}`;
  await run('ip', ['netns', 'add', name]);
  try {
    await mark(name, 'mr');
    const oldId = await statId(p);
    process.kill(helper.pid, 'SIGSTOP');
    const calls = Array.from({ length: 20 }, (_, k) => settle(withNamespace(p,
      [link.get('mr'), addr.add('mr', `10.78.0.${k + 1}/32`)], { helper }), `call ${k}`));
    const raw = Array.from({ length: 20 }, () => probe(helper, p, 'mr'));
    await run('ip', ['netns', 'del', name]);
    await run('ip', ['netns', 'add', name]);
    await mark(name, 'mr');
    const newId = await statId(p);
    process.kill(helper.pid, 'SIGCONT');
    const outcomes = await Promise.all(calls);
    const replies = await Promise.all(raw);
    const landed = (await addrsOf(name, 'mr')).filter((a) => a.family === 4).length;
    return { p, oldId, newId, outcomes, replies, landed };
  } finally {
    await run('ip', ['netns', 'del', name], { allowFail: true });
  }
}

test('deleted and made again under the same name while requests wait: each call is refused ' +
  'with ERR_NSDO_NAMESPACE_MISMATCH before any op runs', () => withHelper(async (helper) => {
  const { p, oldId, newId, outcomes, replies, landed } = await recreateWhileQueued(helper);
  assert.is.not(newId, oldId);
  for (const { ok, error } of outcomes) {
    assert.not.ok(ok, 'no call resolved');
    assert.is(error.code, 'ERR_NSDO_NAMESPACE_MISMATCH', error.stack);
    assert.is(error.namespace, p);
    assert.match(error.message, new RegExp(`${oldId}.*${newId}`));
  }
  for (const reply of replies) {
    assert.is(reply.namespace, newId, 'the helper names the namespace it ran in: the new one');
  }
  assert.is(landed, 0, 'the helper refused them before any op ran');
}));

test('ip netns del from outside while requests wait: a prefix runs there, the rest fail ' +
  'with a namespace error', () => withHelper(async (helper) => {
  const name = uniqueName('qo');
  await run('ip', ['netns', 'add', name]);
  try {
    await mark(name, 'mo');
    const p = `/run/netns/${name}`;
    const id = await statId(p);
    const ops = Array.from({ length: 49 }, () => ({ op: 'link.get', link: 'mo' }));
    let deleted = false;
    const pending = Array.from({ length: 400 }, (_, k) => {
      const request = probe(helper, p, 'mo', ops);
      if (k === 20) {
        void request.then(() => {
          execFileSync('ip', ['netns', 'del', name]);   // the helper goes on meanwhile
          deleted = true;
        });
      }
      return request;
    });
    const replies = await Promise.all(pending);
    assert.ok(deleted);
    const [ok, failed] = checkPrefix(replies, id, 'mo',
      ['ERR_NSDO_NAMESPACE_NOT_FOUND', 'ERR_NSDO_NOT_A_NAMESPACE']);
    assert.ok(ok > 20 && failed > 0, `${ok} ran, ${failed} failed`);
    console.log(`\n    faults: ip netns del in the middle of 400 queued requests: ${ok} ran ` +
      `in the namespace, ${failed} failed with a namespace error`);
  } finally {
    await run('ip', ['netns', 'del', name], { allowFail: true });
  }
}));

test('a namespace path replaced by a plain file while requests wait: ' +
  'ERR_NSDO_NOT_A_NAMESPACE, through the client too', () => withHelper(async (helper) => {
  const name = uniqueName('qf');
  const p = `/run/netns/${name}`;
  await run('ip', ['netns', 'add', name]);
  try {
    await mark(name, 'mf');
    const id = await statId(p);
    const first = await Promise.all(Array.from({ length: 20 }, () => probe(helper, p, 'mf')));
    process.kill(helper.pid, 'SIGSTOP');
    const raw = Array.from({ length: 20 }, () => probe(helper, p, 'mf'));
    const viaClient = withNamespace(p, [link.get('mf')], { helper });
    await run('ip', ['netns', 'del', name]);
    fs.writeFileSync(p, 'not a namespace\n');
    process.kill(helper.pid, 'SIGCONT');

    const [ok, failed] = checkPrefix([...first, ...await Promise.all(raw)], id, 'mf',
      ['ERR_NSDO_NOT_A_NAMESPACE']);
    assert.equal([ok, failed], [20, 20]);
    const error = await rejects(viaClient, { code: 'ERR_NSDO_NOT_A_NAMESPACE', namespace: p });
    assert.match(error.message, new RegExp(name));
    assert.is(fs.readFileSync(p, 'utf8'), 'not a namespace\n', 'the file is left alone');
  } finally {
    fs.rmSync(p, { force: true });
    await run('ip', ['netns', 'del', name], { allowFail: true });
  }
}));

/** A child sitting in namespace `p`, started and waited for. */
async function sitIn(p) {
  const child = spawn('nsenter', [`--net=${p}`, 'sleep', '60'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const want = fs.statSync(p).ino;
  for (let i = 0; i < 400; i++) {
    try {
      if (fs.statSync(`/proc/${child.pid}/ns/net`).ino === want) return { child, exited };
    } catch {
      // not started yet
    }
    await sleep(5);
  }
  child.kill('SIGKILL');
  throw new Error(`nsenter never entered ${p}`);
}

test('a process target that exits (and is reaped) while its requests wait: ' +
  'ERR_NSDO_NAMESPACE_NOT_FOUND for the pid and for /proc/PID/ns/net', () =>
  withHelper(async (helper) => withScratch(1, async ([a]) => {
    await mark(a.name, 'mp');
    const { child, exited } = await sitIn(a.path);
    const pid = child.pid;
    const procPath = `/proc/${pid}/ns/net`;
    const ok = await withNamespace(pid, [link.get('mp')], { helper });
    assert.is(ok[0].name, 'mp', 'while it lives, the pid names its namespace');

    process.kill(helper.pid, 'SIGSTOP');
    const calls = [withNamespace(pid, [link.get('mp')], { helper }),
      withNamespace(procPath, [link.get('mp')], { helper })];
    const raw = [probe(helper, pid, 'mp'), probe(helper, procPath, 'mp')];
    child.kill('SIGKILL');
    await exited;   // reaped by Node
    process.kill(helper.pid, 'SIGCONT');

    for (const call of calls) await rejects(call, { code: 'ERR_NSDO_NAMESPACE_NOT_FOUND' });
    checkPrefix(await Promise.all(raw), null, 'mp', ['ERR_NSDO_NAMESPACE_NOT_FOUND']);
    // and afterwards, caught by the client before any request
    await rejects(withNamespace(pid, [link.list()], { helper }),
      { code: 'ERR_NSDO_NAMESPACE_NOT_FOUND', namespace: procPath });
    await rejects(Namespace.fromPid(pid, { helper }), { code: 'ERR_NSDO_NAMESPACE_NOT_FOUND' });
  })));

test('a zombie\'s /proc/PID/ns/net (exited, not reaped): ERR_NSDO_NAMESPACE_NOT_FOUND', () =>
  withHelper(async (helper) => withScratch(1, async ([a]) => {
    // sh starts nsenter in the background and becomes `sleep`, which never
    // reaps it: the exited nsenter stays a zombie whose parent is sleep. It
    // lives a moment first, so that sh cannot reap it before the exec.
    const holder = spawn('sh', ['-c',
      `nsenter --net=${a.path} sleep 0.2 & echo $!; exec sleep 30`],
      { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number(await new Promise((resolve) =>
        holder.stdout.once('data', (d) => resolve(String(d).trim()))));
      const aId = await statId(a.path);
      const alive = await eventually(() => probe(helper, pid, 'lo')
        .then((r) => r.namespace === aId && r));
      assert.ok(alive, 'while it lives, its pid names the scratch namespace');
      let state = '';
      for (let i = 0; i < 600 && state !== 'Z'; i++) {
        await sleep(5);
        state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0];
      }
      assert.is(state, 'Z', `process ${pid} is a zombie`);
      for (const target of [pid, `/proc/${pid}/ns/net`]) {
        const reply = await probe(helper, target, 'lo');
        assert.is(reply.error?.code, 'ERR_NSDO_NAMESPACE_NOT_FOUND', JSON.stringify(reply.error));
        assert.is(reply.namespace, null);
      }
    } finally {
      holder.kill('SIGKILL');
    }
  })));

// ---------------------------------------------------------------------------
// 3. Bad input through the raw protocol

const counts = { frames: 0, requests: 0, args: 0, paths: 0 };
const totalBad = () => counts.frames + counts.requests + counts.args + counts.paths;

/** {id, ops: [...]}, hand-built, so that any bytes can stand for a value. */
function rawMap(pairs) {
  const head = pairs.length < 16 ? Buffer.from([0x80 | pairs.length])
    : Buffer.from([0xde, pairs.length >> 8, pairs.length & 255]);
  return Buffer.concat([head, ...pairs.flatMap(([k, v]) =>
    [Buffer.isBuffer(k) ? k : pack(k), Buffer.isBuffer(v) ? v : pack(v)])]);
}

const goodOp = { op: 'link.get', link: 'lo' };
const goodOpBytes = pack(goodOp);
/** A request {id: 7, ops: [goodOp, <op bytes>]}. */
const withOp = (opBytes) => rawMap([['id', 7], ['ops', Buffer.concat([Buffer.from([0x92]),
  goodOpBytes, opBytes])]]);
/** A request {id: 7, ops: [{op: 'link.get', link: <value bytes>}]}. */
const withLinkValue = (valueBytes) => withOp(rawMap([['op', 'link.get'], ['link', valueBytes]]));

/**
 * Frames and values the client never sends, beyond helper.test.mjs and
 * e2e.mjs: [what, payload bytes, code].
 */
const badFrames = [
  ['map32 claiming 4294967295 pairs', Buffer.from([0xdf, 0xff, 0xff, 0xff, 0xff]),
    'ERR_NSDO_BAD_FRAME'],
  ['str32 longer than the frame', Buffer.from([0xdb, 0, 1, 0, 0, 0x61]), 'ERR_NSDO_BAD_FRAME'],
  ['bin32 longer than the frame', Buffer.from([0xc6, 0x7f, 0xff, 0xff, 0xff]),
    'ERR_NSDO_BAD_FRAME'],
  ['bin8 cut short', Buffer.from([0xc4, 0x05, 0x01]), 'ERR_NSDO_BAD_FRAME'],
  ['uint64 cut short', Buffer.from([0xcf, 0, 0, 0]), 'ERR_NSDO_BAD_FRAME'],
  ['float64 cut short', Buffer.from([0xcb, 0x40, 0x09]), 'ERR_NSDO_BAD_FRAME'],
  ['a map cut short inside an op', withOp(Buffer.from([0x83, 0xa2, 0x6f, 0x70])),
    'ERR_NSDO_BAD_FRAME'],
  ['a str8 length cut off', withLinkValue(Buffer.from([0xd9])), 'ERR_NSDO_BAD_FRAME'],
  ['fixext16 as a value', withLinkValue(Buffer.concat([Buffer.from([0xd8, 0x01]),
    Buffer.alloc(16)])), 'ERR_NSDO_BAD_FRAME'],
  ['ext16 as a value', withLinkValue(Buffer.from([0xc8, 0x00, 0x01, 0x07, 0x00])),
    'ERR_NSDO_BAD_FRAME'],
  ['ext32 as the whole frame', Buffer.from([0xc9, 0, 0, 0, 1, 0x07, 0x00]),
    'ERR_NSDO_BAD_FRAME'],
  ['0xc1 inside an op', withLinkValue(Buffer.from([0xc1])), 'ERR_NSDO_BAD_FRAME'],
  ['17 nested maps in an op', withLinkValue(Buffer.concat([
    ...Array.from({ length: 14 }, () => Buffer.from([0x81, 0xa1, 0x6b])), Buffer.from([0xc0])])),
  'ERR_NSDO_TOO_DEEP'],
  ['17 nested arrays as the namespace', rawMap([['id', 7], ['namespace',
    Buffer.concat([Buffer.alloc(16, 0x91), Buffer.from([0xc0])])], ['ops', [goodOp]]]),
  'ERR_NSDO_TOO_DEEP'],
  ['a single nil', Buffer.from([0xc0]), 'ERR_NSDO_BAD_REQUEST'],
  ['an empty map', Buffer.from([0x80]), 'ERR_NSDO_BAD_REQUEST'],
  ['a nil map key at the top', rawMap([[Buffer.from([0xc0]), 1], ['id', 7], ['ops', [goodOp]]]),
    'ERR_NSDO_BAD_REQUEST'],
  ['a bin map key at the top', rawMap([[Buffer.from([0xc4, 2, 0x69, 0x64]), 7],
    ['ops', [goodOp]]]), 'ERR_NSDO_BAD_REQUEST'],
  ['id given twice', rawMap([['id', 7], ['id', 8], ['ops', [goodOp]]]), 'ERR_NSDO_BAD_REQUEST'],
  ['ops given twice', rawMap([['id', 7], ['ops', [goodOp]], ['ops', [goodOp]]]),
    'ERR_NSDO_BAD_REQUEST'],
  ['a non-string key inside an op', withOp(rawMap([['op', 'link.get'], ['link', 'lo'],
    [Buffer.from([0x07]), 'x']])), 'ERR_NSDO_BAD_ARGUMENT'],
  ['a bin key inside an op', withOp(rawMap([['op', 'link.get'],
    [Buffer.from([0xc4, 4, 0x6c, 0x69, 0x6e, 0x6b]), 'lo']])), 'ERR_NSDO_BAD_ARGUMENT'],
  ['an op name as bin', withOp(rawMap([['op', Buffer.from([0xc4, 8,
    ...Buffer.from('link.get')])], ['link', 'lo']])), 'ERR_NSDO_BAD_REQUEST'],
];

/** Whole requests of the wrong shape: [what, value, code]. */
const badRequests = [
  ...[null, true, 1.5, Buffer.from('7'), [7], { n: 7 }, 'x'.repeat(300)].map((id) =>
    [`id ${describe(id)}`, { id, ops: [goodOp] }, 'ERR_NSDO_BAD_REQUEST']),
  ['id -2^63', { id: -(2n ** 63n), ops: [goodOp] }, 'ERR_NSDO_BAD_REQUEST'],
  ...[null, 'link.get', 7, true, Buffer.from([0x90]), [[]]].map((ops) =>
    [`ops ${describe(ops)}`, { id: 7, ops }, 'ERR_NSDO_BAD_REQUEST']),
  ...[null, 7, true, [goodOp], Buffer.from('x'), 1.5].map((op) =>
    [`an op ${describe(op)}`, { id: 7, ops: [goodOp, op] }, 'ERR_NSDO_BAD_REQUEST']),
  ...[null, 7, true, 1.5, ['link.get'], { a: 1 }].map((name) =>
    [`an op name ${describe(name)}`, { id: 7, ops: [{ op: name, link: 'lo' }] },
      'ERR_NSDO_BAD_REQUEST']),
  ...['', 'link.get\u0000', 'LINK.GET', 'link.get ', 'link', 'link.', '.get', 'x'.repeat(5000),
    'namespace.exec', 'route.flush', '../link.get'].map((name) =>
    [`an unknown op ${describe(name)}`, { id: 7, ops: [goodOp, { op: name }] },
      'ERR_NSDO_UNKNOWN_OP']),
  ...[false, -1, 1.5, [1], { p: 1 }, Buffer.from('/run/netns/x'), 2 ** 31, 2n ** 40n, 2 ** 40,
    '/run/netns/a\u0000b', `/${'x'.repeat(4200)}`].map((namespace) =>
    [`namespace ${describe(namespace)}`, { id: 7, namespace, ops: [goodOp] },
      'ERR_NSDO_BAD_REQUEST']),
  ...[7, 'true', 1.5, [true], Buffer.from([1])].map((cont) =>
    [`continue ${describe(cont)}`, { id: 7, continue: cont, ops: [goodOp] },
      'ERR_NSDO_BAD_REQUEST']),
];

/** A short description of a sample value for a case's title. */
function describe(value) {
  if (Buffer.isBuffer(value)) return `bin(${value.length})`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return value.length > 24
    ? `"${value.slice(0, 12)}..." (${value.length} bytes)` : JSON.stringify(value);
  if (value === null) return 'nil';
  return JSON.stringify(value);
}

/**
 * Every argument of every op, with every type it does not take: the types
 * each key takes (helper/PROTOCOL.md), and a valid op to put it in.
 */
const opArguments = {
  'link.add': [{ name: 'zz0', type: 'bridge' }, { name: 's', type: 's', mtu: 'i', mac: 's',
    up: 'b', master: 'si', txQueues: 'i', rxQueues: 'i' }],
  'link.add veth': [{ op: 'link.add', name: 'zz0', type: 'veth', peer: { name: 'zz1' } },
    { peer: 'm' }],
  'link.add veth peer': [{ op: 'link.add', name: 'zz0', type: 'veth', peer: { name: 'zz1' } },
    { name: 's', mtu: 'i', mac: 's', txQueues: 'i', rxQueues: 'i', namespace: 'si',
      namespaceId: 's' }, 'peer'],
  'link.add vlan': [{ op: 'link.add', name: 'zz0', type: 'vlan', id: 7, link: 'lo' },
    { id: 'i', link: 'si' }],
  'link.add vxlan': [{ op: 'link.add', name: 'zz0', type: 'vxlan', id: 7 }, { id: 'i',
    port: 'i', local: 's', remote: 's', group: 's', dev: 'si' }],
  'link.add macvlan': [{ op: 'link.add', name: 'zz0', type: 'macvlan', link: 'lo' },
    { link: 'si', mode: 's' }],
  'link.set': [{ link: 'lo' }, { link: 'si', up: 'b', mtu: 'i', name: 's', mac: 's',
    master: 'sin', namespace: 'si', namespaceId: 's' }],
  'link.del': [{ link: 'zz9' }, { link: 'si' }],
  'link.get': [{ link: 'lo' }, { link: 'si' }],
  'addr.add': [{ dev: 'lo', address: '10.99.0.1/32' }, { dev: 'si', address: 's' }],
  'addr.del': [{ dev: 'lo', address: '10.99.0.1/32' }, { dev: 'si', address: 's' }],
  'addr.list': [{}, { dev: 'si' }],
  'route.add': [{ to: '10.99.0.0/24', dev: 'lo' }, { to: 's', via: 's', dev: 'si',
    metric: 'i', table: 'is', scope: 'si', src: 's', family: 'i' }],
  'route.replace': [{ to: '10.99.0.0/24', dev: 'lo' }, { to: 's', via: 's', dev: 'si',
    metric: 'i', table: 'is', scope: 'si', src: 's', family: 'i' }],
  'route.del': [{ to: '10.99.0.0/24', dev: 'lo' }, { to: 's', via: 's', dev: 'si',
    metric: 'i', table: 'is', scope: 'si', src: 's', family: 'i' }],
  'route.list': [{}, { table: 'is', family: 'i' }],
  'namespace.create': [{ name: 'zz-never' }, { name: 's', dir: 's' }],
  'namespace.delete': [{ path: '/run/netns/zz-never' }, { path: 's', expect: 's' }],
  'namespace.identify': [{}, { path: 's', pid: 'i' }],
  'namespace.release': [{ path: '/proc/1/fd/9' }, { path: 's' }],
};

/** One sample of each MessagePack type, by the letter the table uses. */
const samples = [
  ['n', null], ['b', true], ['i', 7], ['-', -7], ['f', 1.5], ['s', 'x'],
  ['x', Buffer.from('lo')], ['a', ['lo']], ['m', { lo: 1 }],
];
const required = new Set(['link.add:name', 'link.add:type', 'link.add vxlan:id',
  'link.add macvlan:link', 'link.add veth peer:name', 'link.add vlan:id', 'link.add vlan:link', 'link.set:link', 'link.del:link', 'link.get:link', 'addr.add:dev',
  'addr.add:address', 'addr.del:dev', 'addr.del:address', 'route.add:to', 'route.replace:to',
  'route.del:to', 'namespace.create:name', 'namespace.delete:path', 'namespace.release:path']);

/**
 * [what, op, key]: each argument with each type it does not take. An entry
 * with a third element names the map inside the op that holds its keys
 * (a veth's `peer`); the message then names the key as `peer.KEY`.
 */
function wrongTypeCases() {
  const cases = [];
  for (const [title, [base, keys, within]] of Object.entries(opArguments)) {
    const name = title.split(' ')[0];
    for (const [key, takes] of Object.entries(keys)) {
      for (const [letter, value] of samples) {
        if (takes.includes(letter)) continue;
        if (letter === 'n' && !required.has(`${title}:${key}`)) continue;   // nil: absent
        const op = within === undefined ? { ...base, op: name, [key]: value }
          : { ...base, op: name, [within]: { ...base[within], [key]: value } };
        cases.push([`${title} ${key}: ${describe(value)}`, op,
          within === undefined ? key : `${within}.${key}`]);
      }
    }
  }
  return cases;
}

/**
 * Values of the right type but out of range or malformed: [what, op, key,
 * and the message's wording when it does not quote the key].
 */
const badValues = [
  ['mtu 2^32', { op: 'link.set', link: 'lo', mtu: 2n ** 32n }, 'mtu'],
  ['mtu 2^64-1', { op: 'link.set', link: 'lo', mtu: 2n ** 64n - 1n }, 'mtu'],
  ['link index 0', { op: 'link.get', link: 0 }, 'link'],
  ['link index 2^31', { op: 'link.get', link: 2 ** 31 }, 'link'],
  ['a link name with a newline', { op: 'link.add', name: 'l\no', type: 'bridge' }, 'name'],
  ['a link name with ":"', { op: 'link.add', name: 'a:b', type: 'bridge' }, 'name'],
  ['a link name with "/"', { op: 'link.add', name: 'a/b', type: 'bridge' }, 'name'],
  ['a link name "..', { op: 'link.add', name: '..', type: 'bridge' }, 'name'],
  ['a link name of 16 bytes in UTF-8 (8 characters)', { op: 'link.add',
    name: 'éééééééé', type: 'bridge' }, 'name'],
  ['a link name with NUL', { op: 'link.add', name: 'a\u0000b', type: 'bridge' }, 'name'],
  ['a rename to "/"', { op: 'link.set', link: 'lo', name: 'x/y' }, 'name'],
  ['a rename to 16 bytes', { op: 'link.set', link: 'lo', name: 'y'.repeat(16) }, 'name'],
  ['a rename to ""', { op: 'link.set', link: 'lo', name: '' }, 'name'],
  ['a veth peer named "a/b"', { op: 'link.add', name: 'zz0', type: 'veth',
    peer: { name: 'a/b' } }, 'name'],
  ['a veth peer of 16 bytes', { op: 'link.add', name: 'zz0', type: 'veth',
    peer: { name: 'p'.repeat(16) } }, 'name'],
  ['a veth peer without a name', { op: 'link.add', name: 'zz0', type: 'veth', peer: {} },
    'name'],
  ['a veth peer with an unknown key', { op: 'link.add', name: 'zz0', type: 'veth',
    peer: { name: 'zz1', colour: 'red' } }, 'colour'],
  ['a veth peer namespace of the wrong type', { op: 'link.add', name: 'zz0', type: 'veth',
    peer: { name: 'zz1', namespace: [1] } }, 'namespace'],
  ['a veth peer mtu as a string', { op: 'link.add', name: 'zz0', type: 'veth',
    peer: { name: 'zz1', mtu: '1500' } }, 'mtu'],
  ['a master name too long', { op: 'link.set', link: 'lo', master: 'm'.repeat(16) }, 'master'],
  ['a mac of 5 octets', { op: 'link.set', link: 'lo', mac: '02:00:00:00:01' }, 'mac'],
  ['a mac of 7 octets', { op: 'link.set', link: 'lo', mac: '02:00:00:00:00:01:02' }, 'mac'],
  ['a mac with "zz"', { op: 'link.set', link: 'lo', mac: '02:00:zz:00:00:01' }, 'mac'],
  ['a mac of 300 bytes', { op: 'link.set', link: 'lo', mac: 'a'.repeat(300) }, 'mac'],
  ['a link type of 300 bytes', { op: 'link.add', name: 'zz0', type: 't'.repeat(300) }, 'type'],
  ['vxlan id 2^24', { op: 'link.add', name: 'zz0', type: 'vxlan', id: 2 ** 24 }, 'id'],
  ['vxlan port 0', { op: 'link.add', name: 'zz0', type: 'vxlan', id: 7, port: 0 }, 'port'],
  ['vxlan port 65536', { op: 'link.add', name: 'zz0', type: 'vxlan', id: 7, port: 65536 },
    'port'],
  ['vxlan local "1.2.3"', { op: 'link.add', name: 'zz0', type: 'vxlan', id: 7,
    local: '1.2.3' }, 'local'],
  ['macvlan mode "weird"', { op: 'link.add', name: 'zz0', type: 'macvlan', link: 'lo',
    mode: 'weird' }, 'mode'],
  ['an id for a bridge', { op: 'link.add', name: 'zz0', type: 'bridge', id: 7 }, 'id'],
  ['a peer for a bridge', { op: 'link.add', name: 'zz0', type: 'bridge',
    peer: { name: 'zz1' } }, 'peer'],
  ['address /33', { op: 'addr.add', dev: 'lo', address: '10.0.0.1/33' }, 'address'],
  ['address /129', { op: 'addr.add', dev: 'lo', address: 'fd00::1/129' }, 'address'],
  ['address /-1', { op: 'addr.add', dev: 'lo', address: '10.0.0.1/-1' }, 'address'],
  ['address ""', { op: 'addr.add', dev: 'lo', address: '' }, 'address'],
  ['address "10.0.0.1/"', { op: 'addr.add', dev: 'lo', address: '10.0.0.1/' }, 'address'],
  ['address "fd00:::1/64"', { op: 'addr.add', dev: 'lo', address: 'fd00:::1/64' }, 'address'],
  ['address with a space', { op: 'addr.add', dev: 'lo', address: '10.0.0.1 /8' }, 'address'],
  ['address of 300 bytes', { op: 'addr.add', dev: 'lo', address: '1'.repeat(300) },
    'address'],
  ['route to "nowhere"', { op: 'route.add', to: 'nowhere', dev: 'lo' }, 'to'],
  ['route to /33', { op: 'route.add', to: '10.0.0.0/33', dev: 'lo' }, 'to'],
  ['route via "gateway"', { op: 'route.add', to: '10.98.0.0/24', via: 'gateway' }, 'via'],
  ['route scope "galaxy"', { op: 'route.add', to: '10.98.0.0/24', dev: 'lo',
    scope: 'galaxy' }, 'scope'],
  ['route scope 256', { op: 'route.add', to: '10.98.0.0/24', dev: 'lo', scope: 256 }, 'scope'],
  ['route table "nosuch"', { op: 'route.add', to: '10.98.0.0/24', dev: 'lo',
    table: 'nosuch' }, 'table'],
  ['route table 2^32', { op: 'route.add', to: '10.98.0.0/24', dev: 'lo', table: 2n ** 32n },
    'table'],
  ['route family 5', { op: 'route.list', family: 5 }, 'family'],
  ['route metric 2^32', { op: 'route.add', to: '10.98.0.0/24', dev: 'lo', metric: 2n ** 32n },
    'metric'],
  ['route src "x"', { op: 'route.add', to: '10.98.0.0/24', dev: 'lo', src: 'x' }, 'src'],
  ['an unknown argument for route.list', { op: 'route.list', colour: 1 }, 'colour'],
  ['an argument for namespace.temporary', { op: 'namespace.temporary', name: 'x' }, 'name'],
  ['namespace.identify with path and pid', { op: 'namespace.identify', path: '/x', pid: 1 },
    'path'],
  // The pid's range is checked where paths and pids meet (helper/ns.c), whose
  // message calls it "namespace": it says what was expected and what came.
  ['namespace.identify pid 0', { op: 'namespace.identify', pid: 0 }, 'pid',
    /a pid from 1 to 2147483647, got 0$/],
  ['namespace.identify pid 2^31', { op: 'namespace.identify', pid: 2 ** 31 }, 'pid',
    /a pid from 1 to 2147483647, got 2147483648$/],
  ['namespace.create dir relative', { op: 'namespace.create', name: 'zz', dir: 'rel/dir' },
    'dir'],
  ['namespace.create dir of 5000 bytes', { op: 'namespace.create', name: 'zz',
    dir: `/${'d'.repeat(5000)}` }, 'dir'],
  ['namespace.delete path of 5000 bytes', { op: 'namespace.delete',
    path: `/${'d'.repeat(5000)}` }, 'path'],
  ['namespace.release of a path no temporary has', { op: 'namespace.release',
    path: '/proc/1/ns/net' }, 'path'],
];

/** Namespace names that must never become a file: [what, name]. */
const badNames = [
  ['"../x"', '../x'], ['"x/.."', 'x/..'], ['"/"', '/'], ['"a\\u0000b"', 'a\u0000b'],
  ['"/etc/passwd"', '/etc/passwd'], ['"..\\/.."', '../..'], ['"./x"', './x'],
];

/** Whether the op runs in the helper's home namespace (namespace.*). */
const isHomeOp = (op) => String(op.op).startsWith('namespace.');

test('bad input, table-driven: each refused with its code; the same helper serves the next ' +
  'request every time', () => withScratch(1, async ([a]) => {
  const h = await RawHelper.start();
  const aId = await statId(a.path);
  const runDirBefore = entriesOf();
  let id = 100;
  const wrong = [];
  /** Records what is wrong with a reply; the test fails once, listing all. */
  const expect = (what, reply, code, more = () => []) => {
    const e = reply.error;
    const got = e?.code === code ? more(e, reply) : [`${e?.code ?? 'no error'}, not ${code}`];
    if (got.length) wrong.push(`${what}: ${got.join(', ')} (${JSON.stringify(e ?? reply)})`);
  };
  const serves = async (what) => {
    const reply = await h.request({ id: ++id, namespace: a.path, ops: [goodOp] });
    assert.is(reply.id, id, `${what}: the next request is answered under its id`);
    assert.is(reply.error, undefined, `${what}: the next request works`);
    assert.is(reply.namespace, aId);
    const { problems } = helperFdReport(h.pid, { homeId: h.hello.namespace, cached: 1 });
    if (problems.length) wrong.push(`${what}: the helper's fds after it: ${problems.join('; ')}`);
  };
  try {
    for (const [what, bytes, code] of badFrames) {
      await h.write(frame(bytes));
      expect(what, await h.next(), code);
      counts.frames++;
      await serves(what);
    }
    for (const [what, value, code] of badRequests) {
      expect(what, await h.request(value), code);
      counts.requests++;
      await serves(what);
    }
    for (const [what, op, key, wording] of [...wrongTypeCases(), ...badValues]) {
      const names = wording ?? new RegExp(`(^|[ ."])${key}[":]`);
      const request = isHomeOp(op) ? { id: ++id, ops: [goodOp, op] }
        : { id: ++id, namespace: a.path, ops: [goodOp, op] };
      expect(what, await h.request(request), 'ERR_NSDO_BAD_ARGUMENT', (e, reply) => [
        e.index !== 1 && `index ${e.index}`,
        e.op !== op.op && `op ${e.op}`,
        !names.test(e.message) && `the message does not name ${key}`,
        reply.results.length !== 1 && `${reply.results.length} results`,
      ].filter(Boolean));
      counts.args++;
      await serves(what);
    }
    for (const [what, name] of badNames) {
      expect(`namespace.create name ${what}`,
        await h.request({ id: ++id, ops: [{ op: 'namespace.create', name }] }),
        'ERR_NSDO_INVALID_NAME');
      counts.paths++;
    }
    assert.equal(wrong, [], `${wrong.length} bad inputs were not refused as expected:\n  ` +
      wrong.join('\n  '));
    // msgpackr writes a Number of 2^32 or more as a float: BigInt makes a uint64
    const reply = await h.request({ id: 2n ** 53n - 1n, ops: [goodOp] });
    assert.is(reply.id, 2 ** 53 - 1, 'an id up to 2^53-1 comes back intact');
    const echoed = await h.request({ id: 2n ** 64n - 1n, ops: [goodOp] });
    assert.is(echoed.error, undefined, 'id 2^64-1 is a valid id');
    assert.is(BigInt(echoed.id), 2n ** 64n, 'and comes back (read here as a Number)');

    assert.is(h.child.exitCode, null, 'the helper never died');
    assert.is(h.hello.pid, h.pid);
    const { problems } = helperFdReport(h.pid, { homeId: h.hello.namespace, cached: 1 });
    assert.equal(problems, [], `its fds: ${problems.join('; ')}`);
    const inA = (await links(a.name)).map((l) => l.ifname);
    assert.equal(inA, ['lo'], 'nothing was created in the namespace the ops named');
    const addrs = await ipJson(a.name, ['-4', 'addr', 'show']);
    assert.ok(addrs.every((l) => l.addr_info.every((x) => !x.local.startsWith('10.9'))));
    assert.equal(entriesOf(), runDirBefore, 'nothing was created in the run directory');
    assert.not.match(h.stderr, /Sanitizer|runtime error/);
  } finally {
    await h.close();
  }
  console.log(`\n    faults: the bad-input table: ${counts.frames} frames, ${counts.requests} ` +
    `requests, ${counts.args} op arguments (every argument of every op with every type it ` +
    'does not take, and values out of range): each refused, the same helper served after each');
}));

test('a length of 4 GiB - 1: nothing is allocated for it; EOF ends the helper', async () => {
  const h = await RawHelper.start();
  await h.write(Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.alloc(65536, 0x90)]));
  await sleep(100);
  const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${h.pid}/status`, 'utf8'))[1]);
  // a sanitizer's shadow memory says nothing about the helper's own
  // ASan's shadow memory and valgrind's own memory share the process.
  if (!/asan|sanitiz|valgrind/i.test(h.hello.build)) {
    assert.ok(rss < 4096, `VmRSS ${rss} kB meanwhile`);
  }
  const { code } = await h.close();
  assert.is(code, 1);
  assert.match(h.stderr, /ended inside a frame/);
  counts.frames++;
});

test('EOF in a length prefix; a good request, then a truncated frame', async () => {
  const h = await RawHelper.start();
  await h.write(Buffer.from([0, 0]));
  let result = await h.close();
  assert.is(result.code, 1, 'EOF in the prefix is a truncated frame');
  assert.match(h.stderr, /ended inside a frame/);

  const h2 = await RawHelper.start();
  await h2.write(Buffer.concat([frame(pack({ id: 5, ops: [goodOp] })),
    Buffer.from([0, 0, 0, 9, 0x82, 0xa2])]));
  const reply = await h2.next();
  assert.is(reply.id, 5, 'the whole request before it is answered');
  assert.is(reply.error, undefined);
  result = await h2.close();
  assert.is(result.code, 1);
  assert.match(h2.stderr, /ended inside a frame/);
  counts.frames += 2;
});

/**
 * Symbolic links in the run directory. What the helper does, and what
 * this test holds it to:
 * - namespace.delete never follows a symbolic link: a path whose last
 *   component is one is refused with ERR_NSDO_NOT_A_NAMESPACE ("a symbolic
 *   link; left alone"), and neither the link nor what it points to is
 *   unmounted or removed. Otherwise a link in /run/netns to a namespace
 *   mounted elsewhere (another tool's run directory) would have that mount
 *   detached by a delete of the link.
 * - namespace.create of a name that exists as a symbolic link fails with
 *   EEXIST (O_EXCL): nothing is mounted on the link's target.
 * - Entering one (a request's `namespace`, namespace.identify) follows it,
 *   as open() does: /proc/PID/ns/net is itself a link, and /var/run/netns
 *   is often reached through /var/run -> /run. The reply's namespace id
 *   says where the work ran, and the client compares it with stat(), which
 *   follows the same links.
 * The targets stand for /proc/1/ns/net and /etc/passwd: Node's own
 * namespace (this run's private one) and a scratch file with contents, so
 * that even a broken helper could not harm the machine.
 */
test('symbolic links in the run directory: delete never follows them; enter does, and says ' +
  'where it went', async () => {
  const h = await RawHelper.start();
  const outside = fs.mkdtempSync(path.join(scratchDir, 'nsdo-outside-'));
  const targets = {
    mount: path.join(outside, 'run', 'victim'),
    ns: `/proc/${process.pid}/ns/net`,
    passwd: path.join(outside, 'passwd'),
    empty: path.join(outside, 'empty'),
    dangling: '/nonexistent/nsdo/x',
    loop: '/run/netns/nsdo-evil-loop',
    dir: outside,
  };
  const made = Object.keys(targets).map((k) => `/run/netns/nsdo-evil-${k}`);
  let id = 1;
  const req = (ops, namespace) => h.request(namespace === undefined
    ? { id: id++, ops } : { id: id++, namespace, ops });
  try {
    fs.writeFileSync(targets.passwd, 'root:x:0:0:root:/root:/bin/sh\n');
    fs.writeFileSync(targets.empty, '');
    const victim = await req([{ op: 'namespace.create', name: 'victim',
      dir: path.join(outside, 'run') }]);
    assert.is(victim.error, undefined, JSON.stringify(victim.error));
    const victimId = victim.results[0].id;
    for (const [k, target] of Object.entries(targets)) {
      fs.symlinkSync(target, `/run/netns/nsdo-evil-${k}`);
    }
    const mountsBefore = mountsUnder(outside);
    assert.is(mountsBefore.length, 2, 'the outside run directory and the victim are mounted');

    for (const [k, target] of Object.entries(targets)) {
      const p = `/run/netns/nsdo-evil-${k}`;
      const reply = await req([{ op: 'namespace.delete', path: p }]);
      assert.equal(mountsUnder(outside), mountsBefore,
        `namespace.delete ${p} -> ${target} unmounted nothing outside the run directory`);
      assert.is(reply.error?.code, 'ERR_NSDO_NOT_A_NAMESPACE',
        `namespace.delete ${p} -> ${target}: ${JSON.stringify(reply.error ?? reply)}`);
      assert.match(reply.error.message, /symbolic link/);
      assert.ok(fs.lstatSync(p).isSymbolicLink(), `${p} is still there`);
      counts.paths++;
    }
    assert.is(await statId(targets.mount), victimId, 'the victim is still the namespace');
    assert.is(fs.readFileSync(targets.passwd, 'utf8'), 'root:x:0:0:root:/root:/bin/sh\n');
    assert.ok(fs.existsSync(targets.empty));

    for (const p of [`/run/netns/../..${targets.passwd}`, '/run/netns/..', `${outside}/`]) {
      const reply = await req([{ op: 'namespace.delete', path: p }]);
      assert.is(reply.error?.code, 'ERR_NSDO_NOT_A_NAMESPACE', `${p}: ${JSON.stringify(reply)}`);
      counts.paths++;
    }
    assert.ok(fs.existsSync(targets.passwd));

    const create = await req([{ op: 'namespace.create', name: 'nsdo-evil-ns' }]);
    assert.is(create.error?.code, 'EEXIST', JSON.stringify(create.error ?? create));
    const createMount = await req([{ op: 'namespace.create', name: 'nsdo-evil-empty' }]);
    assert.is(createMount.error?.code, 'EEXIST');
    assert.equal(mountsUnder(outside), mountsBefore, 'create mounted nothing through a link');
    counts.paths += 2;

    const nodeId = await statId(targets.ns);
    const entered = await req([goodOp], '/run/netns/nsdo-evil-ns');
    assert.is(entered.error, undefined);
    assert.is(entered.namespace, nodeId, 'entering follows the link, and the reply says so');
    const identified = await req([{ op: 'namespace.identify',
      path: '/run/netns/nsdo-evil-mount' }]);
    assert.is(identified.results[0].id, victimId);
    const loop = await req([goodOp], targets.loop);
    assert.is(loop.error?.code, 'ELOOP', JSON.stringify(loop.error));
    assert.is(loop.namespace, null);
    const dangling = await req([goodOp], '/run/netns/nsdo-evil-dangling');
    assert.is(dangling.error?.code, 'ERR_NSDO_NAMESPACE_NOT_FOUND');
    const passwd = await req([goodOp], '/run/netns/nsdo-evil-passwd');
    assert.is(passwd.error?.code, 'ERR_NSDO_NOT_A_NAMESPACE');
    counts.paths += 5;
    const reply = await req([goodOp]);
    assert.is(reply.error, undefined, 'and it goes on serving');
  } finally {
    for (const p of made) fs.rmSync(p, { force: true });
    await h.request({ id: id++, ops: [{ op: 'namespace.delete',
      path: path.join(outside, 'run', 'victim') }] }).catch(() => {});
    await h.close();
    await run('umount', ['-l', path.join(outside, 'run')], { allowFail: true });
    fs.rmSync(outside, { recursive: true, force: true });
  }
  console.log(`\n    faults: ${totalBad()} bad inputs tried in all (${counts.frames} frames, ` +
    `${counts.requests} requests, ${counts.args} op arguments, ${counts.paths} paths and ` +
    'symbolic links)');
});

test.run();

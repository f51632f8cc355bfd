// Namespace: create, open, fromPid, current, list, temporary, delete;
// compatibility with `ip netns` both ways; and the rule the design rests
// on: neither Node nor the helper ever changes namespace.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import * as assert from 'uvu/assert';
import { withNamespace, Namespace, getHelper, link } from '../dist/index.js';
import { scratchDir, suite } from './lib/harness.mjs';
import { rejects } from './lib/expect.mjs';
import { eventually, ip, linkByName, links, netnsList, run, statId } from './lib/kernel.mjs';
import { uniqueName, withProcessIn, withScratch } from './lib/scratch.mjs';

const test = suite('namespace');

const nodeNet = () => fs.readlinkSync('/proc/self/ns/net');
/** 'DEV:INO' of a path now, or null when it is gone. */
function idAt(path) {
  try {
    const st = fs.statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
}

const helperNet = () => fs.readlinkSync(`/proc/${getHelper().pid}/ns/net`);

/** Deletes a namespace left by a failed test; ignores one already gone. */
async function drop(name) {
  await run('ip', ['netns', 'del', name], { allowFail: true });
}

test('create: like `ip netns add`, with path, name and id', async () => {
  const name = uniqueName('c');
  try {
    const ns = await Namespace.create(name);
    assert.instance(ns, Namespace);
    assert.is(ns.name, name);
    assert.is(ns.path, `/run/netns/${name}`);
    assert.match(ns.id, /^\d+:\d+$/);
    assert.is(ns.id, await statId(ns.path), 'id is stat -L -c %d:%i of the path');
    assert.ok((await netnsList()).includes(name), 'ip netns list shows it');
    const lo = JSON.parse(await ip(name, ['-j', 'link', 'show', 'lo']));
    assert.is(lo[0].ifname, 'lo', 'ip -n NAME works in it');
  } finally {
    await drop(name);
  }
});

test('creating and using namespaces never moves Node or the helper', async () => {
  await withNamespace(process.pid, [link.list()]); // spawns the shared helper
  const node = nodeNet();
  const helper = helperNet();
  const name = uniqueName('m');
  try {
    const ns = await Namespace.create(name);
    assert.is(nodeNet(), node, 'Node\'s /proc/self/ns/net after create');
    assert.is(helperNet(), helper, 'the helper\'s /proc/PID/ns/net after create');

    await withNamespace(ns, [link.add({ name: 'br0', type: 'bridge' })]);
    const tmp = await Namespace.temporary();
    try {
      await withNamespace(tmp, [link.add({ name: 'br1', type: 'bridge' })]);
    } finally {
      await tmp.close();
    }
    await ns.delete();
    assert.is(nodeNet(), node, 'Node\'s namespace after ops, temporary and delete');
    assert.is(helperNet(), helper, 'the helper\'s namespace after ops, temporary and delete');
    assert.not.ok(await linkByName(null, 'br0'), 'nothing landed in Node\'s namespace');
  } finally {
    await drop(name);
  }
});

test('create an existing name fails with EEXIST and leaves it alone', () =>
  withScratch(1, async ([a]) => {
    const before = await statId(a.path);
    await rejects(Namespace.create(a.name), { code: 'EEXIST' });
    assert.is(await statId(a.path), before);
  }));

test('create over an empty file left behind: EEXIST that says what it is', async () => {
  const name = uniqueName('e');
  const path = `/run/netns/${name}`;
  try {
    fs.writeFileSync(path, '');
    await rejects(Namespace.create(name), { code: 'EEXIST',
      message: /an empty file, no namespace: left by a create that did not finish/ });
    assert.is(fs.readFileSync(path, 'utf8'), '', 'the file is left as it was');
    await run('ip', ['netns', 'del', name]);
    const ns = await Namespace.create(name);
    await ns.delete();
  } finally {
    fs.rmSync(path, { force: true });
  }
});

test('open by name and by path', () => withScratch(1, async ([a]) => {
  const byName = await Namespace.open(a.name);
  const byPath = await Namespace.open(a.path);
  const id = await statId(a.path);
  assert.is(byName.name, a.name);
  assert.is(byName.path, a.path);
  assert.is(byName.id, id);
  assert.is(byPath.path, a.path);
  assert.is(byPath.id, id);
}));

test('open by name refuses a symbolic link out of the run directory; by path it follows',
  () => withScratch(1, async ([a]) => {
    const out = uniqueName('lo');
    const alias = uniqueName('la');
    const nodeNs = `/proc/${process.pid}/ns/net`;
    try {
      fs.symlinkSync(nodeNs, `/run/netns/${out}`);
      fs.symlinkSync(a.name, `/run/netns/${alias}`);   // to another entry
      await rejects(Namespace.open(out), { code: 'ERR_NSDO_NOT_A_NAMESPACE',
        message: new RegExp(`symbolic link to ${nodeNs}, outside /run/netns`) });
      const byPath = await Namespace.open(`/run/netns/${out}`);
      assert.is(byPath.id, idAt(nodeNs), 'a path is followed, to where it leads');
      const aliased = await Namespace.open(alias);
      assert.is(aliased.id, idAt(a.path), 'a link to another entry is followed');
      assert.not.ok((await Namespace.list()).some((n) => n.name === out || n.name === alias),
        'list() shows neither link');
    } finally {
      fs.rmSync(`/run/netns/${out}`, { force: true });
      fs.rmSync(`/run/netns/${alias}`, { force: true });
    }
  }));

test('open of a missing name fails with ERR_NSDO_NAMESPACE_NOT_FOUND', async () => {
  await rejects(Namespace.open('nsdo-not-here'), { code: 'ERR_NSDO_NAMESPACE_NOT_FOUND' });
});

test('fromPid and current', () => withScratch(1, async ([a]) => {
  await withProcessIn(a.path, async (pid) => {
    const ns = await Namespace.fromPid(pid);
    assert.is(ns.path, `/proc/${pid}/ns/net`);
    assert.is(ns.id, await statId(a.path));
  });
  const current = await Namespace.current();
  assert.is(current.id, await statId('/proc/self/ns/net'));
  assert.is((await Namespace.fromPid(process.pid)).id, current.id);
}));

test('list: the named namespaces of the run directory, nsdo\'s and ip\'s', () =>
  withScratch(1, async ([a]) => {
    const name = uniqueName('l');
    try {
      await Namespace.create(name);
      const listed = await Namespace.list();
      assert.ok(listed.every((ns) => ns instanceof Namespace));
      const names = listed.map((ns) => ns.name);
      assert.ok(names.includes(a.name), 'the one made by ip netns add');
      assert.ok(names.includes(name), 'the one made by nsdo');
      assert.equal(names.slice().sort(), (await netnsList()).sort(), 'the same as ip netns list');
      const mine = listed.find((ns) => ns.name === a.name);
      assert.is(mine.id, await statId(a.path));
    } finally {
      await drop(name);
    }
  }));

test('list ignores a stale plain file', async () => {
  fs.writeFileSync('/run/netns/nsdo-stale-list', '');
  try {
    const names = (await Namespace.list()).map((ns) => ns.name);
    assert.not.ok(names.includes('nsdo-stale-list'));
  } finally {
    fs.rmSync('/run/netns/nsdo-stale-list', { force: true });
  }
});

test('create, list and delete in another run directory (dir option)', async () => {
  const dir = `${scratchDir}/nsdo-custom-dir`;
  const name = uniqueName('d');
  try {
    const ns = await Namespace.create(name, { dir });
    assert.is(ns.path, `${dir}/${name}`);
    assert.is(ns.id, await statId(ns.path));
    assert.equal((await Namespace.list({ dir })).map((n) => n.name), [name]);
    assert.ok(!(await netnsList()).includes(name), 'not in the default run directory');
    await ns.delete();
    assert.not.ok(fs.existsSync(ns.path));
  } finally {
    await run('sh', ['-c', `umount -l ${dir}/* ${dir} 2>/dev/null; rm -rf ${dir}`],
      { allowFail: true });
  }
});

test('temporary: anonymous, usable, freed by close()', async () => {
  const ns = await Namespace.temporary();
  let closed = false;
  try {
    assert.match(ns.path, /^\/proc\/\d+\/fd\/\d+$/);
    assert.is(ns.name, undefined);
    assert.is(ns.id, await statId(ns.path));
    assert.is.not(ns.id, await statId('/proc/self/ns/net'), 'a new namespace');
    assert.not.ok((await Namespace.list()).some((n) => n.id === ns.id),
      'a temporary namespace is not in the run directory');

    await withNamespace(ns, [link.add({ name: 'tb0', type: 'bridge' })]);
    assert.ok(await linkByName(ns.path, 'tb0'), 'nsenter sees the bridge in it');

    await ns.close();
    closed = true;
    await rejects(withNamespace(ns, [link.list()]), { code: 'ERR_NSDO_NAMESPACE_CLOSED' });
    assert.ok(await eventually(() => idAt(ns.path) !== ns.id), 'its path no longer holds it');
  } finally {
    if (!closed) await ns.close();
  }
});

test('temporary: Symbol.asyncDispose releases it (what `await using` calls)', async () => {
  const ns = await Namespace.temporary();
  assert.type(ns[Symbol.asyncDispose], 'function');
  await ns[Symbol.asyncDispose]();
  await rejects(withNamespace(ns, [link.list()]), { code: 'ERR_NSDO_NAMESPACE_CLOSED' });
});

test('close() of a named namespace is a no-op', () => withScratch(1, async ([a]) => {
  const ns = await Namespace.open(a.name);
  await ns.close();
  const [list] = await withNamespace(ns, [link.list()]);
  assert.ok(list.some((l) => l.name === 'lo'));
}));

test('delete: like `ip netns del`', async () => {
  const name = uniqueName('x');
  try {
    const ns = await Namespace.create(name);
    await withNamespace(ns, [link.add({ name: 'v0', type: 'veth', peer: { name: 'v1' } })]);
    await ns.delete();
    assert.not.ok(fs.existsSync(ns.path), 'the file is gone');
    assert.not.ok((await netnsList()).includes(name), 'ip netns list no longer shows it');
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    assert.not.ok(mounts.includes(ns.path), 'no mount left on the path');
  } finally {
    await drop(name);
  }
});

test('delete of a namespace file with a second mount stacked on it', async () => {
  // A mount stacked on the namespace file (mounted twice) survives one
  // lazy unmount; unlinking a mount point then fails with EBUSY. nsdo may
  // clean it up, or must say it is busy.
  const name = uniqueName('b');
  const path = `/run/netns/${name}`;
  try {
    await run('ip', ['netns', 'add', name]);
    await run('mount', ['--bind', path, path]);
    const ns = await Namespace.open(name);
    const outcome = await ns.delete().then(() => null, (e) => e);
    if (outcome === null) {
      assert.not.ok(fs.existsSync(path), 'deleted: the file is gone');
    } else {
      assert.is(outcome.code, 'ERR_NSDO_NAMESPACE_BUSY', `${outcome.code}: ${outcome.message}`);
      assert.match(outcome.message, new RegExp(name));
    }
  } finally {
    await run('sh', ['-c', `while umount -l ${path} 2>/dev/null; do :; done; rm -f ${path}`],
      { allowFail: true });
  }
});

test('a handle whose name was deleted and made again touches nothing of the new namespace',
  () => withScratch(1, async ([a]) => {
    const name = uniqueName('r');
    try {
      const old = await Namespace.create(name);
      await run('ip', ['netns', 'del', name]);
      await run('ip', ['netns', 'add', name]);
      const now = idAt(old.path);
      assert.is.not(now, old.id, 'the name leads to another namespace');
      const mismatch = (op) => ({
        code: 'ERR_NSDO_NAMESPACE_MISMATCH', op,
        message: new RegExp(`expected namespace ${old.id}, found ${now}`),
      });

      // a veth peer made in the old handle's namespace
      await rejects(withNamespace(a.path, [
        link.add({ name: 'va', type: 'veth', peer: { name: 'vb', namespace: old } }),
      ]), mismatch('link.add'));
      // a link moved to it
      await withNamespace(a.path, [link.add({ name: 'vc', type: 'veth', peer: { name: 'vd' } })]);
      await rejects(withNamespace(a.path, [link.set('vd', { namespace: old })]),
        mismatch('link.set'));
      // the old handle deleted
      await rejects(old.delete(), mismatch('namespace.delete'));

      assert.ok(await linkByName(a.name, 'vd'), 'vd stayed where it was');
      assert.not.ok(await linkByName(a.name, 'va'), 'no veth was made');
      assert.equal((await links(name)).map((l) => l.ifname), ['lo'],
        'the new namespace has only lo, seen by ip');
      assert.is(idAt(old.path), now, 'the new namespace is still mounted there');

      const fresh = await Namespace.open(name);
      await withNamespace(a.path, [link.set('vd', { namespace: fresh })]);
      assert.ok(await linkByName(name, 'vd'), 'a fresh handle moves it');
      await fresh.delete();
      assert.not.ok(fs.existsSync(old.path), 'and deletes it');
    } finally {
      await drop(name);
    }
  }));

test('interop: ip netns add -> nsdo uses and deletes it', async () => {
  const name = uniqueName('i');
  try {
    await run('ip', ['netns', 'add', name]);
    const ns = await Namespace.open(name);
    await withNamespace(ns, [link.add({ name: 'br0', type: 'bridge' })]);
    assert.ok(await linkByName(name, 'br0'));
    assert.ok((await Namespace.list()).some((n) => n.name === name));
    await ns.delete();
    assert.not.ok((await netnsList()).includes(name));
  } finally {
    await drop(name);
  }
});

test('ip netns del of a namespace nsdo worked in frees it soon after', () =>
  withScratch(2, async ([a, b]) => {
    // The helper caches a netlink socket per namespace, which holds the
    // namespace alive; the cache must let it go soon after the namespace's
    // file is gone. A veth end in a shows when b is freed.
    await withNamespace(a.path, [
      link.add({ name: 'va', type: 'veth', peer: { name: 'vb', namespace: b.path } }),
    ]);
    await withNamespace(b.path, [link.list()]);
    await run('ip', ['netns', 'del', b.name]);
    const gone = await eventually(async () => !(await linkByName(a.name, 'va')), { ms: 8000 });
    assert.ok(gone, 'b was freed, and with it the veth pair');
  }));

test('interop: nsdo create -> ip netns uses and deletes it', async () => {
  const name = uniqueName('j');
  try {
    await Namespace.create(name);
    await ip(name, ['link', 'add', 'br0', 'type', 'bridge']);
    const [br] = await withNamespace(`/run/netns/${name}`, [link.get('br0')]);
    assert.is(br.type, 'bridge');
    await run('ip', ['netns', 'del', name]);
    assert.not.ok((await Namespace.list()).some((n) => n.name === name));
    assert.not.ok(fs.existsSync(`/run/netns/${name}`));
  } finally {
    await drop(name);
  }
});


test('a named namespace reaches mount namespaces made later, also after the run directory changed', async () => {
  // The helper makes the run directory a shared mount once, then only
  // again when the directory is another mount; here it is unmounted
  // between two creations, so the second must share it anew.
  const dir = fs.mkdtempSync(`${scratchDir}/netns-`);
  const mountsIn = (pid) => fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
    .split('\n').map((line) => line.split(' ')[4]);
  try {
    for (const round of [1, 2]) {
      const name = `prop${round}`;
      await (await Namespace.create(`warm${round}`, { dir })).delete();
      await withMountNamespace(async (pid) => {
        const ns = await Namespace.create(name, { dir });
        assert.ok(await eventually(() => mountsIn(pid).includes(ns.path)),
          `round ${round}: ${ns.path} is mounted in the mount namespace made before it`);
        await ns.delete();
        assert.ok(await eventually(() => !mountsIn(pid).includes(ns.path)),
          `round ${round}: ${ns.path} is gone there after delete()`);
      });
      await run('umount', ['-l', dir]);
    }
  } finally {
    await run('umount', ['-l', dir], { allowFail: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs fn(pid) with a process in a new mount namespace copied from this one. */
async function withMountNamespace(fn) {
  const child = spawn('unshare', ['--mount', '--propagation', 'unchanged', 'sleep', '60'],
    { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const own = fs.readlinkSync('/proc/self/ns/mnt');
    assert.ok(await eventually(() => {
      try {
        return fs.readlinkSync(`/proc/${child.pid}/ns/mnt`) !== own;
      } catch {
        return false;
      }
    }), 'unshare made its mount namespace');
    return await fn(child.pid);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

test.run();

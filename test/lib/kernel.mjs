// The independent observer: what the kernel says, through iproute2 and
// coreutils rather than through nsdo itself. Every test checks nsdo's
// effect here, not only through nsdo's own list calls.
//
// A namespace is named the way `ip` names it: a bare name means
// /run/netns/NAME (`ip -n NAME`), a path (/proc/PID/ns/net, a temporary
// namespace's /proc/HELPER/fd/N) is entered with nsenter.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs a command; resolves to its stdout, rejects with its stderr. */
export async function run(cmd, args, { allowFail = false } = {}) {
  try {
    const { stdout } = await execFileAsync(cmd, args, { encoding: 'utf8' });
    return stdout;
  } catch (error) {
    if (allowFail) return null;
    const stderr = String(error.stderr ?? '').trim();
    throw new Error(`${cmd} ${args.join(' ')} failed: ${stderr || error.message}`);
  }
}

/** `ip ARGS` inside a namespace (name, path, or null for our own). */
export function ip(ns, args, options) {
  if (ns === null || ns === undefined) return run('ip', args, options);
  if (String(ns).startsWith('/')) return run('nsenter', [`--net=${ns}`, 'ip', ...args], options);
  return run('ip', ['-n', String(ns), ...args], options);
}

/** `ip -j ARGS` parsed; an empty answer is an empty array. */
export async function ipJson(ns, args) {
  const out = await ip(ns, ['-j', ...args]);
  return out.trim() ? JSON.parse(out) : [];
}

/** Every link of a namespace, with details (linkinfo, master). */
export function links(ns) {
  return ipJson(ns, ['-d', 'link', 'show']);
}

/** One link by name, or undefined. */
export async function linkByName(ns, name) {
  return (await links(ns)).find((l) => l.ifname === name);
}

/** The addresses of one link, flattened: [{ local, prefixlen, family }]. */
export async function addrsOf(ns, dev) {
  const [entry] = await ipJson(ns, ['addr', 'show', 'dev', dev]);
  return (entry?.addr_info ?? []).map((a) => ({
    local: a.local, prefixlen: a.prefixlen, family: a.family === 'inet6' ? 6 : 4,
    scope: a.scope,
  }));
}

/** Routes of one family in a table ('main', 'local', a number, 'all'). */
export function routesOf(ns, family, table = 'main') {
  return ipJson(ns, [`-${family}`, 'route', 'show', 'table', String(table)]);
}

/** `stat -L -c %d:%i`: the namespace id nsdo must report for a path. */
export async function statId(path) {
  return (await run('stat', ['-L', '-c', '%d:%i', path])).trim();
}

/** Names listed by `ip netns list` (which may append "(id: N)"). */
export async function netnsList() {
  const out = await run('ip', ['netns', 'list']);
  return out.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean);
}

/**
 * Whether the kernel can create a link of `kind`, probed synchronously
 * (at collection time) in a throwaway network namespace that dies with
 * the probe. vlan and macvlan need a parent link, so one is made first.
 * Returns { ok: true } or { ok: false, reason }.
 */
export function probeLinkKind(kind) {
  const cache = (globalThis.NSDO_TEST_KINDS ??= new Map());
  if (cache.has(kind)) return cache.get(kind);

  const parent = 'ip link add p0 type veth peer name p1';
  const add = {
    vlan: `${parent} && ip link add k0 link p0 type vlan id 7`,
    macvlan: `${parent} && ip link add k0 link p0 type macvlan mode bridge`,
    vxlan: 'ip link add k0 type vxlan id 7 dstport 4789',
    veth: 'ip link add k0 type veth peer name k1',
  }[kind] ?? `ip link add k0 type ${kind}`;
  let result;
  try {
    execFileSync('unshare', ['--net', 'sh', '-c', add], { stdio: ['ignore', 'ignore', 'pipe'] });
    result = { ok: true };
  } catch (error) {
    const said = String(error.stderr ?? '').trim().replace(/\s+/g, ' ');
    result = { ok: false, reason: `kernel has no "${kind}" link kind (${said || 'ip failed'})` };
  }
  cache.set(kind, result);
  return result;
}

/** A short pause, for kernel work that completes asynchronously. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns truthy or `ms` elapse; returns its value. */
export async function eventually(check, { ms = 5000, every = 25 } = {}) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value || Date.now() > deadline) return value;
    await sleep(every);
  }
}

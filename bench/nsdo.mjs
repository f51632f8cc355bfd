// The nsdo peer: the same workloads through nsdo's public API, the way it is
// meant to be used. Each pod is three requests (Namespace.create, one batch
// of host-side steps, one batch inside the pod); --conc pods are in flight at
// once, so the helper's pipe stays full while the client waits on replies.
//
//   node bench/nsdo.mjs pods N [--conc K] [--keep]
//   node bench/nsdo.mjs rtt N             (N sequential link.get('lo'))
//   node bench/nsdo.mjs routes N [--batch B]  (N /32 routes on lo, batches of B in flight)
//   node bench/nsdo.mjs pods N --helpers K    (K helper processes, pod i on helper i % K)
//   node bench/nsdo.mjs pods N --queues Q     (veth ends with Q transmit and receive queues)
//
// The helper is started by a warm-up request before the clock starts; its
// start-up time is reported as helperStartMs.

import { readFileSync } from 'node:fs';
// NSDO_BENCH_DIST: the library to load instead of ../dist (the bench script
// runs a copy taken at its start, so that a rebuild cannot change it half-way).
const library = process.env.NSDO_BENCH_DIST ?? '../dist/index.js';
const { withNamespace, Namespace, Helper, link, addr, route, getHelper } = await import(library);
import { podNet, routeDest, pool, parseArgs, now, emit, quantile } from './common.mjs';

const opts = parseArgs(process.argv.slice(2));

/** The helper's CPU time so far (user, system) in ms, from /proc/PID/stat. */
function helperCpuMs(helpers = [getHelper()]) {
  const sum = { user: 0, system: 0 };
  for (const helper of helpers) {
    const stat = readFileSync(`/proc/${helper.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    sum.user += Number(fields[11]) * 10; // USER_HZ is 100 on Linux
    sum.system += Number(fields[12]) * 10;
  }
  return sum;
}

/** The client's CPU time so far (user, system) in ms. */
function clientCpuMs() {
  const u = process.cpuUsage();
  return { user: u.user / 1e3, system: u.system / 1e3 };
}

const cpuDelta = (a, b) => ({ user: b.user - a.user, system: b.system - a.system });

/** The helper's status line `key` (e.g. VmHWM) in kB. */
function helperStatus(key, helper = getHelper()) {
  const status = readFileSync(`/proc/${helper.pid}/status`, 'utf8');
  const m = status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : null;
}

async function warmUp(helpers = [getHelper()]) {
  const t = now();
  const home = await Namespace.current();
  await Promise.all(helpers.map((helper) => withNamespace(home, [link.get('lo')], { helper })));
  return { home, helperStartMs: now() - t };
}

// --queues Q: both veth ends get Q queues instead of the kernel's default.
const queues = opts.queues ? { txQueues: Number(opts.queues), rxQueues: Number(opts.queues) } : {};

async function setupPod(home, i, helper) {
  const name = `p${i}`,
    host = `h${i}`,
    net = podNet(i);
  const ns = await Namespace.create(name, { helper });
  await withNamespace(
    home,
    [
      link.add({ name: host, type: 'veth', ...queues, peer: { name: 'eth0', namespace: ns } }),
      addr.add(host, `${net}.1/24`),
      link.set(host, { up: true }),
    ],
    { helper },
  );
  await withNamespace(
    ns,
    [
      link.set('lo', { up: true }),
      addr.add('eth0', `${net}.2/24`),
      link.set('eth0', { up: true }),
      route.add({ to: 'default', via: `${net}.1` }),
    ],
    { helper },
  );
  return ns;
}

async function pods() {
  const conc = Number(opts.conc ?? 8);
  // --helpers K: K helper processes, pod i always on helper i % K, so that
  // the kernel's sleeps (RCU grace periods) of one pod overlap another's work.
  const count = Number(opts.helpers ?? 1);
  const helpers = count === 1 ? [getHelper()] : Array.from({ length: count }, () => new Helper());
  const { home, helperStartMs } = await warmUp(helpers);
  const namespaces = new Array(opts.n);
  const helper0 = helperCpuMs(helpers),
    client0 = clientCpuMs();
  let t = now();
  await pool(opts.n, conc, async (i) => {
    namespaces[i] = await setupPod(home, i, helpers[i % helpers.length]);
  });
  const result = {
    n: opts.n,
    conc,
    queues: Number(opts.queues ?? 0),
    setupMs: now() - t,
    helperStartMs,
    helperCpuMs: cpuDelta(helper0, helperCpuMs(helpers)),
    clientCpuMs: cpuDelta(client0, clientCpuMs()),
  };
  if (helpers.length > 1) result.helpers = helpers.length;
  if (!opts.keep) {
    t = now();
    await pool(opts.n, conc, (i) => namespaces[i].delete());
    result.teardownMs = now() - t;
  }
  result.helperPid = helpers[0].pid;
  result.helperVmHWMkB = Math.max(...helpers.map((h) => helperStatus('VmHWM', h)));
  result.helperVmRSSkB = Math.max(...helpers.map((h) => helperStatus('VmRSS', h)));
  await Promise.all(helpers.map((h) => h.close()));
  return result;
}

async function rtt() {
  const { helperStartMs } = await warmUp();
  const ns = await Namespace.create('rtt');
  for (let i = 0; i < 200; i++) await withNamespace(ns, [link.get('lo')]);
  const samples = new Float64Array(opts.n);
  const helper0 = helperCpuMs(),
    client0 = clientCpuMs();
  const t0 = now();
  for (let i = 0; i < opts.n; i++) {
    const t = now();
    await withNamespace(ns, [link.get('lo')]);
    samples[i] = (now() - t) * 1e3;
  }
  const totalMs = now() - t0;
  const helperCpu = cpuDelta(helper0, helperCpuMs()),
    clientCpu = cpuDelta(client0, clientCpuMs());
  await ns.delete();
  samples.sort();
  return {
    n: opts.n,
    p50Us: quantile(samples, 0.5),
    p99Us: quantile(samples, 0.99),
    totalMs,
    helperStartMs,
    helperCpuMs: helperCpu,
    clientCpuMs: clientCpu,
  };
}

/** Adds n /32 routes on lo in `ns`, in batches of `batch` ops all in flight; returns ms. */
async function addRoutes(ns, batch) {
  await withNamespace(ns, [link.set('lo', { up: true })]);
  const ops = Array.from({ length: opts.n }, (_, i) => route.add({ to: routeDest(i), dev: 'lo' }));
  const t = now();
  const batches = [];
  for (let i = 0; i < ops.length; i += batch)
    batches.push(withNamespace(ns, ops.slice(i, i + batch)));
  await Promise.all(batches);
  return now() - t;
}

/**
 * The first round runs while V8 is still compiling the path (cold); the
 * second, in another namespace, is the steady state of a long-lived
 * process. Both namespaces are deleted only at the end: the kernel's
 * cleanup of a namespace full of routes would compete for the RTNL lock.
 */
async function routes() {
  const batch = Number(opts.batch ?? 2500);
  await warmUp();
  const cold = await Namespace.create('routes-cold');
  const coldMs = await addRoutes(cold, batch);
  const warm = await Namespace.create('routes');
  const ms = await addRoutes(warm, batch);
  await cold.delete();
  await warm.delete();
  return {
    n: opts.n,
    batch,
    ms,
    opsPerSec: opts.n / (ms / 1e3),
    coldMs,
    coldOpsPerSec: opts.n / (coldMs / 1e3),
  };
}

const modes = { pods, rtt, routes };
if (!modes[opts.mode]) throw new Error(`mode: expected pods, rtt or routes, got ${opts.mode}`);
emit(await modes[opts.mode]());
await getHelper().close();

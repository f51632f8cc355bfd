// Round-trip micro-benchmark: one small request, the helper and back.
//
// It measures the hot path alone, without the workloads of bench/: a
// `link.get lo` inside a namespace, answered by the helper, either driven
// directly with pre-encoded frames (no client library in the way) or
// through withNamespace(). It also writes a frame stream that callgrind or
// strace can replay, for counts that do not depend on this machine's load.
//
//   node bench/micro/rtt.mjs direct   [--n 10000]   raw frames, one in flight
//   node bench/micro/rtt.mjs pipeline [--n 10000]   raw frames, 64 in flight
//   node bench/micro/rtt.mjs lib      [--n 10000]   withNamespace(handle, ...)
//   node bench/micro/rtt.mjs lib-path [--n 10000]   withNamespace('/run/netns/..')
//   node bench/micro/rtt.mjs all      [--n 10000]   the four above
//   node bench/micro/rtt.mjs frames FILE [--n N] [--workload W]
//                                    write a replayable stream; W is rtt (N
//                                    link.get), routes (N/1000 batches of
//                                    1,000 route.add) or pods (N pods)
//   ... --strace                                    syscalls per request (direct)
//
// Every mode runs in a throw-away network and mount namespace of its own,
// with a tmpfs on /run/netns (the script re-executes itself under unshare),
// so it never touches the machine's network. Root is required.
//
// Replaying a stream: the first two frames create /run/netns/micro and set
// its lo up, then come the workload's requests, so (Ir at N=2000 - Ir at
// N=1000) / 1000 is the helper's cost of one request (route.add op, pod);
// `strace -c` in place of valgrind counts its system calls:
//
//   unshare --net --mount --propagation private sh -c \
//     'mkdir -p /run/netns && mount -t tmpfs t /run/netns && \
//      valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \
//      helper/build/nsdo-helper < FILE > /dev/null'

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Packr } from 'msgpackr/pack';
import { Unpackr } from 'msgpackr/unpack';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const helperPath = process.env.NSDO_HELPER ?? path.join(root, 'helper/build/nsdo-helper');
const NS_NAME = 'micro';
const NS_PATH = `/run/netns/${NS_NAME}`;
const WARM_UP = 500;
const WINDOW = 64;

const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true, moreTypes: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

/** Re-runs this script inside fresh network and mount namespaces. */
function isolate() {
  const script = 'mkdir -p /run/netns && mount -t tmpfs nsdo-micro /run/netns && ' +
    'ip link set lo up && exec "$0" "$@"';
  const run = spawnSync('unshare', ['--net', '--mount', '--propagation', 'private', 'sh', '-c',
    script, process.execPath, ...process.execArgv, fileURLToPath(import.meta.url),
    ...process.argv.slice(2)],
  { stdio: 'inherit', env: { ...process.env, NSDO_MICRO_INNER: '1' } });
  process.exit(run.status ?? 1);
}

async function main() {
  const modes = args.mode === 'all' ? ['direct', 'pipeline', 'lib', 'lib-path'] : [args.mode];
  if (args.mode === 'frames') return writeFrames(args.file, args.n, args.workload);
  const results = {};
  for (const mode of modes) {
    if (!runners[mode]) {
      throw new Error('mode: expected direct, pipeline, lib, lib-path, all or frames, ' +
        `got ${mode}`);
    }
    results[mode] = await runners[mode](args.n);
  }
  const { size } = fs.statSync(helperPath);
  console.log(JSON.stringify({ helper: helperPath, bytes: size, n: args.n, ...results }, null, 1));
}

/** One pre-encoded request after another, each waiting for its reply. */
async function direct(n) {
  const h = await RawHelper.start();
  await h.call({ id: 1, ops: [{ op: 'namespace.create', name: NS_NAME }] });
  const frame = encode({ id: 2, namespace: NS_PATH, ops: [{ op: 'link.get', link: 'lo' }] });
  for (let i = 0; i < WARM_UP; i++) await h.send(frame);
  const strace = args.strace ? await startStrace(h.pid) : null;
  const samples = new Float64Array(n);
  const cpu0 = h.cpuMs();
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const reply = await h.send(frame);
    samples[i] = (performance.now() - t) * 1e3;
    if (reply.error) throw new Error(`link.get failed: ${reply.error.message}`);
  }
  const wallMs = performance.now() - t0;
  const client = process.cpuUsage(client0);
  const result = { ...summary(samples),
    clientCpuUsPerReq: +((client.user + client.system) / n).toFixed(1),
    helperCpuUsPerReq: (h.cpuMs() - cpu0) * 1e3 / n,
    reqPerSec: Math.round(n / (wallMs / 1e3)), helperVmHWMkB: h.status('VmHWM') };
  if (strace) result.syscallsPerReq = await strace.stop(n);
  await h.call({ id: 3, ops: [{ op: 'namespace.delete', path: NS_PATH }] });
  await h.close();
  return result;
}

/** The same request, WINDOW of them in flight at once: throughput. */
async function pipeline(n) {
  const h = await RawHelper.start();
  await h.call({ id: 1, ops: [{ op: 'namespace.create', name: NS_NAME }] });
  const frame = encode({ id: 2, namespace: NS_PATH, ops: [{ op: 'link.get', link: 'lo' }] });
  const window = Buffer.concat(Array.from({ length: WINDOW }, () => frame));
  for (let i = 0; i < 10; i++) await h.sendMany(window, WINDOW);
  const t0 = performance.now();
  const rounds = Math.ceil(n / WINDOW);
  for (let i = 0; i < rounds; i++) await h.sendMany(window, WINDOW);
  const ms = performance.now() - t0;
  await h.call({ id: 3, ops: [{ op: 'namespace.delete', path: NS_PATH }] });
  await h.close();
  return { reqPerSec: Math.round((rounds * WINDOW) / (ms / 1e3)), window: WINDOW };
}

/** withNamespace() with a Namespace handle: the library's own round trip. */
async function lib(n) {
  return libLoop(n, (ns) => ns);
}

/** withNamespace() with a path: adds the client's stat() of the path. */
async function libPath(n) {
  return libLoop(n, (ns) => ns.path);
}

async function libLoop(n, target) {
  const nsdo = await import(path.join(root, 'dist/index.js'));
  const { withNamespace, Namespace, getHelper, link } = nsdo;
  const ns = await Namespace.create(NS_NAME);
  const where = target(ns);
  const op = link.get('lo');
  for (let i = 0; i < WARM_UP; i++) await withNamespace(where, [op]);
  const pid = getHelper().pid;
  const cpu0 = process.cpuUsage();
  const helperCpu0 = cpuMsOf(pid);
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await withNamespace(where, [op]);
    samples[i] = (performance.now() - t) * 1e3;
  }
  const cpu = process.cpuUsage(cpu0);
  const result = { ...summary(samples),
    clientCpuUsPerReq: +((cpu.user + cpu.system) / n).toFixed(1),
    helperCpuUsPerReq: (cpuMsOf(pid) - helperCpu0) * 1e3 / n };
  await ns.delete();
  await getHelper().close();
  return result;
}

/** The replayable stream: create the namespace, then the workload's requests. */
function writeFrames(file, n, workload = 'rtt') {
  if (!file) throw new Error('frames: expected a file to write');
  if (!workloads[workload]) {
    throw new Error(`--workload: expected rtt, routes or pods, got ${workload}`);
  }
  const requests = [{ ops: [{ op: 'namespace.create', name: NS_NAME }] },
    { namespace: NS_PATH, ops: [{ op: 'link.set', link: 'lo', up: true }] },
    ...workloads[workload](n)];
  fs.writeFileSync(file, Buffer.concat(requests.map((r, i) => encode({ id: i + 1, ...r }))));
  console.log(`wrote ${file}: ${requests.length} requests (${workload}, n = ${n})`);
}

const workloads = {
  rtt: (n) => Array.from({ length: n },
    () => ({ namespace: NS_PATH, ops: [{ op: 'link.get', link: 'lo' }] })),
  routes: (n) => Array.from({ length: Math.ceil(n / 1000) }, (_, b) => ({
    namespace: NS_PATH,
    ops: Array.from({ length: Math.min(1000, n - b * 1000) }, (_, j) => {
      const i = b * 1000 + j;
      return { op: 'route.add', to: `10.200.${i >> 8}.${i & 255}/32`, dev: 'lo' };
    }),
  })),
  pods: (n) => Array.from({ length: n }, (_, i) => podRequests(i)).flat(),
};

/** The three requests of the pods workload of bench/ for pod i. */
function podRequests(i) {
  const net = `10.${100 + (i >> 8)}.${i & 255}`;
  const path = `/run/netns/p${i}`;
  return [
    { ops: [{ op: 'namespace.create', name: `p${i}` }] },
    { ops: [
      { op: 'link.add', name: `h${i}`, type: 'veth', peer: { name: 'eth0', namespace: path } },
      { op: 'addr.add', dev: `h${i}`, address: `${net}.1/24` },
      { op: 'link.set', link: `h${i}`, up: true },
    ] },
    { namespace: path, ops: [
      { op: 'link.set', link: 'lo', up: true },
      { op: 'addr.add', dev: 'eth0', address: `${net}.2/24` },
      { op: 'link.set', link: 'eth0', up: true },
      { op: 'route.add', to: 'default', via: `${net}.1` },
    ] },
  ];
}

/** Attaches strace -c to the helper; stop() gives syscalls per request. */
async function startStrace(pid) {
  const out = path.join(fs.mkdtempSync('/tmp/nsdo-micro-'), 'strace.txt');
  const child = spawn('strace', ['-c', '-o', out, '-p', String(pid)], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 500));
  return {
    async stop(n) {
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGINT');
      await closed;
      const text = fs.readFileSync(out, 'utf8');
      const calls = {};
      for (const line of text.split('\n')) {
        const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$/.exec(line);
        if (m && m[2] !== 'total') calls[m[2]] = +(Number(m[1]) / n).toFixed(2);
      }
      const total = Object.values(calls).reduce((a, b) => a + b, 0);
      return { total: +total.toFixed(2), ...calls };
    },
  };
}

function summary(samples) {
  samples.sort();
  const q = (p) => +samples[Math.floor(p * (samples.length - 1))].toFixed(1);
  let sum = 0;
  for (const s of samples) sum += s;
  return { p50Us: q(0.5), p90Us: q(0.9), p99Us: q(0.99),
    meanUs: +(sum / samples.length).toFixed(1) };
}

function encode(value) {
  const body = packr.pack(value);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

/** utime + stime of a process, in ms (clock ticks of 10 ms: coarse, fine over 10k calls). */
function cpuMsOf(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The helper over raw pipes: frames out, replies counted and decoded. */
class RawHelper {
  static async start() {
    const h = new RawHelper();
    await h.#next(1);
    return h;
  }

  constructor() {
    this.child = spawn(helperPath, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.pid = this.child.pid;
    this.buffer = Buffer.alloc(0);
    this.waiting = null;
    this.left = 0;
    this.last = null;
    this.child.stdout.on('data', (chunk) => this.#onData(chunk));
  }

  call(request) {
    return this.send(encode(request));
  }

  send(frame) {
    this.child.stdin.write(frame);
    return this.#next(1);
  }

  sendMany(frames, count) {
    this.child.stdin.write(frames);
    return this.#next(count);
  }

  cpuMs() {
    return cpuMsOf(this.pid);
  }

  status(key) {
    const line = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8').split('\n')
      .find((l) => l.startsWith(`${key}:`));
    return line ? Number(line.split(/\s+/)[1]) : null;
  }

  close() {
    const closed = new Promise((resolve) => this.child.once('close', resolve));
    this.child.stdin.end();
    return closed;
  }

  #next(count) {
    this.left = count;
    return new Promise((resolve) => { this.waiting = resolve; });
  }

  #onData(chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    while (this.buffer.length >= 4) {
      const len = this.buffer.readUInt32BE(0);
      if (this.buffer.length < 4 + len) break;
      this.last = unpackr.unpack(this.buffer.subarray(4, 4 + len));
      this.buffer = this.buffer.subarray(4 + len);
      if (--this.left === 0) this.waiting?.(this.last);
    }
  }
}

function parseArgs(argv) {
  const [mode = 'all', ...rest] = argv;
  const opts = { mode, n: 10000 };
  if (mode === 'frames') opts.file = rest.shift();
  for (let i = 0; i < rest.length; i++) {
    const key = rest[i].replace(/^--/, '');
    const value = rest[i + 1];
    if (value === undefined || value.startsWith('--')) opts[key] = true;
    else { opts[key] = key === 'n' ? Number(value) : value; i++; }
  }
  if (!Number.isInteger(opts.n) || opts.n < 1) {
    throw new Error(`--n: expected a positive integer, got ${opts.n}`);
  }
  return opts;
}

const runners = { direct, pipeline, lib, 'lib-path': libPath };
const args = parseArgs(process.argv.slice(2));
if (process.env.NSDO_MICRO_INNER !== '1') isolate();
else await main();

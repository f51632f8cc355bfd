#!/usr/bin/env zx
// Runs nsdo's benchmarks against its peers and writes bench/results.json,
// bench/chart.svg and the results section of BENCHMARKS.md.
//
// Every single run happens in its own throw-away network and mount namespace
// (`unshare --net --mount --propagation private` with a tmpfs on /run/netns),
// so runs cannot disturb each other or this machine's network. Peers are
// alternated run by run and each figure is the median over the rounds. After
// every run the script waits until the kernel has freed that run's
// namespaces (the net_namespace slab count drops back), so a run never pays
// for the previous run's asynchronous cleanup.
//
//   zx scripts/bench.mjs                 the full set (15-20 minutes on 2 busy cores)
//   zx scripts/bench.mjs --quick         N = 50, 200; 2 rounds; 2,000 round trips
//   zx scripts/bench.mjs --rounds 3 --sizes 50,1000 --peers nsdo,go-do
//   zx scripts/bench.mjs --no-install    skip peers whose packages are missing
//   zx scripts/bench.mjs --check-only    only validate every peer's end state
//   zx scripts/bench.mjs --report-only   write the chart and report again from results.json
//
// Needs root (namespaces, mounts). The peers' Debian packages are installed
// here when missing; `npm test` never needs them.
import { $, argv, fs, path, echo, chalk } from 'zx';
import os from 'node:os';

$.verbose = false;

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const benchDir = path.join(root, 'bench');
const tmpDir = path.join(benchDir, 'results', 'tmp');
const goPeer = path.join(tmpDir, 'go-peer');
const echoProgram = path.join(tmpDir, 'echo');
const builtHelper = path.join(root, 'helper', 'build', 'nsdo-helper');
// The helper and the library the runs use: copies taken at the start, so
// that a rebuild during the runs cannot change either half-way.
const helperPath = path.join(tmpDir, 'nsdo-helper');
const distCopy = path.join(tmpDir, 'dist');
const runEnv = () => ({
  ...process.env,
  NSDO_HELPER: helperPath,
  NSDO_BENCH_DIST: path.join(distCopy, 'index.js'),
});
const debianPackages = [
  'python3-pyroute2',
  'golang-go',
  'golang-github-containernetworking-plugins-dev',
  'golang-github-vishvananda-netlink-dev',
];

const quick = Boolean(argv.quick);
const config = {
  quick,
  sizes: String(argv.sizes ?? (quick ? '50,200' : '50,200,1000'))
    .split(',')
    .map(Number),
  rounds: Number(argv.rounds ?? (quick ? 2 : 5)),
  slowRounds: Number(argv['slow-rounds'] ?? (quick ? 2 : 4)),
  slowRoundsAtLargest: Number(argv['slow-rounds-largest'] ?? (quick ? 2 : 3)),
  rttCalls: Number(argv.rtt ?? (quick ? 2000 : 10000)),
  rttRounds: quick ? 2 : 3,
  routes: 10000,
  routeRounds: quick ? 2 : 5,
  checkSize: 20,
};

// ---- the peers -----------------------------------------------------------

const node = process.execPath;
const python = '/usr/bin/python3';

/**
 * Every peer of the pods workload: how to run it for N pods, whether it is
 * slow (fewer rounds at the largest N), and what it needs.
 */
const peers = [
  {
    id: 'nsdo',
    label: 'nsdo (shared helper)',
    needs: 'nsdo',
    cmd: (n) => [node, path.join(benchDir, 'nsdo.mjs'), 'pods', n, '--conc', 8],
  },
  {
    id: 'nsdo-4',
    label: 'nsdo, 4 helpers',
    needs: 'nsdo',
    cmd: (n) => [node, path.join(benchDir, 'nsdo.mjs'), 'pods', n, '--conc', 8, '--helpers', 4],
  },
  {
    id: 'nsdo-q1',
    label: 'nsdo: veth with 1 queue',
    needs: 'nsdo',
    informative: true,
    cmd: (n) => [node, path.join(benchDir, 'nsdo.mjs'), 'pods', n, '--conc', 8, '--queues', 1],
  },
  {
    id: 'helper-raw',
    label: '(diagnostic) helper alone, no client',
    needs: 'nsdo',
    diagnostic: true,
    cmd: (n) => [node, path.join(benchDir, 'helper-raw.mjs'), 'pods', n],
  },
  {
    id: 'go-do',
    label: 'Go: CNI ns.Do + netlink',
    needs: 'go',
    cmd: (n) => [goPeer, '-mode', 'pods', '-n', n, '-conc', 4, '-inns', 'do'],
  },
  {
    id: 'go-handle',
    label: 'Go: netlink.NewHandleAt',
    needs: 'go',
    cmd: (n) => [goPeer, '-mode', 'pods', '-n', n, '-conc', 4, '-inns', 'handle'],
  },
  {
    id: 'go-q1',
    label: 'Go: ns.Do, veth with 1 queue',
    needs: 'go',
    informative: true,
    cmd: (n) => [goPeer, '-mode', 'pods', '-n', n, '-conc', 4, '-inns', 'do', '-queues', 1],
  },
  {
    id: 'ip-batch',
    label: 'ip -batch (N+1 processes)',
    needs: 'ip',
    cmd: (n) => [node, path.join(benchDir, 'ip-batch.mjs'), 'pods', n, '--conc', 4],
  },
  {
    id: 'spawn-ip',
    label: 'Node spawning ip per step',
    needs: 'ip',
    slow: true,
    cmd: (n) => [node, path.join(benchDir, 'spawn-ip.mjs'), 'pods', n, '--conc', 4],
  },
  {
    id: 'pyroute2-netns',
    label: 'pyroute2 NetNS',
    needs: 'pyroute2',
    slow: true,
    cmd: (n) => [python, path.join(benchDir, 'pyroute2_peer.py'), 'pods', n, 'netns'],
  },
  {
    id: 'pyroute2-pushns',
    label: 'pyroute2 pushns + IPRoute',
    needs: 'pyroute2',
    slow: true,
    cmd: (n) => [python, path.join(benchDir, 'pyroute2_peer.py'), 'pods', n, 'pushns'],
  },
];
const only = argv.peers ? String(argv.peers).split(',') : null;

// ---- running one thing in a throw-away namespace ---------------------------

const inNamespace = [
  'unshare',
  '--net',
  '--mount',
  '--propagation',
  'private',
  'sh',
  '-c',
  'mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns && exec "$@"',
  'bench',
];

/** Runs argv in a fresh network + mount namespace; returns its JSON result. */
async function runIsolated(args, { timeoutMs = 600000 } = {}) {
  const before = netNamespaceCount();
  const env = runEnv();
  const p = $({
    cwd: root,
    env,
    nothrow: true,
    timeout: `${timeoutMs}ms`,
  })`${inNamespace} ${args}`;
  const out = await p;
  const settledMs = await waitForCleanup(before);
  if (out.exitCode !== 0)
    throw new Error(`${args.join(' ')}: exit ${out.exitCode}: ${out.stderr.trim().slice(-2000)}`);
  const line = out.stdout.trim().split('\n').pop();
  return { ...JSON.parse(line), cleanupWaitMs: settledMs };
}

/** A shell line (several commands) in one fresh namespace, for the checks. */
async function runIsolatedShell(line) {
  const env = runEnv();
  const out = await $({ cwd: root, env, nothrow: true })`${inNamespace} sh -c ${line}`;
  await waitForCleanup(null);
  return out;
}

/** Active net_namespace objects, from /proc/slabinfo (null if unreadable). */
function netNamespaceCount() {
  try {
    const line = fs
      .readFileSync('/proc/slabinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('net_namespace '));
    return line ? Number(line.split(/\s+/)[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Waits until the kernel has freed the namespaces of the run that just
 * ended: the count falls back to where it was before the run (or stops
 * falling), at most 30 s.
 */
async function waitForCleanup(before) {
  const t = Date.now();
  let last = netNamespaceCount();
  if (last === null) {
    await sleep(1000);
    return Date.now() - t;
  }
  let still = 0;
  while (Date.now() - t < 30000) {
    await sleep(100);
    const count = netNamespaceCount();
    if (before !== null && count <= before + 2) break;
    still = count >= last ? still + 1 : 0;
    if (before === null && still >= 5) break;
    if (still >= 30) break; // 3 s without progress: someone else holds them
    last = count;
  }
  return Date.now() - t;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ---- preparing: packages, builds -------------------------------------------

async function installPeers() {
  const missing = [];
  for (const pkg of debianPackages) {
    const q = await $({ nothrow: true })`dpkg-query -W -f=${'${Status}'} ${pkg}`;
    if (!q.stdout.includes('install ok installed')) missing.push(pkg);
  }
  if (!missing.length) return [];
  if (argv['no-install']) return missing;
  echo(`installing ${missing.join(' ')}`);
  let r = await $({
    nothrow: true,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })`apt-get install -y ${missing}`;
  if (r.exitCode !== 0) {
    await $({ nothrow: true })`apt-get update`;
    r = await $({
      nothrow: true,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })`apt-get install -y ${missing}`;
  }
  if (r.exitCode !== 0) {
    echo(chalk.yellow(`apt-get install failed: ${r.stderr.trim().split('\n').pop()}`));
    return missing;
  }
  return [];
}

/** Builds the Go peer from the Debian-packaged sources (GOPATH mode, no downloads). */
async function buildGo() {
  await fs.mkdirp(tmpDir);
  const env = {
    ...process.env,
    GO111MODULE: 'off',
    GOPATH: '/usr/share/gocode',
    GOCACHE: path.join(tmpDir, 'gocache'),
    GOFLAGS: '',
  };
  const r = await $({ cwd: root, env, nothrow: true })`go build -o ${goPeer} ./bench/go`;
  if (r.exitCode !== 0) throw new Error(`go build: ${r.stderr.trim()}`);
}

/** Builds bench/echo.c, the do-nothing program under the round-trip floor. */
async function buildEcho() {
  await fs.mkdirp(tmpDir);
  const r = await $({ cwd: root, nothrow: true })`cc -O2 -o ${echoProgram} bench/echo.c`;
  if (r.exitCode !== 0) throw new Error(`cc bench/echo.c: ${r.stderr.trim()}`);
}

/** Builds nsdo (helper + dist) when either is missing. */
async function buildNsdo() {
  if (
    !(await fs.pathExists(path.join(root, 'dist', 'index.js'))) ||
    !(await fs.pathExists(builtHelper))
  ) {
    echo('building nsdo (helper and dist)');
    const r = await $({ cwd: root, nothrow: true })`npm run build`;
    if (r.exitCode !== 0)
      throw new Error(`npm run build: ${(r.stderr || r.stdout).trim().slice(-1500)}`);
  }
  await fs.mkdirp(tmpDir);
  await fs.copy(builtHelper, helperPath);
  await fs.remove(distCopy);
  await fs.copy(path.join(root, 'dist'), distCopy);
}

/** The helper's hello frame (its version and build), read from a fresh helper. */
async function helperHello() {
  const { spawn } = await import('node:child_process');
  const { unpack } = await import('msgpackr');
  return new Promise((resolve) => {
    const child = spawn(helperPath, [], { stdio: ['pipe', 'pipe', 'ignore'] });
    let buf = Buffer.alloc(0);
    const done = (v) => {
      child.kill();
      resolve(v);
    };
    child.on('error', () => done(null));
    child.stdout.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0))
        done(unpack(buf.subarray(4, 4 + buf.readUInt32BE(0))));
    });
    setTimeout(() => done(null), 3000);
  });
}

async function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  const v = async (strings, ...args) =>
    ((await $({ nothrow: true })(strings, ...args)).stdout || '').trim();
  const deb = async (pkg) => v`dpkg-query -W -f=${'${Version}'} ${pkg}`;
  return {
    cpu,
    cores: os.cpus().length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    os: await v`sh -c ${'. /etc/os-release; echo $PRETTY_NAME'}`,
    node: process.version,
    go: await v`go version`,
    python: await v`${python} --version`,
    iproute2: await v`ip -V`,
    pyroute2: await deb('python3-pyroute2'),
    cniPlugins: await deb('golang-github-containernetworking-plugins-dev'),
    vishvanandaNetlink: await deb('golang-github-vishvananda-netlink-dev'),
    date: new Date().toISOString(),
  };
}

// ---- checking the peers' end state -----------------------------------------

/** Runs a peer for a few pods, checks the pods with `ip -j`, then checks teardown. */
async function checkPeer(peer) {
  const n = config.checkSize;
  const q = (a) => a.map((x) => `'${String(x)}'`).join(' ');
  const verify = q([node, path.join(benchDir, 'verify.mjs'), n]);
  const kept = await runIsolatedShell(`${q([...peer.cmd(n), '--keep'])} >/dev/null && ${verify}`);
  const full = await runIsolatedShell(`${q(peer.cmd(n))} >/dev/null && ${verify} --gone`);
  const parse = (r) => {
    try {
      return JSON.parse(r.stdout.trim().split('\n').pop());
    } catch {
      return { ok: false, problems: [r.stderr.trim().slice(-500)] };
    }
  };
  return { setup: parse(kept), teardown: parse(full) };
}

// ---- the measurements ------------------------------------------------------

/** The peers in the order of round r: each round starts one peer later. */
const rotate = (list, r) => list.map((_, i) => list[(i + r) % list.length]);

async function measure(label, args, into, tags) {
  try {
    const res = await runIsolated(args);
    into.push({ ...tags, ...res });
    return res;
  } catch (err) {
    into.push({ ...tags, error: err.message });
    echo(chalk.red(`  ${label}: ${err.message.slice(0, 300)}`));
    return null;
  }
}

async function measurePods(active, runs) {
  const largest = Math.max(...config.sizes);
  for (const n of config.sizes) {
    for (let round = 0; round < config.rounds; round++) {
      for (const peer of rotate(active, round)) {
        const cap = n === largest ? config.slowRoundsAtLargest : config.slowRounds;
        if (peer.slow && round >= cap) continue;
        const res = await measure(peer.id, peer.cmd(n), runs, { peer: peer.id, n, round });
        if (res)
          echo(
            `  pods N=${n} round ${round + 1} ${peer.id.padEnd(16)} ` +
              `setup ${res.setupMs.toFixed(1)} ms, teardown ${res.teardownMs?.toFixed(1)} ms`,
          );
      }
    }
  }
}

async function measureRoundTrip(active, runs) {
  const cmds = {
    nsdo: [node, path.join(benchDir, 'nsdo.mjs'), 'rtt', config.rttCalls],
    'go-do': [goPeer, '-mode', 'rtt', '-n', config.rttCalls],
    'pipe-floor': [node, path.join(benchDir, 'echo-floor.mjs'), echoProgram, config.rttCalls],
  };
  const ids = Object.keys(cmds).filter(
    (id) => active.some((p) => p.id === id) || (id === 'pipe-floor' && fs.existsSync(echoProgram)),
  );
  for (let round = 0; round < config.rttRounds; round++) {
    for (const id of rotate(ids, round)) {
      const res = await measure(id, cmds[id], runs, { peer: id, n: config.rttCalls, round });
      if (res)
        echo(
          `  round trip round ${round + 1} ${id.padEnd(8)} p50 ${res.p50Us.toFixed(1)} us, ` +
            `p99 ${res.p99Us.toFixed(1)} us`,
        );
    }
  }
}

async function measureRoutes(active, runs) {
  const n = config.routes;
  const cmds = {
    nsdo: [node, path.join(benchDir, 'nsdo.mjs'), 'routes', n, '--batch', 2500],
    'go-do': [goPeer, '-mode', 'routes', '-n', n],
    'ip-batch': [node, path.join(benchDir, 'ip-batch.mjs'), 'routes', n],
  };
  const ids = Object.keys(cmds).filter((id) => active.some((p) => p.id === id));
  for (let round = 0; round < config.routeRounds; round++) {
    for (const id of rotate(ids, round)) {
      const res = await measure(id, cmds[id], runs, { peer: id, n, round });
      if (res)
        echo(`  routes round ${round + 1} ${id.padEnd(8)} ${Math.round(res.opsPerSec)} ops/s`);
    }
  }
}

// ---- summarising -----------------------------------------------------------

function summarise(active, runs, helper) {
  const ok = (list) => list.filter((r) => !r.error);
  const pods = {};
  for (const peer of active) {
    pods[peer.id] = {};
    for (const n of config.sizes) {
      const mine = ok(runs.pods).filter((r) => r.peer === peer.id && r.n === n);
      if (!mine.length) continue;
      const setupMs = median(mine.map((r) => r.setupMs));
      pods[peer.id][n] = {
        rounds: mine.length,
        setupMs,
        podsPerSec: n / (setupMs / 1e3),
        perPodUs: (setupMs * 1e3) / n,
        teardownMs: median(
          mine.filter((r) => r.teardownMs !== undefined).map((r) => r.teardownMs),
        ),
      };
    }
  }
  // nsdo's speed-up over each peer, from runs of the same round (same conditions).
  const speedup = {};
  for (const peer of active) {
    if (peer.id === 'nsdo') continue;
    speedup[peer.id] = {};
    for (const n of config.sizes) {
      const r = pairedRatio(runs.pods, peer.id, 'nsdo', n);
      if (r !== undefined) speedup[peer.id][n] = r;
    }
  }
  const small = Math.min(...config.sizes),
    large = Math.max(...config.sizes);
  const growth = {};
  for (const [id, bySize] of Object.entries(pods))
    if (bySize[small] && bySize[large])
      growth[id] = bySize[large].perPodUs / bySize[small].perPodUs;

  const byPeer = (list, key) => {
    const out = {};
    for (const id of new Set(ok(list).map((r) => r.peer)))
      out[id] = median(
        ok(list)
          .filter((r) => r.peer === id)
          .map((r) => r[key]),
      );
    return out;
  };
  const rtt = { p50Us: byPeer(runs.rtt, 'p50Us'), p99Us: byPeer(runs.rtt, 'p99Us') };
  const routes = {
    opsPerSec: byPeer(runs.routes, 'opsPerSec'),
    coldOpsPerSec: byPeer(
      runs.routes.filter((r) => r.coldOpsPerSec),
      'coldOpsPerSec',
    ),
  };
  const veth = {
    defaultUs: median(ok(runs.veth).map((r) => r.defaultUs)),
    oneQueueUs: median(ok(runs.veth).map((r) => r.oneQueueUs)),
  };
  const hwm = ok(runs.pods)
    .filter((r) => r.peer.startsWith('nsdo') && r.helperVmHWMkB)
    .map((r) => r.helperVmHWMkB);
  const helperSummary = {
    ...helper,
    peakRssKiB: hwm.length ? Math.max(...hwm) : null,
    peakRssKiBAtLargest:
      Math.max(
        0,
        ...ok(runs.pods)
          .filter((r) => r.peer.startsWith('nsdo') && r.n === large)
          .map((r) => r.helperVmHWMkB ?? 0),
      ) || null,
  };
  return {
    pods,
    speedup,
    growth,
    rtt,
    routes,
    veth,
    helper: helperSummary,
    targets: targets(
      { pods, speedup, growth, rtt, routes, helper: helperSummary, runsPods: runs.pods },
      large,
    ),
  };
}

function targets(s, large) {
  const sizes = config.sizes;
  const fmt = (v, d = 2) =>
    v === undefined || v === null || !Number.isFinite(v) ? 'n/a' : v.toFixed(d);
  const t = (name, measured, met) => ({ name, measured, met: Boolean(met) });
  // nsdo time / peer time for variant `mine`, worst over N, from same-round ratios.
  const timeRatio = (mine, peerIds) => {
    const worst = [];
    for (const n of sizes) {
      const vs = peerIds
        .map((id) => pairedRatio(s.runsPods, mine, id, n))
        .filter((v) => v !== undefined);
      if (vs.length) worst.push(Math.max(...vs));
    }
    return worst.length ? Math.max(...worst) : undefined;
  };
  const go = ['go-do', 'go-handle'];
  const rows = [];
  for (const [mine, label] of [
    ['nsdo', 'shared helper'],
    ['nsdo-4', '4 helpers'],
  ]) {
    if (!s.pods[mine]) continue;
    const goR = timeRatio(mine, go),
      spawnR = timeRatio(mine, ['spawn-ip']);
    const netnsR = timeRatio(mine, ['pyroute2-netns']),
      pushnsR = timeRatio(mine, ['pyroute2-pushns']);
    const times = (r) => `${fmt(r && 1 / r, 1)}x`;
    rows.push(
      t(
        `pods setup, ${label}: nsdo time <= 0.9 x Go (faster Go variant, worst N)`,
        `${fmt(goR)} x Go`,
        goR <= 0.9,
      ),
      t(
        `pods setup, ${label}: >= 10x faster than Node spawning ip (worst N)`,
        times(spawnR),
        spawnR <= 0.1,
      ),
      t(
        `pods setup, ${label}: >= 10x faster than pyroute2 NetNS (its documented API; worst N)`,
        times(netnsR),
        netnsR <= 0.1,
      ),
      t(
        `pods setup, ${label}: >= 10x faster than pyroute2 pushns + IPRoute (worst N)`,
        times(pushnsR),
        pushnsR <= 0.1,
      ),
      t(
        `pods setup, ${label}: per-pod cost at N=${large} within 1.5x of N=${Math.min(...sizes)}`,
        `${fmt(s.growth[mine])}x`,
        s.growth[mine] <= 1.5,
      ),
    );
  }
  // For information, beside the targets: both sides asking for one queue per
  // veth end, so that neither pays for shrinking the kernel's default.
  if (s.pods['nsdo-q1'] && s.pods['go-q1']) {
    const r = timeRatio('nsdo-q1', ['go-q1']);
    rows.push(
      t(
        'pods setup, both with 1-queue veths (not a target): nsdo time <= 0.9 x Go (worst N)',
        `${fmt(r)} x Go`,
        r <= 0.9,
      ),
    );
  }
  const routeGoal = Math.max(
    s.routes.opsPerSec['ip-batch'] ?? 0,
    s.routes.opsPerSec['go-do'] ?? 0,
  );
  rows.push(
    t(
      'single-op round trip p50 < 50 us',
      `${fmt(s.rtt.p50Us.nsdo, 1)} us ` + `(Go ns.Do: ${fmt(s.rtt.p50Us['go-do'], 1)} us)`,
      s.rtt.p50Us.nsdo < 50,
    ),
    t(
      'route adds >= ip -batch and ahead of Go (warm)',
      `${Math.round(s.routes.opsPerSec.nsdo ?? 0)} ops/s vs ${Math.round(routeGoal)} ` +
        `(cold: ${Math.round(s.routes.coldOpsPerSec.nsdo ?? 0)})`,
      (s.routes.opsPerSec.nsdo ?? 0) >= routeGoal && routeGoal > 0,
    ),
    t(
      'helper static size <= 64 KiB',
      `${s.helper.sizeBytes ?? 'n/a'} bytes`,
      typeof s.helper.sizeBytes === 'number' && s.helper.sizeBytes <= 65536,
    ),
    t(
      'helper peak RSS <= 1 MiB',
      `${s.helper.peakRssKiB ?? 'n/a'} KiB`,
      typeof s.helper.peakRssKiB === 'number' && s.helper.peakRssKiB <= 1024,
    ),
  );
  return rows;
}

/** Median over rounds of (time of `a`) / (time of `b`) for pods at N, same round only. */
function pairedRatio(runs, a, b, n) {
  const ok = runs.filter((r) => !r.error && r.n === n);
  const ratios = [];
  for (const ra of ok.filter((r) => r.peer === a)) {
    const rb = ok.find((r) => r.peer === b && r.round === ra.round);
    if (rb) ratios.push(ra.setupMs / rb.setupMs);
  }
  return ratios.length ? median(ratios) : undefined;
}

// ---- the chart -------------------------------------------------------------

const colours = {
  nsdo: '#d62728',
  'nsdo-4': '#f4a582',
  'nsdo-q1': '#67001f',
  'go-do': '#1f77b4',
  'go-handle': '#6baed6',
  'go-q1': '#08306b',
  'ip-batch': '#2ca02c',
  'spawn-ip': '#ff7f0e',
  'pyroute2-netns': '#9467bd',
  'pyroute2-pushns': '#c5b0d5',
};

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Horizontal bars of setup pods/s, one group per N, on a log scale. */
function chart(active, summary) {
  const sizes = config.sizes;
  const ids = active
    .filter((p) => !p.diagnostic)
    .map((p) => p.id)
    .filter((id) => summary.pods[id]);
  const values = ids
    .flatMap((id) => sizes.map((n) => summary.pods[id][n]?.podsPerSec))
    .filter(Boolean);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const barH = 14,
    gap = 4,
    groupGap = 30,
    left = 210,
    width = 520,
    top = 62;
  const groupH = ids.length * (barH + gap);
  const height = top + sizes.length * (groupH + groupGap) + 40;
  const x = (v) =>
    left + ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * width;
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 90}" height="${height}" ` +
      `font-family="sans-serif" font-size="11">`,
  );
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(
    `<text x="${left}" y="20" font-size="14" font-weight="bold">Pods workload: setup rate ` +
      `(pods/s, median, log scale; longer is better)</text>`,
  );
  for (let d = lo; d <= hi; d *= 10) {
    const gx = x(d).toFixed(1);
    out.push(`<line x1="${gx}" y1="${top - 8}" x2="${gx}" y2="${height - 35}" stroke="#ddd"/>`);
    out.push(`<text x="${gx}" y="${height - 22}" text-anchor="middle" fill="#555">${d}</text>`);
  }
  sizes.forEach((n, g) => {
    const gy = top + g * (groupH + groupGap);
    out.push(`<text x="8" y="${gy - 6}" font-weight="bold">N = ${n}</text>`);
    ids.forEach((id, k) => {
      const v = summary.pods[id][n]?.podsPerSec;
      const y = gy + k * (barH + gap);
      const label = active.find((p) => p.id === id).label;
      out.push(`<text x="${left - 6}" y="${y + barH - 3}" text-anchor="end">${esc(label)}</text>`);
      if (!v) return;
      out.push(
        `<rect x="${left}" y="${y}" width="${Math.max(1, x(v) - left).toFixed(1)}" ` +
          `height="${barH}" fill="${colours[id] ?? '#888'}"/>`,
      );
      out.push(`<text x="${(x(v) + 4).toFixed(1)}" y="${y + barH - 3}">${Math.round(v)}</text>`);
    });
  });
  out.push(
    `<text x="${left}" y="${height - 6}" fill="#555">${esc(summary.machineLine ?? '')}</text>`,
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// ---- the report ------------------------------------------------------------

function markdown(active, summary, mach, checks) {
  const sizes = config.sizes,
    large = Math.max(...sizes),
    small = Math.min(...sizes);
  const f = (v, d = 0) =>
    v === undefined || v === null || !Number.isFinite(v) ? 'n/a' : v.toFixed(d);
  const lines = [];
  lines.push(
    `Measured ${mach.date.slice(0, 10)}${config.quick ? ' (--quick)' : ''} on ${mach.cpu}, ` +
      `${mach.cores} cores, ${mach.memGiB} GiB, Linux ${mach.kernel} (${mach.os}); ` +
      `Node ${mach.node}, ` +
      `${mach.go.replace('go version ', '')}, ${mach.python}, pyroute2 ${mach.pyroute2}, ` +
      `CNI plugins ${mach.cniPlugins}, vishvananda/netlink ${mach.vishvanandaNetlink}, ` +
      `${mach.iproute2}; ` +
      `helper: ${summary.helper.build ?? 'n/a'}.`,
  );
  lines.push('');
  lines.push(
    `Rounds: ${config.rounds} per peer and N (the slow peers, spawn-ip and pyroute2: ` +
      `${config.slowRounds}, and ${config.slowRoundsAtLargest} at N=${large}); the figures are ` +
      `medians; "nsdo speed-up" is the median over rounds of peer time / nsdo ` +
      `(shared helper) time ` +
      `within the same round, so above 1 means nsdo was faster.`,
  );
  lines.push('');
  lines.push('### Pods: setup');
  lines.push('');
  const head = [
    'peer',
    ...sizes.map((n) => `pods/s N=${n}`),
    `µs/pod N=${large}`,
    `growth ${large}/${small}`,
    ...sizes.map((n) => `nsdo speed-up N=${n}`),
    `teardown ms N=${large}`,
  ];
  lines.push(`| ${head.join(' | ')} |`);
  lines.push(`|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`);
  for (const peer of active) {
    const p = summary.pods[peer.id];
    if (!p || !Object.keys(p).length) continue;
    const row = [
      peer.label,
      ...sizes.map((n) => f(p[n]?.podsPerSec)),
      f(p[large]?.perPodUs),
      f(summary.growth[peer.id], 2),
      ...sizes.map((n) => (peer.id === 'nsdo' ? '1' : f(summary.speedup[peer.id]?.[n], 2))),
      f(p[large]?.teardownMs, 1),
    ];
    lines.push(`| ${row.join(' | ')} |`);
  }
  lines.push('');
  lines.push('![setup rate per peer](bench/chart.svg)');
  lines.push('');
  lines.push(`### Single-op round trip (${config.rttCalls} sequential calls, µs)`);
  lines.push('');
  lines.push('| peer | p50 | p99 |');
  lines.push('|---|---:|---:|');
  const rttLabel = {
    nsdo: "nsdo: withNamespace(ns, [link.get('lo')])",
    'go-do': "Go: ns.Do + netlink.LinkByName('lo')",
    'pipe-floor': '(floor) Node to a C echo program over the same pipes, no work',
  };
  for (const id of Object.keys(summary.rtt.p50Us))
    lines.push(
      `| ${rttLabel[id] ?? id} | ${f(summary.rtt.p50Us[id], 1)} | ` +
        `${f(summary.rtt.p99Us[id], 1)} |`,
    );
  lines.push('');
  lines.push(`### Route adds (${config.routes} /32 routes on lo in one namespace)`);
  lines.push('');
  lines.push('| peer | ops/s | nsdo / peer | first run in a fresh process (cold JIT) |');
  lines.push('|---|---:|---:|---:|');
  const routeLabel = {
    nsdo: 'nsdo: 4 batches of 2,500 ops, all in flight',
    'go-do': 'Go: NewHandleAt + RouteAdd loop',
    'ip-batch': 'ip -n NS -batch - (one process)',
  };
  const mine = summary.routes.opsPerSec.nsdo;
  for (const [id, v] of Object.entries(summary.routes.opsPerSec))
    lines.push(
      `| ${routeLabel[id] ?? id} | ${f(v)} | ${f(mine / v, 2)} | ` +
        `${id === 'nsdo' ? f(summary.routes.coldOpsPerSec.nsdo) : 'same'} |`,
    );
  lines.push('');
  lines.push('### Kernel cost of one veth pair (`ip -batch`, 300 pairs, µs per pair)');
  lines.push('');
  lines.push('| kernel default queues (one per CPU) | numtxqueues 1 numrxqueues 1 |');
  lines.push('|---:|---:|');
  lines.push(`| ${f(summary.veth.defaultUs)} | ${f(summary.veth.oneQueueUs)} |`);
  lines.push('');
  lines.push('### Helper');
  lines.push('');
  lines.push(
    `- static size: ${summary.helper.sizeBytes ?? 'n/a'} bytes ` +
      `(${f(summary.helper.sizeBytes / 1024, 1)} KiB; ` +
      `sha256 ${summary.helper.sha256 ?? 'n/a'}…, ` +
      `built ${summary.helper.builtAt ?? 'n/a'})`,
  );
  lines.push(
    `- peak RSS (VmHWM) during the pods runs: ${summary.helper.peakRssKiB ?? 'n/a'} KiB ` +
      `(at N=${large}: ${summary.helper.peakRssKiBAtLargest ?? 'n/a'} KiB)`,
  );
  lines.push('');
  lines.push('### Targets');
  lines.push('');
  lines.push('| target | measured | met |');
  lines.push('|---|---|---|');
  for (const t of summary.targets)
    lines.push(`| ${t.name} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`);
  lines.push('');
  const bad = Object.entries(checks).filter(([, c]) => !c.setup.ok || !c.teardown.ok);
  lines.push(
    `End state checked with \`ip -j\` for N=${config.checkSize} before measuring: ` +
      (bad.length ? `**failed for ${bad.map(([id]) => id).join(', ')}**` : 'every peer passed') +
      '.',
  );
  return lines.join('\n');
}

const START = '<!-- bench:results:start -->',
  END = '<!-- bench:results:end -->';

async function writeReport(section) {
  const file = path.join(root, 'BENCHMARKS.md');
  let text = (await fs.pathExists(file))
    ? await fs.readFile(file, 'utf8')
    : `# Benchmarks\n\nRun \`npm run bench\` (root).\n\n${START}\n${END}\n`;
  if (!text.includes(START)) text += `\n${START}\n${END}\n`;
  const before = text.slice(0, text.indexOf(START) + START.length);
  const after = text.slice(text.indexOf(END));
  await fs.writeFile(file, `${before}\n${section}\n${after}`);
}

// ---- main ------------------------------------------------------------------

/** Writes the chart and the report again from bench/results.json, running nothing. */
async function reportOnly() {
  const results = JSON.parse(await fs.readFile(path.join(benchDir, 'results.json'), 'utf8'));
  Object.assign(config, results.config);
  const active = peers.filter((p) => results.checks[p.id]);
  await fs.writeFile(path.join(benchDir, 'chart.svg'), chart(active, results.summary));
  await writeReport(markdown(active, results.summary, results.machine, results.checks));
  echo('wrote bench/chart.svg and BENCHMARKS.md from bench/results.json');
}

async function main() {
  if (argv['report-only']) return reportOnly();
  if (process.getuid?.() !== 0) throw new Error('bench: must run as root (namespaces and mounts)');
  const t0 = Date.now();
  const missing = await installPeers();
  const have = { ip: true, go: true, pyroute2: true, nsdo: true };
  const notes = [];
  if (missing.some((m) => m.startsWith('golang'))) {
    have.go = false;
    notes.push('Go peer: packages missing');
  }
  if (missing.includes('python3-pyroute2')) {
    have.pyroute2 = false;
    notes.push('pyroute2: package missing');
  }
  if (have.go) {
    try {
      await buildGo();
    } catch (err) {
      have.go = false;
      notes.push(err.message);
    }
  }
  try {
    await buildEcho();
  } catch (err) {
    notes.push(err.message);
  }
  if (!only || only.includes('nsdo')) {
    try {
      await buildNsdo();
    } catch (err) {
      have.nsdo = false;
      notes.push(err.message);
    }
  } else {
    have.nsdo = false;
  }
  for (const n of notes) echo(chalk.yellow(`skipping: ${n}`));

  let active = peers.filter((p) => have[p.needs] && (!only || only.includes(p.id)));
  echo(`checking ${active.map((p) => p.id).join(', ')} (N=${config.checkSize})`);
  const checks = {};
  for (const peer of active) {
    checks[peer.id] = await checkPeer(peer);
    const c = checks[peer.id];
    echo(
      `  ${peer.id.padEnd(16)} ` +
        `setup ${c.setup.ok ? 'ok' : chalk.red(JSON.stringify(c.setup.problems))}` +
        `, teardown ${c.teardown.ok ? 'ok' : chalk.red(JSON.stringify(c.teardown.problems))}`,
    );
  }
  active = active.filter((p) => checks[p.id].setup.ok && checks[p.id].teardown.ok);
  if (argv['check-only']) return;

  const mach = await machine();
  const hello = have.nsdo ? await helperHello() : null;
  const { createHash } = await import('node:crypto');
  const helper = have.nsdo
    ? {
        sizeBytes: (await fs.stat(helperPath)).size,
        build: hello?.build,
        version: hello?.version,
        protocol: hello?.protocol,
        sha256: createHash('sha256')
          .update(await fs.readFile(helperPath))
          .digest('hex')
          .slice(0, 16),
        builtAt: (await fs.stat(builtHelper)).mtime.toISOString(),
      }
    : {};
  const runs = { pods: [], rtt: [], routes: [], veth: [] };
  echo('pods workload');
  await measurePods(active, runs.pods);
  echo('single-op round trip');
  await measureRoundTrip(active, runs.rtt);
  echo('route adds');
  await measureRoutes(active, runs.routes);
  echo('kernel cost of a veth pair');
  for (let round = 0; round < config.routeRounds; round++) {
    const res = await measure(
      'veth',
      [node, path.join(benchDir, 'ip-batch.mjs'), 'veth', 300],
      runs.veth,
      { peer: 'ip-batch', n: 300, round },
    );
    if (res)
      echo(
        `  veth round ${round + 1}: default ${res.defaultUs.toFixed(0)} us, ` +
          `1 queue ${res.oneQueueUs.toFixed(0)} us per pair`,
      );
  }

  const summary = summarise(active, runs, helper);
  summary.machineLine =
    `${mach.cpu}, ${mach.cores} cores, Linux ${mach.kernel}, Node ${mach.node}`;
  const results = {
    config,
    machine: mach,
    notes,
    checks,
    helper,
    summary,
    runs,
    elapsedSec: (Date.now() - t0) / 1e3,
  };
  await fs.writeFile(path.join(benchDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  await fs.writeFile(path.join(benchDir, 'chart.svg'), chart(active, summary));
  await writeReport(markdown(active, summary, mach, checks));
  for (const t of summary.targets)
    echo(`${t.met ? chalk.green('met ') : chalk.red('MISS')} ${t.name}: ${t.measured}`);
  echo(
    'wrote bench/results.json, bench/chart.svg, BENCHMARKS.md in ' +
      `${Math.round((Date.now() - t0) / 1e3)} s`,
  );
}

await main();

// The `ip -batch` peer: as few `ip` processes as the CLI allows.
//
// One `ip -batch -` does every host-side step of every pod (`netns add`
// works in batch mode, `link add ... peer name eth0 netns pN` puts the peer
// straight into the namespace). The in-namespace steps need one
// `ip -n pN -batch -` per pod, since a batch line cannot switch namespace;
// those run --conc at a time. Teardown is one `ip -batch -` of `netns del`.
//
//   node bench/ip-batch.mjs pods N [--conc K] [--keep]
//   node bench/ip-batch.mjs routes N     (N /32 routes on lo, one batch)
//   node bench/ip-batch.mjs veth N       (the kernel's cost of a veth pair: N pairs in
//                                         one batch, default queues, then 1 queue each)

import { podNet, routeDest, pool, parseArgs, run, now, emit } from './common.mjs';

const opts = parseArgs(process.argv.slice(2));
const conc = Number(opts.conc ?? 4);

function hostBatch(n) {
  const lines = [];
  for (let i = 0; i < n; i++) {
    const net = podNet(i);
    lines.push(
      `netns add p${i}`,
      `link add h${i} type veth peer name eth0 netns p${i}`,
      `addr add ${net}.1/24 dev h${i}`,
      `link set h${i} up`,
    );
  }
  return lines.join('\n') + '\n';
}

function podBatch(i) {
  const net = podNet(i);
  return (
    [
      'link set lo up',
      `addr add ${net}.2/24 dev eth0`,
      'link set eth0 up',
      `route add default via ${net}.1`,
    ].join('\n') + '\n'
  );
}

async function pods() {
  let t = now();
  await run('ip', ['-batch', '-'], hostBatch(opts.n));
  await pool(opts.n, conc, (i) => run('ip', ['-n', `p${i}`, '-batch', '-'], podBatch(i)));
  const result = { n: opts.n, conc, setupMs: now() - t, processes: opts.n + 1 };
  if (!opts.keep) {
    t = now();
    const dels = Array.from({ length: opts.n }, (_, i) => `netns del p${i}`);
    await run('ip', ['-batch', '-'], dels.join('\n') + '\n');
    result.teardownMs = now() - t;
  }
  return result;
}

async function routes() {
  await run('ip', ['netns', 'add', 'routes']);
  await run('ip', ['-n', 'routes', 'link', 'set', 'lo', 'up']);
  const lines = Array.from({ length: opts.n }, (_, i) => `route add ${routeDest(i)} dev lo`);
  const input = lines.join('\n') + '\n';
  const t = now();
  await run('ip', ['-n', 'routes', '-batch', '-'], input);
  const ms = now() - t;
  await run('ip', ['netns', 'del', 'routes']);
  return { n: opts.n, ms, opsPerSec: opts.n / (ms / 1e3) };
}

/**
 * N veth pairs made by one `ip -batch`, first with the kernel's default
 * queue counts (one per CPU, shrunk to one after registration, which waits
 * for an RCU grace period per end), then with numtxqueues/numrxqueues 1.
 */
async function veth() {
  const result = { n: opts.n };
  for (const [key, extra] of [
    ['defaultUs', ''],
    ['oneQueueUs', ' numtxqueues 1 numrxqueues 1'],
  ]) {
    const lines = Array.from(
      { length: opts.n },
      (_, i) => `link add v${i}${extra} type veth peer name w${i}${extra}`,
    );
    const t = now();
    await run('ip', ['-batch', '-'], lines.join('\n') + '\n');
    result[key] = ((now() - t) * 1e3) / opts.n;
    const dels = Array.from({ length: opts.n }, (_, i) => `link del v${i}`);
    await run('ip', ['-batch', '-'], dels.join('\n') + '\n');
  }
  return result;
}

if (opts.mode === 'pods') emit(await pods());
else if (opts.mode === 'veth') emit(await veth());
else if (opts.mode === 'routes') emit(await routes());
else throw new Error(`mode: expected pods, routes or veth, got ${opts.mode}`);

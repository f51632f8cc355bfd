// The "Node today" peer: one `ip` child process per step, as Node programs
// configure namespaces now (child_process, `ip netns add`, `ip -n NAME ...`).
//
//   node bench/spawn-ip.mjs pods N [--conc K] [--keep]
//
// --conc K runs K pods at once (each pod's steps stay in order); 1 is the
// plain sequential script.

import { podNet, pool, parseArgs, run, now, emit } from './common.mjs';

const opts = parseArgs(process.argv.slice(2));
if (opts.mode !== 'pods') throw new Error(`mode: expected pods, got ${opts.mode}`);
const conc = Number(opts.conc ?? 1);

async function setupPod(i) {
  const ns = `p${i}`,
    host = `h${i}`,
    net = podNet(i);
  await run('ip', ['netns', 'add', ns]);
  await run('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  await run('ip', ['addr', 'add', `${net}.1/24`, 'dev', host]);
  await run('ip', ['link', 'set', host, 'up']);
  await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  await run('ip', ['-n', ns, 'addr', 'add', `${net}.2/24`, 'dev', 'eth0']);
  await run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
  await run('ip', ['-n', ns, 'route', 'add', 'default', 'via', `${net}.1`]);
}

let t = now();
await pool(opts.n, conc, setupPod);
const result = { n: opts.n, conc, setupMs: now() - t };
if (!opts.keep) {
  t = now();
  await pool(opts.n, conc, (i) => run('ip', ['netns', 'del', `p${i}`]));
  result.teardownMs = now() - t;
}
emit(result);

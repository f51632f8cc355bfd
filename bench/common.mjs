// Shared by the Node peers of the benchmarks: the workload's numbering, a
// bounded pool for requests in flight, argument parsing, and the one JSON
// line every peer prints.
//
// Every peer is a small program run by scripts/bench.mjs inside its own
// throw-away network and mount namespace; it times only its own work (its
// runtime and libraries are loaded before the clock starts) and prints one
// JSON object on stdout.

import { spawn } from 'node:child_process';

/** The pod's /24: 10.A.B.0, A = 100 + (i >> 8), B = i & 255. */
export function podNet(i) {
  return `10.${100 + (i >> 8)}.${i & 255}`;
}

/** The i-th /32 of the route workload: 10.200.x.y. */
export function routeDest(i) {
  return `10.200.${i >> 8}.${i & 255}/32`;
}

/** Runs fn(0 .. n-1) with at most `limit` calls in flight; rejects on the first failure. */
export async function pool(n, limit, fn) {
  let next = 0;
  let failed = null;
  async function worker() {
    while (next < n && !failed) {
      const i = next++;
      try {
        await fn(i);
      } catch (err) {
        failed ??= err;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, n)) }, worker));
  if (failed) throw failed;
}

/** `--name value` and `--flag` arguments after the mode and count. */
export function parseArgs(argv) {
  const [mode, count, ...rest] = argv;
  const opts = { mode, n: Number(count) };
  for (let i = 0; i < rest.length; i++) {
    const key = rest[i].replace(/^--/, '');
    const value = rest[i + 1];
    if (value === undefined || value.startsWith('--')) opts[key] = true;
    else {
      opts[key] = value;
      i++;
    }
  }
  if (!Number.isInteger(opts.n) || opts.n < 1)
    throw new Error(`count: expected a positive integer, got ${JSON.stringify(count)}`);
  return opts;
}

/** Runs a program to its end; `input` goes to its stdin. Rejects on a non-zero exit. */
export function run(cmd, args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${stderr.trim()}`));
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

export const now = () => performance.now();

/** Prints the peer's result. */
export function emit(result) {
  process.stdout.write(JSON.stringify({ ...result, node: process.version }) + '\n');
}

/** Sorted samples' quantile (nearest rank below). */
export function quantile(sorted, q) {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

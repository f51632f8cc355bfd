// The floor under nsdo's single-op round trip: the same stdio pipes and the
// same Node stream calls the client uses, to a program (bench/echo.c) that
// sends every frame straight back. What nsdo spends above this is its own:
// the helper's work and the client library's.
//
//   node bench/echo-floor.mjs PROGRAM N

import { spawn } from 'node:child_process';
import { now, emit, quantile } from './common.mjs';

const [program, count] = process.argv.slice(2);
const n = Number(count);
const child = spawn(program, [], { stdio: ['pipe', 'pipe', 'inherit'] });
// A request of the size withNamespace(ns, [link.get('lo')]) sends.
const frame = Buffer.alloc(68);
frame.writeUInt32BE(64, 0);

let answered = null;
child.stdout.on('data', () => answered());
const roundTrip = () =>
  new Promise((resolve) => {
    answered = resolve;
    child.stdin.write(frame);
  });

for (let i = 0; i < 200; i++) await roundTrip();
const samples = new Float64Array(n);
for (let i = 0; i < n; i++) {
  const t = now();
  await roundTrip();
  samples[i] = (now() - t) * 1e3;
}
samples.sort();
child.stdin.end();
emit({ n, p50Us: quantile(samples, 0.5), p99Us: quantile(samples, 0.99) });

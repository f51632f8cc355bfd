// Scratch namespaces for one test, made and removed with `ip netns`, so
// that link, address and route tests do not depend on nsdo's own
// Namespace code. The run is hermetic (a private /run/netns that vanishes
// with the test's mount namespace), but tests still clean up after
// themselves so that one test never sees another's leftovers.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { run, sleep } from './kernel.mjs';

let counter = 0;

/** A namespace name no other test of this run uses. */
export function uniqueName(prefix = 't') {
  counter += 1;
  return `nsdo-${prefix}${counter}`;
}

/**
 * Creates `count` namespaces with `ip netns add`, calls fn with
 * [{ name, path }, ...], and deletes them afterwards, also on failure.
 */
export async function withScratch(count, fn) {
  const made = [];
  try {
    for (let i = 0; i < count; i++) {
      const name = uniqueName();
      await run('ip', ['netns', 'add', name]);
      made.push({ name, path: `/run/netns/${name}` });
    }
    return await fn(made);
  } finally {
    for (const { name } of made) await run('ip', ['netns', 'del', name], { allowFail: true });
  }
}

/**
 * A process sitting in a namespace (`nsenter --net=PATH sleep`), for the
 * pid forms of a namespace target. Calls fn(pid) and kills it afterwards.
 */
export async function withProcessIn(path, fn) {
  const child = spawn('nsenter', [`--net=${path}`, 'sleep', '60'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await waitForNamespace(child.pid, path);
    return await fn(child.pid);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Waits until nsenter has entered `path` (its /proc/PID/ns/net changes). */
async function waitForNamespace(pid, path) {
  const want = statSync(path).ino;
  for (let i = 0; i < 200; i++) {
    try {
      if (statSync(`/proc/${pid}/ns/net`).ino === want) return;
    } catch {
      // not started yet
    }
    await sleep(5);
  }
  throw new Error(`process ${pid} never entered ${path}`);
}

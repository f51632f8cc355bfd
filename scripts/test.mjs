#!/usr/bin/env zx
// The whole test run, as `npm test` starts it.
//
//   1. build the helper and the library and run the TypeScript type test
//      (test/tsconfig.json, when it exists), each counted as one test; run
//      the C unit tests and the helper's end-to-end scripts
//      (helper/test/e2e*.mjs), each "ok N" / "not ok N" line counted as a
//      test;
//   2. run every test/*.test.mjs with uvu, hermetically: this script runs
//      itself again under `unshare --net --mount --propagation private`,
//      with private tmpfs mounts on /run/netns and a scratch directory
//      (/tmp unless the checkout is below it), and loopback up.
//      Every namespace and link the tests make lives below that network
//      namespace or in that tmpfs, so all of it dies with the run even
//      when a test fails, and the machine's own network is never touched;
//   3. print exactly one last line, `N passed, N failed, N skipped`, and
//      exit non-zero on any failure or when nothing ran.
//
//   zx scripts/test.mjs              everything
//   zx scripts/test.mjs link addr    only test/link.test.mjs, test/addr.test.mjs
//   zx scripts/test.mjs --no-build   reuse the built helper and dist/
//   zx scripts/test.mjs --sanitize   against the ASan + UBSan helper (scripts/sanitize.mjs)
import { $, argv, fs, os, path } from 'zx';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sanitizerEnv, sanitizerReports } from './sanitize.mjs';

$.verbose = false;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules/.bin', name);
const WATCHDOG_MS = 10 * 60 * 1000;

if (argv.inner) await inner();
else await outer();

// ---------------------------------------------------------------------------
// The outer run: builds, C unit tests, type test, then the hermetic JS run.

async function outer() {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  if (argv.sanitize) Object.assign(process.env, sanitizerEnv(root));
  let ready = true;

  if (argv.build !== false) {
    const helper = await step(totals, 'build the helper', bin('zx'), ['scripts/build-helper.mjs']);
    const library = await step(totals, 'build the library', bin('tsc'), ['-p', 'tsconfig.json']);
    ready = helper && library;
    if (argv.sanitize) ready = await step(totals, 'build the sanitized helper', bin('zx'),
      ['scripts/build-helper.mjs', '--sanitize']) && ready;
  }
  if (!argv._.length) {
    await unitTests(totals);
    if (ready) await helperEndToEnd(totals);
    if (await fs.pathExists(path.join(root, 'test/tsconfig.json')))
      await step(totals, 'type test (test/tsconfig.json)', bin('tsc'),
        ['-p', 'test/tsconfig.json']);
  }
  if (ready) await hermeticRun(totals);
  else console.log('\nJS tests not run: the build failed (counted above).');
  if (ready && argv.sanitize) sanitizerReports(root, totals);

  const total = totals.passed + totals.failed + totals.skipped;
  console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  process.exit(totals.failed || !total ? 1 : 0);
}

/** Runs one command that counts as one test and shows its output. */
async function step(totals, title, cmd, args) {
  console.log(`• ${title}`);
  const result = await $({ cwd: root, nothrow: true, quiet: true })`${cmd} ${args}`;
  const out = (result.stdout + result.stderr).trim();
  if (result.exitCode === 0) {
    if (out) console.log(indent(out));
    totals.passed++;
    return true;
  }
  console.log(indent(out || `exit code ${result.exitCode}`));
  console.log(`  ✘ ${title} failed (exit code ${result.exitCode})`);
  totals.failed++;
  return false;
}

/** The C unit tests: counts their TAP-style "ok N" and "not ok N" lines. */
function unitTests(totals) {
  return tapStep(totals, 'C unit tests (zx scripts/build-helper.mjs --unit)',
    [bin('zx'), 'scripts/build-helper.mjs', '--unit']);
}

/**
 * The helper's own end-to-end scripts, helper/test/e2e*.mjs: they drive the
 * binary raw and isolate themselves with unshare; they print TAP lines too.
 */
async function helperEndToEnd(totals) {
  const dir = path.join(root, 'helper/test');
  const scripts = (await fs.readdir(dir).catch(() => []))
    .filter((f) => /^e2e.*\.mjs$/.test(f)).sort();
  for (const script of scripts) {
    await tapStep(totals, `helper end to end (helper/test/${script})`,
      [process.execPath, path.join(dir, script)]);
  }
}

/** Runs a command that prints TAP lines and adds its counts to totals. */
async function tapStep(totals, title, command) {
  console.log(`• ${title}`);
  const result = await $({ cwd: root, nothrow: true, quiet: true })`${command}`;
  const out = (result.stdout + result.stderr).trim();
  if (out) console.log(indent(out));
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const line of result.stdout.split('\n')) {
    if (/^not ok\b/.test(line)) counts.failed++;
    else if (/^ok\b.*#\s*skip/i.test(line)) counts.skipped++;
    else if (/^ok\b/.test(line)) counts.passed++;
  }
  // A program that crashed or failed to build may print no "not ok".
  if (result.exitCode !== 0 && counts.failed === 0) {
    console.log(`  ✘ failed (exit code ${result.exitCode}) without a "not ok" line`);
    counts.failed = 1;
  }
  console.log(`  ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  for (const k of Object.keys(counts)) totals[k] += counts[k];
}

/**
 * Runs this script again with --inner in fresh network and mount
 * namespaces. It reports its totals as JSON on fd 3, a file opened here
 * (a file, not a pipe: children that inherit the fd cannot hold the run
 * open). /run/netns must exist to be a mount point; when this run had to
 * create it, it removes it again afterwards.
 */
async function hermeticRun(totals) {
  console.log('• JS tests (uvu, in private network and mount namespaces)\n');
  const made = !(await fs.pathExists('/run/netns'));
  if (made) await fs.mkdirp('/run/netns');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nsdo-test-'));
  const reportFd = fs.openSync(path.join(dir, 'report.json'), 'w+');
  try {
    const args = ['--net', '--mount', '--propagation', 'private', '--',
      process.execPath, fileURLToPath(import.meta.url), '--inner=1', ...argv._.map(String)];
    const env = {
      ...process.env,
      NSDO_TEST_OUTER_NET: fs.readlinkSync('/proc/self/ns/net'),
      NSDO_TEST_OUTER_MNT: fs.readlinkSync('/proc/self/ns/mnt'),
    };
    const code = await new Promise((resolve) => {
      const child = spawn('unshare', args,
        { cwd: root, env, stdio: ['inherit', 'inherit', 'inherit', reportFd] });
      child.once('error', (e) => {
        console.log(`  ✘ cannot start unshare: ${e.message}`);
        resolve(-1);
      });
      child.once('exit', (c, signal) => resolve(signal ?? c));
    });
    const result = await fs.readJson(path.join(dir, 'report.json')).catch(() => null);
    if (!result) {
      console.log(`  ✘ the JS test run ended (${code}) before reporting its results`);
      totals.failed++;
      return;
    }
    for (const k of Object.keys(totals)) totals[k] += result[k];
  } finally {
    fs.closeSync(reportFd);
    await fs.remove(dir);
    if (made) await fs.rmdir('/run/netns').catch(() => {});
  }
}

// ---------------------------------------------------------------------------
// The inner run, inside the private namespaces.

async function inner() {
  const { NSDO_TEST_OUTER_NET: outerNet, NSDO_TEST_OUTER_MNT: outerMnt } = process.env;
  if (!outerNet || !outerMnt || fs.readlinkSync('/proc/self/ns/net') === outerNet ||
    fs.readlinkSync('/proc/self/ns/mnt') === outerMnt) {
    throw new Error('--inner runs only under the outer run, in network and mount ' +
      'namespaces of its own');
  }
  await makePrivateRunDirs();
  await $`ip link set lo up`;

  const totals = { passed: 0, failed: 0, skipped: 0 };
  const watchdog = setTimeout(() => {
    console.log(`\n✘ the JS tests did not finish within ${WATCHDOG_MS / 60000} minutes`);
    totals.failed++;
    finish(totals);
  }, WATCHDOG_MS);
  watchdog.unref();

  globalThis.UVU_DEFER = 1;
  await import('uvu');
  const { files, unknown } = await testFiles(argv._.map(String));
  for (const name of unknown) {
    console.log(`✘ no test file test/${name}.test.mjs (nor test/${name})`);
    totals.failed++;
  }
  for (const [i, file] of files.entries()) {
    globalThis.UVU_INDEX = i;
    globalThis.UVU_QUEUE.push([path.relative(root, file)]);
    try {
      await import(pathToFileURL(file).href);
    } catch (error) {
      console.log(`✘ ${path.relative(root, file)} could not be loaded:\n${indent(error.stack)}`);
      totals.failed++;
    }
  }
  await runQueue(totals);
  if (totals.passed + totals.failed + totals.skipped === 0) {
    console.log('✘ no JS test ran');
    totals.failed++;
  }
  printSkips();
  await closeSharedHelper();
  clearTimeout(watchdog);
  finish(totals);
}

/**
 * Private tmpfs mounts: on the run directory (and /var/run/netns if it is
 * separate), and on a scratch directory for the tests' files, exported as
 * NSDO_TEST_SCRATCH and TMPDIR. The scratch mount goes on /tmp unless the
 * checkout itself lives below it (a mount there would hide it), else on
 * the next of a few usual directories.
 */
async function makePrivateRunDirs() {
  const mounts = [['/run/netns', '0755']];
  const varRun = '/var/run/netns';
  if ((await fs.pathExists(varRun)) &&
    fs.realpathSync(varRun) !== fs.realpathSync('/run/netns')) mounts.push([varRun, '0755']);
  const scratch = ['/tmp', '/mnt', '/media', '/srv'].find((dir) =>
    fs.existsSync(dir) && !`${fs.realpathSync(root)}/`.startsWith(`${fs.realpathSync(dir)}/`));
  if (!scratch) throw new Error('no directory for a private scratch tmpfs');
  mounts.push([scratch, '1777']);
  for (const [dir, mode] of mounts) await $`mount -t tmpfs -o mode=${mode} nsdo-test ${dir}`;
  process.env.NSDO_TEST_SCRATCH = scratch;
  process.env.TMPDIR = scratch;
}

/**
 * The test files to run: all of test/*.test.mjs, or those named (NAME or
 * NAME.test.mjs); `unknown` lists the names that match no file.
 */
async function testFiles(only) {
  const dir = path.join(root, 'test');
  const all = (await fs.readdir(dir)).filter((f) => f.endsWith('.test.mjs')).sort();
  const matches = (name, f) => f === name || f === `${name}.test.mjs`;
  const chosen = only.length ? all.filter((f) => only.some((o) => matches(o, f))) : all;
  const unknown = only.filter((o) => !all.some((f) => matches(o, f)));
  return { files: chosen.map((f) => path.join(dir, f)), unknown };
}

/**
 * Runs the suites that the test files queued, like uvu's exec(), but
 * keeps the totals: each queued runner answers [errors, passed, skipped,
 * total].
 */
async function runQueue(totals) {
  for (const group of globalThis.UVU_QUEUE) {
    const name = group.shift();
    if (name != null) console.log(`\n${name}`);
    for (const runner of group) {
      const [errors, passed, skipped, total] = await runner();
      totals.passed += passed;
      totals.failed += total - passed;
      totals.skipped += skipped;
      if (errors !== true) console.log(`\n${errors}`);
    }
  }
  console.log('');
}

function printSkips() {
  const skips = globalThis.NSDO_TEST_SKIPS ?? [];
  if (!skips.length) return;
  console.log('Skipped:');
  for (const s of skips) console.log(`  - ${s.suite}: ${s.name}`);
  console.log('');
}

/** The library's shared helper would otherwise outlive the run. */
async function closeSharedHelper() {
  try {
    const lib = await import(pathToFileURL(path.join(root, 'dist/index.js')).href);
    await Promise.race([lib.getHelper?.().close(), new Promise((r) => setTimeout(r, 2000))]);
  } catch {
    // no library, or nothing to close
  }
}

/** Reports the totals to the outer run on fd 3 and exits. */
function finish(totals) {
  fs.writeSync(3, JSON.stringify(totals));
  process.exit(0);
}

function indent(text) {
  return String(text).split('\n').map((l) => `  ${l}`).join('\n');
}

#!/usr/bin/env zx
// The helper under valgrind's memcheck, which sees what ASan cannot: reads
// of uninitialised memory, and bytes the helper hands to the kernel
// without having written them (netlink padding, sockaddr fields).
//
//   1. the C unit tests, built with gcc and no sanitizer;
//   2. the release helper, helper/build/nsdo-helper as shipped (static,
//      with lite.c's allocator), driven by helper/test/e2e.mjs and
//      helper/test/e2e_ops.mjs through a wrapper that starts it under
//      valgrind; memcheck cannot see into lite.c's mmap() blocks, so leaks
//      are checked by
//   3. the same sources built dynamically against glibc, without lite.c's
//      wraps, so that memcheck tracks every allocation, driven the same
//      way;
//   4. that glibc build again under the whole uvu suite (test/*.test.mjs),
//      run hermetically as npm test runs it, with NSDO_TEST_VALGRIND set so
//      that the suite's checks of the helper process from outside make room
//      for valgrind's own fds and memory.
//
// Every valgrind run must end with "ERROR SUMMARY: 0 errors" and lose no
// byte (--leak-check=full; for the helper every leak kind is an error, still
// reachable included); a run that found an error exits VALGRIND_EXIT. The drivers' own checks must pass too, except
// the few that inspect the helper process itself (its RSS, its open fds),
// which valgrind changes by being inside it: those are listed below.
//
//   zx scripts/valgrind.mjs            all three
//   zx scripts/valgrind.mjs --unit     only the unit tests
import { $, argv, fs, path, echo, chalk } from 'zx';

$.verbose = false;

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const helperDir = path.join(root, 'helper');
const buildDir = path.join(helperDir, 'build');
const outDir = path.join(buildDir, 'valgrind');
const VALGRIND_EXIT = 99;

// Driver checks that look at the helper process from outside; under
// valgrind the process also holds valgrind's own memory and fds.
const PROCESS_CHECKS = [
  /memory is given back after/,		// VmRSS of the helper
  /the socket cache stays bounded/,	// counts /proc/PID/fd
  /inherited fds are closed at start/,	// counts /proc/PID/fd
];

// For the helper every leak kind is an error, "still reachable" included:
// it frees everything before it exits. Unit tests fork children that exit
// holding their parent's buffers, which valgrind calls still reachable.
const memcheckBase = ['--tool=memcheck', '--leak-check=full', '--show-leak-kinds=all',
  `--error-exitcode=${VALGRIND_EXIT}`, '--track-origins=yes'];
const memcheck = [...memcheckBase, '--errors-for-leak-kinds=all'];
const memcheckUnit = [...memcheckBase, '--errors-for-leak-kinds=definite,indirect,possible'];

const warnings = ['-Wall', '-Wextra', '-Werror', '-Wshadow', '-Wformat=2',
  '-Wno-format-nonliteral'];
const common = ['-std=c11', '-D_GNU_SOURCE', ...warnings, '-I', helperDir, '-g', '-O1'];

await fs.remove(outDir);
await fs.mkdirp(outDir);
// Helpers started as nobody (a permission test) write their logs here too.
await fs.chmod(outDir, 0o1777);

const failures = [];
await unitTests();
if (!argv.unit) {
  await $`zx ${path.join(root, 'scripts/build-helper.mjs')}`;
  const dynamic = await buildDynamic();
  for (const [label, helper] of [['release helper', path.join(buildDir, 'nsdo-helper')],
    ['glibc build', dynamic]]) {
    for (const driver of ['e2e.mjs', 'e2e_ops.mjs']) await drive(label, helper, driver);
  }
  await suite('glibc build', dynamic);
}
if (failures.length) {
  echo(chalk.red(`valgrind: ${failures.length} failure(s):`));
  for (const f of failures) echo(chalk.red(`  - ${f}`));
  process.exit(1);
}
echo(chalk.green('valgrind: no errors, no leaks'));

/** The helper's sources, main.c included or not. */
async function sources({ main }) {
  return (await fs.readdir(helperDir)).filter((f) => f.endsWith('.c') && (main || f !== 'main.c'))
    .sort().map((f) => path.join(helperDir, f));
}

/** Builds and runs each helper/test/test_*.c under memcheck. */
async function unitTests() {
  const testDir = path.join(helperDir, 'test');
  const tests = (await fs.readdir(testDir)).filter((f) => /^test_.*\.c$/.test(f)).sort();
  const lib = await sources({ main: false });
  for (const t of tests) {
    const exe = path.join(outDir, t.replace(/\.c$/, ''));
    const defines = ['-DNSDO_VERSION="test"', '-DNSDO_BUILD="test"'];
    await $`gcc ${common} ${defines} ${lib} ${path.join(testDir, t)} -o ${exe}`;
    const log = `${exe}.log`;
    const run = await $`valgrind ${memcheckUnit} --log-file=${log} ${exe}`.nothrow();
    const lines = run.stdout.split('\n');
    const passed = lines.filter((l) => /^ok\b/.test(l)).length;
    const notOk = lines.filter((l) => /^not ok\b/.test(l));
    const verdict = await logVerdict(log);
    echo(`• ${t} under valgrind: ${passed} ok, ${notOk.length} not ok; ${verdict.summary}`);
    if (run.exitCode !== 0 || notOk.length || !verdict.clean)
      failures.push(`${t}: exit ${run.exitCode}, ${verdict.summary} (${verdict.file})`);
  }
}

/** The helper built against glibc, without lite.c's wraps. */
async function buildDynamic() {
  const exe = path.join(outDir, 'nsdo-helper-glibc');
  const defines = ['-DNSDO_VERSION="valgrind"', '-DNSDO_BUILD="gcc, glibc, for valgrind"'];
  await $`gcc ${common} ${defines} ${await sources({ main: true })} -o ${exe}`;
  return exe;
}

/**
 * A script that starts `helper` under valgrind, one log per process in a
 * folder of its own.
 */
async function underValgrind(name, helper) {
  const logs = path.join(outDir, name);
  await fs.mkdirp(logs);
  await fs.chmod(logs, 0o1777);
  const wrapper = path.join(outDir, `${name}.sh`);
  await fs.writeFile(wrapper, '#!/bin/sh\n' +
    `exec valgrind ${memcheck.join(' ')} --log-file=${logs}/helper.%p.log ${helper} "$@"\n`,
  { mode: 0o755 });
  return { logs, wrapper };
}

/** What the valgrind logs in `logs` say: the files, and those with errors. */
async function logsVerdict(logs) {
  const files = (await fs.readdir(logs)).filter((f) => f.endsWith('.log'));
  const verdicts = await Promise.all(files.map((f) => logVerdict(path.join(logs, f))));
  return { files, dirty: verdicts.filter((v) => !v.clean) };
}

/** Runs the uvu suite against `helper` started under valgrind. */
async function suite(label, helper) {
  const { logs, wrapper } = await underValgrind(`${path.basename(helper)}-suite`, helper);
  const files = (await fs.readdir(path.join(root, 'test'))).filter((f) => f.endsWith('.test.mjs'));
  const env = { ...process.env, NSDO_HELPER: wrapper, NSDO_TEST_VALGRIND: '1' };
  const run = await $({ env, cwd: root })`zx ${path.join(root, 'scripts/test.mjs')} --no-build ${
    files}`.nothrow();
  const counts = run.stdout.trim().split('\n').pop();
  const { files: logFiles, dirty } = await logsVerdict(logs);
  echo(`• ${label} under valgrind, the uvu suite: ${counts}; ${logFiles.length} helper ` +
    `processes, ${dirty.length} with errors`);
  if (run.exitCode !== 0) {
    failures.push(`${label}, the uvu suite: ${counts} (output in ${path.relative(root, logs)}.out)`);
    await fs.writeFile(`${logs}.out`, run.stdout + run.stderr);
  }
  for (const v of dirty) failures.push(`${label}, the uvu suite: ${v.summary} (${v.file})`);
  if (!logFiles.length) failures.push(`${label}, the uvu suite: no helper ran under valgrind`);
}

/** Runs one driver against `helper` started under valgrind. */
async function drive(label, helper, driver) {
  const name = `${path.basename(helper)}-${driver.replace(/\.mjs$/, '')}`;
  const { logs, wrapper } = await underValgrind(name, helper);

  const run = await $({ env: { ...process.env, NSDO_HELPER: wrapper } })`node ${path.join(
    helperDir, 'test', driver)}`.nothrow();
  const notOk = run.stdout.split('\n').filter((l) => /^not ok\b/.test(l));
  const unexpected = notOk.filter((l) => !PROCESS_CHECKS.some((re) => re.test(l)));
  const passed = run.stdout.split('\n').filter((l) => /^ok\b/.test(l)).length;

  const { files, dirty } = await logsVerdict(logs);
  echo(`• ${label} under valgrind, ${driver}: ${passed} ok, ${notOk.length} not ok ` +
    `(${notOk.length - unexpected.length} of them process checks); ${files.length} helper ` +
    `processes, ${dirty.length} with errors`);
  for (const l of unexpected) failures.push(`${label}, ${driver}: ${l}`);
  for (const v of dirty) failures.push(`${label}, ${driver}: ${v.summary} (${v.file})`);
  if (!files.length) failures.push(`${label}, ${driver}: no helper ran under valgrind`);
}

/**
 * What a valgrind log says. A helper killed by a test (SIGKILL) writes no
 * summary; that is clean as long as no error was logged before.
 */
async function logVerdict(file) {
  const text = await fs.readFile(file, 'utf8');
  const rel = path.relative(root, file);
  const summary = /ERROR SUMMARY: (\d+) errors/.exec(text);
  const errors = summary ? Number(summary[1]) : 0;
  const reported = new RegExp('^==\\d+== (Invalid|Conditional|Use of uninit|Syscall param|' +
    'Mismatched|.*(definitely|indirectly|possibly) lost in)', 'm').test(text);
  const clean = errors === 0 && !reported;
  const what = summary ? `${errors} errors` : 'no summary (killed)';
  return { file: rel, clean, summary: what };
}

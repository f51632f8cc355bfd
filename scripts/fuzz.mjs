#!/usr/bin/env zx
// Builds the libFuzzer targets of helper/fuzz/ with ASan and UBSan, and runs
// each one for a fixed time from its seed corpus (helper/fuzz/corpus/).
//
//   frame    the frame reader, on a memfd
//   mp       the MessagePack reader and writer
//   request  request_handle(), real ops on the real kernel, in a sandbox
//
// The request target runs its ops for real, so it runs where they cannot
// reach anything that matters: as an unprivileged user (nobody, when this
// script runs as root) inside `unshare --user --map-root-user --net
// --mount`, with private tmpfs mounts on /run, /tmp, /var/tmp and /dev/shm.
// The kernel then refuses it every namespace, process and file outside the
// sandbox (see the DOC block of helper/fuzz/fuzz_request.c).
//
// Inputs that found new coverage are kept in helper/build/fuzz/corpus/, so
// a second run starts where the first stopped; a crash leaves its input in
// helper/build/fuzz/artifacts/ and fails the run. The last line of each
// target's libFuzzer log, and the totals, go to helper/build/fuzz/summary.json.
//
//   zx scripts/fuzz.mjs                      every target, 60 s each
//   zx scripts/fuzz.mjs --seconds 20 mp      one target, 20 s
//   zx scripts/fuzz.mjs --verbose            show libFuzzer's own output
import { $, argv, fs, os, path, echo, chalk } from 'zx';

$.verbose = false;

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const helperDir = path.join(root, 'helper');
const fuzzDir = path.join(helperDir, 'fuzz');
const outDir = path.join(helperDir, 'build', 'fuzz');
const TARGETS = ['frame', 'mp', 'request'];
const SANDBOX_UID = 65534;	// nobody

const seconds = Number(argv.seconds ?? 60);
const chosen = argv._.length ? argv._.map(String) : TARGETS;

for (const t of chosen)
  if (!TARGETS.includes(t)) throw new Error(`unknown target "${t}": expected one of ${TARGETS}`);
if (!(seconds > 0)) throw new Error(`--seconds: expected a positive number, got ${argv.seconds}`);

const results = [];
for (const target of chosen) {
  const exe = await build(target);
  results.push(await run(target, exe));
}
await fs.writeJson(path.join(outDir, 'summary.json'), results, { spaces: 2 });
report(results);
process.exit(results.every((r) => r.ok) ? 0 : 1);

/** Compiles one target with every helper source but main.c. */
async function build(target) {
  const warnings = ['-Wall', '-Wextra', '-Werror', '-Wshadow', '-Wformat=2',
    '-Wno-format-nonliteral'];
  const flags = ['-std=c11', '-D_GNU_SOURCE', ...warnings, '-I', helperDir,
    '-DNSDO_VERSION="fuzz"', '-DNSDO_BUILD="clang libfuzzer"',
    '-g', '-O1', '-fno-omit-frame-pointer',
    '-fsanitize=fuzzer,address,undefined', '-fno-sanitize-recover=all'];
  const lib = (await fs.readdir(helperDir)).filter((f) => f.endsWith('.c') && f !== 'main.c')
    .sort().map((f) => path.join(helperDir, f));
  const exe = path.join(outDir, `fuzz_${target}`);
  await fs.mkdirp(outDir);
  await $`clang ${flags} ${lib} ${path.join(fuzzDir, `fuzz_${target}.c`)} -o ${exe}`;
  return exe;
}

/** Runs one target for `seconds`; answers its figures. */
async function run(target, exe) {
  const corpus = path.join(outDir, 'corpus', target);
  const artifacts = path.join(outDir, 'artifacts', target);
  await fs.mkdirp(corpus);
  await fs.mkdirp(artifacts);

  echo(`• fuzz ${target}: ${seconds} s`);
  const started = Date.now();
  const out = target === 'request'
    ? await runSandboxed(exe, corpus, artifacts)
    : await libFuzzer([exe, ...libFuzzerArgs(target, corpus, path.join(fuzzDir, 'corpus',
      target), artifacts)], {});
  const log = out.stdout + out.stderr;
  await fs.writeFile(path.join(outDir, `${target}.log`), log);
  return figures(target, log, out.exitCode, Date.now() - started, artifacts);
}

/** libFuzzer's arguments: the corpus it grows first, then the seeds. */
function libFuzzerArgs(target, corpus, seeds, artifacts) {
  const args = [corpus, seeds, `-max_total_time=${seconds}`, '-print_final_stats=1',
    `-artifact_prefix=${artifacts}/`, '-timeout=10', '-rss_limit_mb=2048', '-max_len=4096'];
  const dict = path.join(fuzzDir, `${target}.dict`);
  if (fs.existsSync(dict)) args.push(`-dict=${dict}`);
  return args;
}

/** Runs a libFuzzer command; answers zx's output. */
async function libFuzzer(cmd, options) {
  const env = { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' };
  return $({ nothrow: true, quiet: !argv.verbose, env, ...options })`${cmd}`;
}

/**
 * Runs the request target in the sandbox. The sandbox user (nobody, when
 * this script runs as root) may not be able to read the checkout, so the
 * target, its seeds and corpus are staged in a directory of its own, which
 * becomes the sandbox's working directory. The tmpfs mounted on /tmp then
 * hides that directory's path but not the directory: libFuzzer reaches it
 * through relative paths. The grown corpus and any crash come back after.
 */
async function runSandboxed(exe, corpus, artifacts) {
  const stage = await fs.mkdtemp(path.join(os.tmpdir(), 'nsdo-fuzz-'));
  try {
    await fs.copy(exe, path.join(stage, 'fuzz_request'));
    await fs.copy(path.join(fuzzDir, 'corpus', 'request'), path.join(stage, 'seeds'));
    await fs.copy(path.join(fuzzDir, 'request.dict'), path.join(stage, 'request.dict'));
    await fs.copy(corpus, path.join(stage, 'corpus'));
    await fs.mkdirp(path.join(stage, 'artifacts'));
    await fs.chmod(stage, 0o755);
    if (process.getuid() === 0) await $`chown -R ${SANDBOX_UID}:${SANDBOX_UID} ${stage}`;

    // The helper logs every refused request: keep stderr for libFuzzer only.
    const args = [...libFuzzerArgs('request', 'corpus', 'seeds', 'artifacts'),
      '-close_fd_mask=2'].map((a) => a.replace(/^-dict=.*/, '-dict=request.dict'));
    const out = await libFuzzer(sandbox(['./fuzz_request', ...args]), { cwd: stage });

    await fs.copy(path.join(stage, 'corpus'), corpus);
    await fs.copy(path.join(stage, 'artifacts'), artifacts);
    return out;
  } finally {
    await fs.remove(stage);
  }
}

/**
 * The command that runs `cmd` in the sandbox: new user, network and mount
 * namespaces, private tmpfs on every directory the user could write to.
 * As root, it first becomes nobody.
 */
function sandbox(cmd) {
  const mounts = ['/run', '/tmp', '/var/tmp', '/dev/shm'].filter((d) => fs.existsSync(d))
    .map((d) => `mount -t tmpfs -o mode=1777 nsdo-fuzz ${d}`);
  const script = [...mounts, 'mkdir -p /run/netns', 'ip link set lo up 2>/dev/null || true',
    'exec "$@"'].join(' && ');
  const inner = ['unshare', '--user', '--map-root-user', '--net', '--mount',
    '--propagation', 'private', '--', 'sh', '-c', script, 'sandbox', ...cmd];
  if (process.getuid() !== 0) return inner;
  return ['setpriv', `--reuid=${SANDBOX_UID}`, `--regid=${SANDBOX_UID}`, '--clear-groups',
    '--inh-caps=-all', '--', ...inner];
}

/** Executions, coverage and outcome from libFuzzer's output. */
function figures(target, log, exitCode, ms, artifacts) {
  const stat = (name) => Number(log.match(new RegExp(`stat::${name}:\\s*(\\d+)`))?.[1] ?? NaN);
  const progress = log.split('\n').filter((l) => /^#\d+\s/.test(l));
  const last = progress.at(-1) ?? '';
  const field = (name) => Number(last.match(new RegExp(`${name}: (\\d+)`))?.[1] ?? NaN);
  const crashes = fs.readdirSync(artifacts).map((f) => path.join(artifacts, f));
  return {
    target,
    seconds: Math.round(ms / 1000),
    executions: stat('number_of_executed_units'),
    execPerSecond: stat('average_exec_per_sec'),
    cov: field('cov'),
    ft: field('ft'),
    corpus: Number(last.match(/corp: (\d+)/)?.[1] ?? NaN),
    newUnits: stat('new_units_added'),
    peakRssMb: stat('peak_rss_mb'),
    last: last.trim(),
    exitCode,
    crashes,
    ok: exitCode === 0 && crashes.length === 0,
  };
}

function report(rows) {
  echo('');
  echo('target   seconds  executions  exec/s     cov      ft  corpus  result');
  for (const r of rows) {
    const cells = [r.target.padEnd(8), String(r.seconds).padStart(7),
      String(r.executions).padStart(11), String(r.execPerSecond).padStart(7),
      String(r.cov).padStart(7), String(r.ft).padStart(7), String(r.corpus).padStart(7)];
    const result = r.ok ? chalk.green('ok') : chalk.red(`FAILED (exit ${r.exitCode})`);
    echo(`${cells.join(' ')}  ${result}`);
    for (const c of r.crashes) echo(chalk.red(`  input kept: ${path.relative(root, c)}`));
    if (!r.ok) echo(`  log: ${path.relative(root, path.join(outDir, `${r.target}.log`))}`);
  }
}

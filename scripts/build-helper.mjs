#!/usr/bin/env zx
// Builds the helper: a static, dependency-free executable from helper/*.c.
//
// musl-gcc is preferred: its static binaries are small. musl ships no
// kernel headers, so the uapi headers (linux/, asm/, asm-generic/) are made
// visible to it through a folder of symlinks. Where musl-gcc is missing the
// system compiler builds the static binary instead, with a warning.
//
//   zx scripts/build-helper.mjs               build helper/build/nsdo-helper
//   zx scripts/build-helper.mjs --if-missing  only when it does not exist
//   zx scripts/build-helper.mjs --sanitize    ASan + UBSan build (dynamic)
//   zx scripts/build-helper.mjs --unit        build and run the C unit tests
//   zx scripts/build-helper.mjs --e2e         build, then drive the helper over its
//                                             protocol on the real kernel (root)
//   zx scripts/build-helper.mjs --stress      build the sanitized helper, then feed it
//                                             20,000 mutated frames (root)
import { $, argv, fs, path, echo, chalk } from 'zx';

$.verbose = false;

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..');
const helperDir = path.join(root, 'helper');
const buildDir = path.join(helperDir, 'build');
const output = path.join(buildDir, 'nsdo-helper');

const warnings = ['-Wall', '-Wextra', '-Werror', '-Wshadow', '-Wformat=2',
  '-Wno-format-nonliteral'];
const common = ['-std=c11', '-D_GNU_SOURCE', ...warnings, '-I', helperDir];

const helperSources = async () =>
  (await fs.readdir(helperDir)).filter((f) => f.endsWith('.c')).sort()
    .map((f) => path.join(helperDir, f));

async function has(cmd) {
  return (await $`command -v ${cmd}`.nothrow()).exitCode === 0;
}

/** A folder that shows musl the kernel's uapi headers and nothing else. */
async function uapiIncludes() {
  const dir = path.join(buildDir, 'uapi');
  await fs.mkdirp(dir);
  const multiarch = (await $`gcc -print-multiarch`.nothrow()).stdout.trim();
  const links = {
    linux: '/usr/include/linux',
    'asm-generic': '/usr/include/asm-generic',
    asm: multiarch ? `/usr/include/${multiarch}/asm` : '/usr/include/asm',
  };
  for (const [name, target] of Object.entries(links)) {
    if (!(await fs.pathExists(target)))
      throw new Error(`kernel uapi headers not found at ${target}: install linux-libc-dev`);
    const link = path.join(dir, name);
    await fs.remove(link);
    await fs.symlink(target, link);
  }
  return ['-isystem', dir];
}

/** The compiler and flags for a static release build. */
async function staticToolchain() {
  if (await has('musl-gcc'))
    return { cc: 'musl-gcc', flags: await uapiIncludes(), label: 'musl-gcc' };
  echo(chalk.yellow('warning: musl-gcc not found (Debian: apt-get install musl-tools); ' +
    'building with cc -static, which gives a larger binary'));
  return { cc: 'cc', flags: [], label: 'cc' };
}

async function compilerVersion(cc) {
  const out = (await $`${cc} -dumpfullversion -dumpversion`.nothrow()).stdout.trim();
  return out.split('\n')[0] || 'unknown';
}

// Calls that release builds send to helper/lite.c instead of libc (see its
// DOC block): musl's printf core and allocator are a third of the binary.
const liteWraps = ['snprintf', 'vsnprintf', 'malloc', 'calloc', 'realloc', 'free']
  .map((f) => `-Wl,--wrap=${f}`);

// The helper crosses no privilege boundary (it runs with its driver's own
// rights), so PIE and stack canaries would cost size and buy no safety.
// noseparate-code and norelro drop the page padding between segments; a
// static binary has no dynamic relocations for RELRO to protect.
const releaseFlags = ['-Os', '-static', '-s', '-fno-pie', '-no-pie', '-fno-stack-protector',
  '-ffunction-sections', '-fdata-sections', '-fno-asynchronous-unwind-tables',
  '-Wl,--gc-sections', '-Wl,-z,noseparate-code', '-Wl,-z,norelro', '-Wl,--build-id=none'];

/** Warn when the link pulled in libc's formatter or allocator after all. */
async function checkLiteLink(mapFile) {
  const map = await fs.readFile(mapFile, 'utf8');
  const pulled = ['vfprintf', 'malloc'].filter((m) => map.includes(`(${m}.o`) ||
    map.includes(`(${m}.lo)`));
  if (pulled.length)
    echo(chalk.yellow(`warning: libc's ${pulled.join(', ')} linked in: something calls a ` +
      'libc function that formats or allocates; see helper/lite.c'));
}

async function buildRelease() {
  const { cc, flags, label } = await staticToolchain();
  const version = JSON.parse(await fs.readFile(path.join(root, 'package.json'), 'utf8')).version;
  const build = `${label} ${await compilerVersion(cc)}, static`;
  const defines = [`-DNSDO_VERSION="${version}"`, `-DNSDO_BUILD="${build}"`];
  const mapFile = path.join(buildDir, 'nsdo-helper.map');
  await fs.mkdirp(buildDir);
  await $`${cc} ${common} ${flags} ${defines} ${releaseFlags} ${liteWraps} -Wl,-Map,${mapFile} ${await helperSources()} -o ${output}`;
  await checkLiteLink(mapFile);
  const { size } = await fs.stat(output);
  echo(`built ${path.relative(root, output)} (${size} bytes, ${build})`);
}

async function buildSanitized() {
  const cc = (await has('clang')) ? 'clang' : 'cc';
  const out = path.join(buildDir, 'nsdo-helper-asan');
  const defines = ['-DNSDO_VERSION="sanitized"', `-DNSDO_BUILD="${cc} asan+ubsan"`];
  const san = ['-g', '-O1', '-fno-omit-frame-pointer',
    '-fsanitize=address,undefined', '-fno-sanitize-recover=all'];
  await fs.mkdirp(buildDir);
  await $`${cc} ${common} ${defines} ${san} ${await helperSources()} -o ${out}`;
  echo(`built ${path.relative(root, out)}`);
}

/**
 * Each helper/test/test_*.c links with every helper source but main.c. The
 * sources are compiled once, in parallel, into helper/build/unit/, and each
 * test program links against those objects.
 */
async function buildAndRunUnitTests() {
  const cc = (await has('clang')) ? 'clang' : 'cc';
  const san = ['-g', '-O1', '-fsanitize=address,undefined', '-fno-sanitize-recover=all'];
  const flags = [...common, '-DNSDO_VERSION="test"', '-DNSDO_BUILD="test"', ...san];
  const objDir = path.join(buildDir, 'unit');
  await fs.mkdirp(objDir);
  const lib = (await helperSources()).filter((f) => path.basename(f) !== 'main.c');
  const objects = await Promise.all(lib.map(async (src) => {
    const obj = path.join(objDir, path.basename(src).replace(/\.c$/, '.o'));
    await $`${cc} ${flags} -c ${src} -o ${obj}`;
    return obj;
  }));
  const testDir = path.join(helperDir, 'test');
  const tests = (await fs.readdir(testDir)).filter((f) => /^test_.*\.c$/.test(f));
  let failed = 0;
  for (const t of tests) {
    const exe = path.join(buildDir, t.replace(/\.c$/, ''));
    await $`${cc} ${flags} ${objects} ${path.join(testDir, t)} -o ${exe}`;
    const run = await $`${exe}`.nothrow();
    process.stdout.write(run.stdout);
    process.stderr.write(run.stderr);
    if (run.exitCode !== 0) failed++;
  }
  if (failed) throw new Error(`${failed} C unit test program(s) failed`);
}

/** Run one of helper/test/*.mjs against a helper binary; fail if it fails. */
async function runDriver(script, helper, ...args) {
  const run = await $({ env: { ...process.env, NSDO_HELPER: helper } })`node ${path.join(
    helperDir, 'test', script)} ${args}`.nothrow();
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  if (run.exitCode !== 0) throw new Error(`${script} failed`);
}

if (argv['if-missing'] && (await fs.pathExists(output))) process.exit(0);
await fs.mkdirp(buildDir);
if (argv.sanitize) await buildSanitized();
else if (argv.unit) await buildAndRunUnitTests();
else if (argv.e2e) {
  await buildRelease();
  await runDriver('e2e.mjs', output);
} else if (argv.stress) {
  await buildSanitized();
  await runDriver('stress.mjs', path.join(buildDir, 'nsdo-helper-asan'), '20000');
} else await buildRelease();

// The integration tests against the ASan + UBSan build of the helper
// (`npm test -- --sanitize`, see scripts/test.mjs).
//
// Every helper the run starts, by the uvu suite (through the library or
// raw) and by the helper's own end-to-end scripts, is then
// helper/build/nsdo-helper-asan. Any sanitizer report is fatal to the
// helper: it exits with SANITIZER_EXIT, so a request in flight fails its
// test with ERR_NSDO_HELPER_EXITED. Reports also go to a file per helper
// process in helper/build/sanitizer/ (outside the tmpfs mounts of the
// hermetic run, so they survive it). A report that no test saw, a leak
// found as a helper exits after its test passed, still fails the run:
// sanitizerReports() prints every file and counts each as a failed test.
import fs from 'node:fs';
import path from 'node:path';

/** The exit status of a helper that a sanitizer stopped. */
export const SANITIZER_EXIT = 86;

const reportDir = (root) => path.join(root, 'helper', 'build', 'sanitizer');

/**
 * The environment for a run against the sanitized helper; empties the
 * report folder first.
 */
export function sanitizerEnv(root) {
  const dir = reportDir(root);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const common = `halt_on_error=1:exitcode=${SANITIZER_EXIT}:log_path=${dir}/report`;
  return {
    NSDO_HELPER: path.join(root, 'helper', 'build', 'nsdo-helper-asan'),
    NSDO_TEST_SANITIZED: '1',
    ASAN_OPTIONS: `${common}:detect_leaks=1:abort_on_error=0:strict_string_checks=1:` +
      'detect_stack_use_after_return=1:check_initialization_order=1',
    UBSAN_OPTIONS: `${common}:print_stacktrace=1`,
  };
}

/**
 * Prints every report the sanitized helpers wrote and counts each as one
 * failed test.
 */
export function sanitizerReports(root, totals) {
  const dir = reportDir(root);
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8').trim();
    console.log(`  ✘ sanitizer report from the helper (${file}):\n` +
      text.split('\n').map((l) => `    ${l}`).join('\n'));
    totals.failed++;
  }
  console.log(`• sanitized helper: ${files.length} sanitizer report(s)`);
}

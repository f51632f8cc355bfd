#!/usr/bin/env zx
// The whole test suite, rootless: as an unprivileged user, inside
// `unshare --user --map-root-user --net --mount`, the way a user without
// root runs nsdo. There the user is root over its own namespaces and
// nothing else; the helper keeps CAP_SYS_ADMIN, CAP_NET_ADMIN and
// CAP_SYS_PTRACE of that user namespace only.
//
// Run as root, it makes a throwaway system user, copies the checkout (but
// .git and helper/build) to a temporary directory that user owns, runs
// `npm test` there as that user, and removes user and copy afterwards.
// Run as anyone else, it runs `npm test` in place, as that user.
//
//   zx scripts/rootless.mjs                 the whole suite
//   zx scripts/rootless.mjs -- link addr    arguments after -- go to npm test
import { $, argv, fs, os, path, echo, chalk } from 'zx';
import { spawn } from 'node:child_process';

$.verbose = false;

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const testArgs = argv._.map(String);
const inUserNamespace = ['unshare', '--user', '--map-root-user', '--net', '--mount', '--',
  'npm', 'test', '--', ...testArgs];

let code;
if (process.getuid() !== 0) {
  code = await run(inUserNamespace, { cwd: root, env: process.env });
} else {
  code = await asThrowawayUser();
}
process.exit(code);

/** Runs the suite as a user made for it; answers npm test's exit code. */
async function asThrowawayUser() {
  const user = `nsdo-rootless-${process.pid}`;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nsdo-rootless-'));
  const tree = path.join(dir, 'tree');
  const home = path.join(dir, 'home');

  // /run/netns must exist to be a mount point; the user cannot make it.
  const madeRunDir = !(await fs.pathExists('/run/netns'));
  if (madeRunDir) await fs.mkdirp('/run/netns');
  await $`useradd --system --no-create-home --shell /usr/sbin/nologin ${user}`;
  try {
    await fs.copy(root, tree, { filter: (src) => !excluded(src) });
    await fs.mkdirp(home);
    await $`chown -R ${user}: ${dir}`;
    await fs.chmod(dir, 0o755);
    echo(`rootless: npm test as ${user} (uid ${(await $`id -u ${user}`).stdout.trim()}) ` +
      `in ${tree}, inside unshare --user --map-root-user --net --mount`);

    const cmd = ['setpriv', `--reuid=${user}`, `--regid=${user}`, '--clear-groups',
      '--inh-caps=-all', '--', ...inUserNamespace];
    const env = { ...process.env, HOME: home, npm_config_cache: path.join(home, '.npm') };
    return await run(cmd, { cwd: tree, env });
  } finally {
    await $`userdel ${user}`.nothrow();
    await fs.remove(dir);
    if (madeRunDir) await fs.rmdir('/run/netns').catch(() => {});
  }
}

/** What not to copy: history and build output (the suite builds afresh). */
function excluded(src) {
  const rel = path.relative(root, src);
  return rel === '.git' || rel === path.join('helper', 'build');
}

/** Runs a command with its output shown; answers its exit code. */
function run([cmd, ...args], options) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...options, stdio: 'inherit' });
    child.once('error', (e) => {
      echo(chalk.red(`rootless: cannot start ${cmd}: ${e.message}`));
      resolve(1);
    });
    child.once('exit', (c, signal) => resolve(signal ? 1 : c));
  });
}

#!/usr/bin/env zx
// The nsdo demo: a small topology built, shown and removed again.
//
//     nsdo-demo-a               nsdo-demo-br                nsdo-demo-b
//   eth0 10.77.0.2/24 ─ veth ─ va ┐            ┌ vb ─ veth ─ eth0 10.77.0.3/24
//   default via 10.77.0.1        br0 10.77.0.1/24         default via 10.77.0.1
//
// Three named namespaces (visible to `ip netns list` while the demo runs),
// a bridge, two veth pairs created directly across namespaces, addresses,
// default routes; one ping from a to b; then each namespace's links,
// addresses and routes as tables. Everything is removed at the end, also
// on an error or on Ctrl-C / SIGTERM.
//
// The demo never touches this machine's own network: every link lives in
// a namespace the demo created, and the ping goes only between them. It
// refuses to start if one of its namespace names already exists.
//
//   zx scripts/demo.mjs          (npm run demo)
//   zx scripts/demo.mjs --wait   keep the topology until Enter or Ctrl-C
import { $, argv, chalk, fs, path } from 'zx';
import { fileURLToPath } from 'node:url';

$.verbose = false;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NAMES = { a: 'nsdo-demo-a', b: 'nsdo-demo-b', br: 'nsdo-demo-br' };
const GATEWAY = '10.77.0.1';
const HOSTS = { a: '10.77.0.2', b: '10.77.0.3' };

const nsdo = await loadLibrary();
const { withNamespace, Namespace, getHelper, link, addr, route } = nsdo;
let creating = null;      // a Namespace.create() in flight, which cleanup waits for
let interrupted = null;   // the signal that stops the demo
let echoServer = null;    // the TCP echo server's process, while it runs
let cleaning;

await preflight();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    interrupted = signal;
    console.log(chalk.yellow(`\n${signal}: removing what the demo created`));
    await cleanup();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

let failed = false;
try {
  await build();
  await ping();
  await show();
  if (argv.wait) await waitForEnter();
} catch (error) {
  failed = true;
  if (interrupted) await new Promise(() => {}); // the signal handler exits
  const code = error.code ? `${error.code}: ` : '';
  console.error(chalk.red(`\ndemo failed: ${code}${error.message}`));
} finally {
  await cleanup();
  await getHelper().close();
}
process.exit(failed ? 1 : 0);

// ---------------------------------------------------------------------------

async function loadLibrary() {
  const entry = path.join(root, 'dist/index.js');
  if (!(await fs.pathExists(entry))) {
    console.error('dist/ is missing: build first (npm install, or npm run build)');
    process.exit(1);
  }
  return import(entry);
}

/** Root (or the capabilities), Linux, and none of the demo's names taken. */
async function preflight() {
  if (process.platform !== 'linux') fail('nsdo needs Linux');
  if (process.getuid?.() !== 0) {
    console.log(chalk.yellow('note: not running as root; this works only with CAP_SYS_ADMIN ' +
      'and CAP_NET_ADMIN'));
  }
  const taken = [];
  for (const name of Object.values(NAMES)) {
    if (await fs.pathExists(`/run/netns/${name}`)) taken.push(name);
  }
  if (taken.length) {
    fail(`refusing to start: ${taken.join(', ')} already exist${taken.length > 1 ? '' : 's'} ` +
      `in /run/netns. If a previous demo was killed, remove with: ` +
      taken.map((n) => `ip netns del ${n}`).join('; '));
  }
}

/** The topology, one batch per namespace. */
async function build() {
  step('creating namespaces', Object.values(NAMES).join(', '));
  const ns = {};
  for (const [key, name] of Object.entries(NAMES)) {
    checkpoint();
    creating = Namespace.create(name);
    ns[key] = await creating;
  }
  creating = null;

  checkpoint();
  step(`${NAMES.br}`, `bridge br0 ${GATEWAY}/24, veth va -> ${NAMES.a}, vb -> ${NAMES.b}`);
  await withNamespace(ns.br, [
    link.set('lo', { up: true }),
    link.add({ name: 'br0', type: 'bridge', up: true }),
    addr.add('br0', `${GATEWAY}/24`),
    link.add({ name: 'va', type: 'veth', master: 'br0', up: true,
      peer: { name: 'eth0', namespace: ns.a } }),
    link.add({ name: 'vb', type: 'veth', master: 'br0', up: true,
      peer: { name: 'eth0', namespace: ns.b } }),
  ]);

  for (const key of ['a', 'b']) {
    checkpoint();
    step(NAMES[key], `eth0 ${HOSTS[key]}/24, default via ${GATEWAY}`);
    await withNamespace(ns[key], [
      link.set('lo', { up: true }),
      addr.add('eth0', `${HOSTS[key]}/24`),
      link.set('eth0', { up: true }),
      route.add({ to: 'default', via: GATEWAY }),
    ]);
  }
}

/** One ping from a to b, through the bridge; a TCP echo where ping is missing. */
async function ping() {
  const has = (await $`command -v ping`.nothrow()).exitCode === 0;
  step('ping', `${NAMES.a} (${HOSTS.a}) -> ${NAMES.b} (${HOSTS.b})`);
  if (has) {
    const out = await $`ip netns exec ${NAMES.a} ping -c 1 -W 3 ${HOSTS.b}`.nothrow();
    const line = out.stdout.split('\n').find((l) => /bytes from/.test(l));
    if (out.exitCode !== 0 || !line) throw new Error(`ping failed: ${out.stdout}${out.stderr}`);
    console.log(`    ${chalk.green('✔')} ${line.trim()}`);
    return;
  }
  console.log(chalk.dim('    (ping is not installed: apt-get install iputils-ping; ' +
    'using a TCP round trip instead)'));
  console.log(`    ${chalk.green('✔')} ${await tcpRoundTrip()}`);
}

/** A TCP echo between the namespaces: a server in b, a client in a. */
async function tcpRoundTrip() {
  const server = `require('net').createServer((s) => s.pipe(s))
    .listen(7777, '${HOSTS.b}', () => console.log('ready'));`;
  const client = `const t = Date.now(); const c = require('net').connect(7777, '${HOSTS.b}');
    c.end('ping'); c.on('data', (d) => console.log(d + ' back from ${HOSTS.b} in ' +
    (Date.now() - t) + ' ms'));`;
  const srv = $`ip netns exec ${NAMES.b} ${process.execPath} -e ${server}`.nothrow();
  echoServer = srv;
  try {
    for await (const line of srv.stdout) if (String(line).includes('ready')) break;
    const out = await $`ip netns exec ${NAMES.a} ${process.execPath} -e ${client}`.timeout('5s');
    return out.stdout.trim();
  } finally {
    echoServer = null;
    srv.kill();
    await srv;
  }
}

/** Each namespace's links, addresses and routes, as tables. */
async function show() {
  for (const name of Object.values(NAMES)) {
    checkpoint();
    const ns = await Namespace.open(name);
    const [links, addrs, routes] = await withNamespace(ns, [
      link.list(), addr.list(), route.list(),
    ]);
    console.log(`\n${chalk.bold.underline(ns.name)}  ${chalk.dim(`${ns.path}, id ${ns.id}`)}`);
    table('links', ['index', 'name', 'type', 'state', 'mtu', 'mac', 'master'], links.map((l) => [
      l.index, l.name, l.type, l.up ? `up (${l.operstate})` : 'down', l.mtu, l.mac ?? '-',
      l.master ?? '-',
    ]));
    table('addresses', ['dev', 'address', 'family', 'scope'], addrs.map((a) => [
      a.dev, `${a.address}/${a.prefixLength}`, `IPv${a.family}`, a.scope,
    ]));
    table('routes', ['to', 'via', 'dev', 'scope', 'metric', 'protocol'], routes.map((r) => [
      r.to, r.via ?? '-', r.dev ?? '-', r.scope, r.metric, r.protocol,
    ]));
  }
}

/** Prints rows under a title with every column padded to its widest cell. */
function table(title, header, rows) {
  console.log(`  ${chalk.cyan(title)}`);
  if (!rows.length) {
    console.log(chalk.dim('    (none)'));
    return;
  }
  const cells = [header, ...rows].map((row) => row.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row) => `    ${row.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd();
  console.log(chalk.dim(line(cells[0])));
  for (const row of cells.slice(1)) console.log(line(row));
}

async function waitForEnter() {
  console.log(chalk.yellow('\nthe topology stays until you press Enter (or Ctrl-C); try ' +
    '`ip netns list` or `ip -n nsdo-demo-br link` in another shell'));
  if (!process.stdin.isTTY && process.stdin.readableEnded) return;
  await new Promise((resolve) => {
    process.stdin.once('data', resolve);
    process.stdin.once('end', resolve);
  });
  process.stdin.pause();
}

/**
 * Deletes every namespace the demo created; runs once, however it is
 * reached. preflight() made sure none of the names existed before, so each
 * one that exists now is the demo's. A creation in flight when a signal
 * came is waited for first; checkpoint() keeps the demo from starting
 * another.
 */
function cleanup() {
  cleaning ??= (async () => {
    echoServer?.kill();
    await creating?.catch(() => null);
    for (const name of Object.values(NAMES).reverse()) {
      if (!(await fs.pathExists(`/run/netns/${name}`))) continue;
      try {
        await (await Namespace.open(name)).delete();
        console.log(chalk.dim(`removed ${name}`));
      } catch (error) {
        console.error(chalk.red(`could not remove ${name}: ${error.message}; ` +
          `run: ip netns del ${name}`));
      }
    }
  })();
  return cleaning;
}

/** Stops the demo's main line once a signal came. */
function checkpoint() {
  if (interrupted) throw new Error(`interrupted by ${interrupted}`);
}

function step(what, detail) {
  console.log(`${chalk.green('•')} ${chalk.bold(what)}  ${detail}`);
}

function fail(message) {
  console.error(chalk.red(message));
  process.exit(1);
}

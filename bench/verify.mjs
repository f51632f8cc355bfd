// Checks a peer's end state with `ip -j`, in the throw-away namespace the
// peer ran in: after setup (`verify.mjs N`) every pod is complete, after
// teardown (`verify.mjs N --gone`) no namespace is left and the host veths
// go away (the kernel frees them asynchronously, so this waits a little).
//
// Prints one JSON line: { ok, problems[], counts }.

import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { podNet } from './common.mjs';

const n = Number(process.argv[2]);
const gone = process.argv.includes('--gone');

const ipJson = (...args) =>
  JSON.parse(execFileSync('ip', ['-j', ...args], { encoding: 'utf8' }) || '[]');
const namespaces = () => readdirSync('/run/netns').sort();
const hostVeths = () => ipJson('link', 'show', 'type', 'veth').map((l) => l.ifname);

function checkPods() {
  const problems = [];
  const names = namespaces();
  if (names.length !== n) problems.push(`expected ${n} namespaces, found ${names.length}`);
  const listed = ipJson('netns', 'list').length;
  if (listed !== n) problems.push(`ip netns list: expected ${n}, found ${listed}`);
  const host = new Map(ipJson('addr', 'show').map((l) => [l.ifname, l]));
  let addresses = 0,
    defaults = 0,
    up = 0;
  for (let i = 0; i < n; i++) {
    const net = podNet(i);
    const h = host.get(`h${i}`);
    const hostAddr = h?.addr_info?.some((a) => a.local === `${net}.1` && a.prefixlen === 24);
    if (!h?.flags.includes('UP') || !hostAddr) problems.push(`h${i}: not up with ${net}.1/24`);
    else {
      addresses++;
      up++;
    }
    let inside;
    try {
      inside = new Map(ipJson('-n', `p${i}`, 'addr', 'show').map((l) => [l.ifname, l]));
    } catch (err) {
      problems.push(`p${i}: ${err.stderr?.trim() || err.message}`);
      continue;
    }
    const eth0 = inside.get('eth0');
    if (!inside.get('lo')?.flags.includes('UP')) problems.push(`p${i}: lo not up`);
    if (
      !eth0?.flags.includes('UP') ||
      !eth0.addr_info?.some((a) => a.local === `${net}.2` && a.prefixlen === 24)
    )
      problems.push(`p${i}: eth0 not up with ${net}.2/24`);
    else {
      addresses++;
      up++;
    }
    const routes = ipJson('-n', `p${i}`, 'route', 'show', 'default');
    if (routes.length === 1 && routes[0].gateway === `${net}.1` && routes[0].dev === 'eth0')
      defaults++;
    else problems.push(`p${i}: default route ${JSON.stringify(routes)}`);
  }
  return { problems, counts: { namespaces: names.length, addresses, up, defaults } };
}

async function checkGone() {
  const problems = [];
  const names = namespaces();
  if (names.length) problems.push(`${names.length} namespaces left: ${names.slice(0, 5)}`);
  let veths = hostVeths();
  for (let tries = 0; veths.length && tries < 100; tries++) {
    await new Promise((r) => setTimeout(r, 100));
    veths = hostVeths();
  }
  if (veths.length) problems.push(`${veths.length} host veths left after 10 s`);
  return { problems, counts: { namespaces: names.length, veths: veths.length } };
}

const { problems, counts } = gone ? await checkGone() : checkPods();
process.stdout.write(
  JSON.stringify({ ok: problems.length === 0, problems: problems.slice(0, 10), counts }) + '\n',
);
process.exitCode = problems.length ? 1 : 0;

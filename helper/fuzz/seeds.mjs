#!/usr/bin/env node
// Writes the fuzzers' seed corpus, helper/fuzz/corpus/<target>/, from the
// tables below, so that every seed can be read, reviewed and made again.
// The files are small on purpose: libFuzzer mutates small inputs fastest.
//
//   request  one frame payload each: every op of PROTOCOL.md with its
//            arguments, requests with a namespace path or pid, continue
//            mode, and requests the helper must refuse;
//   mp       MessagePack values: the hello, every type at each size where
//            its encoding changes, nesting at and past the limit, and
//            bytes that are not one plain value;
//   frame    one byte that picks the reader's cap, then a stream of frames:
//            whole, empty, oversized, cut short.
//
// It also writes helper/fuzz/request.dict, a libFuzzer dictionary of every
// key and op name, each as the MessagePack string it is on the wire, so that
// a mutation can put a whole, well-formed key in at once.
//
//   node helper/fuzz/seeds.mjs     rewrites the three folders and the dictionary
import fs from 'node:fs';
import path from 'node:path';
import { Packr } from 'msgpackr';

const here = path.dirname(new URL(import.meta.url).pathname);
const packr = new Packr({ useRecords: false, variableMapSize: true });
const pack = (v) => packr.pack(v);

const req = (ops, extra = {}) => pack({ id: 1, ...extra, ops });

const requests = {
  'link-add-veth': req([{ op: 'link.add', name: 'v0', type: 'veth',
    peer: { name: 'v1', mac: '02:00:00:00:00:02', mtu: 1400 }, mtu: 1400,
    mac: '02:00:00:00:00:01', up: true }]),
  'link-add-veth-queues': req([{ op: 'link.add', name: 'v0', type: 'veth', txQueues: 1,
    rxQueues: 2, peer: { name: 'v1', txQueues: 3 } }]),
  'link-add-veth-peer-namespace': req([{ op: 'link.add', name: 'v0', type: 'veth',
    peer: { name: 'v1', namespace: '/run/netns/blue' } }]),
  'link-add-bridge-master': req([{ op: 'link.add', name: 'br0', type: 'bridge' },
    { op: 'link.add', name: 'v0', type: 'veth', peer: { name: 'v1' }, master: 'br0' }]),
  'link-add-vxlan': req([{ op: 'link.add', name: 'vx0', type: 'vxlan', id: 42,
    port: 4789, local: '10.0.0.1', remote: '10.0.0.2', dev: 'lo' }]),
  'link-add-vxlan-group': req([{ op: 'link.add', name: 'vx1', type: 'vxlan', id: 7,
    group: '239.1.1.1', dev: 1 }]),
  'link-add-vlan': req([{ op: 'link.add', name: 'vl0', type: 'vlan', id: 10, link: 'lo' }]),
  'link-add-macvlan': req([{ op: 'link.add', name: 'mv0', type: 'macvlan', link: 1,
    mode: 'bridge' }]),
  'link-add-other-kind': req([{ op: 'link.add', name: 'd0', type: 'dummy' }]),
  'link-set': req([{ op: 'link.set', link: 'lo', up: true, mtu: 65536 }]),
  'link-set-rename-mac': req([{ op: 'link.set', link: 2, name: 'renamed0',
    mac: '02:11:22:33:44:55' }]),
  'link-set-master-nil': req([{ op: 'link.set', link: 'v0', master: null }]),
  'link-set-namespace': req([{ op: 'link.set', link: 'v1', namespace: 1 }]),
  'link-del': req([{ op: 'link.del', link: 'v0' }]),
  'link-get': req([{ op: 'link.get', link: 'lo' }]),
  'link-list': req([{ op: 'link.list' }]),
  'addr-add-del-v4': req([{ op: 'addr.add', dev: 'lo', address: '10.9.0.1/24' },
    { op: 'addr.del', dev: 1, address: '10.9.0.1/24' }]),
  'addr-add-v6': req([{ op: 'addr.add', dev: 'lo', address: 'fd00::1/64' }]),
  'addr-list': req([{ op: 'addr.list', dev: 'lo' }, { op: 'addr.list' }]),
  'route-add': req([{ op: 'route.add', to: '10.8.0.0/16', dev: 'lo', metric: 5,
    table: 'main', scope: 'link', src: '127.0.0.1' }]),
  'route-add-via': req([{ op: 'route.add', to: 'default', via: '127.0.0.2',
    table: 100, scope: 'universe' }]),
  'route-replace-v6': req([{ op: 'route.replace', to: 'fd01::/64', dev: 1, family: 6,
    scope: 253 }]),
  'route-del': req([{ op: 'route.del', to: '10.8.0.7', dev: 'lo', table: 'local' }]),
  'route-default-family': req([{ op: 'route.add', to: 'default', dev: 'lo', family: 4 }]),
  'route-list': req([{ op: 'route.list', table: 'all', family: 6 }, { op: 'route.list' }]),
  'namespace-create-delete': req([{ op: 'namespace.create', name: 'blue' },
    { op: 'namespace.delete', path: '/run/netns/blue' }]),
  'namespace-create-dir': req([{ op: 'namespace.create', name: 'red', dir: '/tmp/netns/' }]),
  'namespace-identify': req([{ op: 'namespace.identify', path: '/proc/self/ns/net' },
    { op: 'namespace.identify', pid: 1 }]),
  'namespace-temporary-release': req([{ op: 'namespace.temporary' },
    { op: 'namespace.release', path: '/proc/1/fd/3' }]),
  'request-namespace-path': req([{ op: 'link.list' }],
    { namespace: '/proc/self/ns/net' }),
  'request-namespace-pid': req([{ op: 'addr.list' }], { namespace: 1 }),
  'request-namespace-wrong-type': req([{ op: 'link.list' }],
    { namespace: '/proc/self/ns/mnt' }),
  'request-continue': req([{ op: 'link.get', link: 'nope0' },
    { op: 'link.get', link: 'lo' }], { continue: true }),
  'refused-unknown-op': req([{ op: 'link.fly' }]),
  'refused-unknown-argument': req([{ op: 'link.get', link: 'lo', colour: 'red' }]),
  'refused-no-id': pack({ ops: [{ op: 'link.list' }] }),
  'refused-unknown-key': pack({ id: 2, ops: [{ op: 'link.list' }], extra: true }),
  'refused-not-a-map': pack([1, 2, 3]),
  // msgpackr cannot write a duplicate key: { id: 1, id: 2, ops: [] } by hand.
  'refused-duplicate-key': Buffer.from([0x83, 0xa2, 0x69, 0x64, 0x01, 0xa2, 0x69,
    0x64, 0x02, 0xa3, 0x6f, 0x70, 0x73, 0x90]),
};

/** `depth` arrays, one inside the other, around a nil. */
function nested(depth) {
  return Buffer.concat([Buffer.alloc(depth, 0x91), Buffer.from([0xc0])]);
}

const mp = {
  'hello': pack({ hello: 'nsdo', protocol: 1, version: '0.1.0',
    build: 'musl-gcc 12.2.0, static', pid: 4242, maxFrame: 4194304,
    namespace: '4:4026531840' }),
  'reply-error': pack({ id: 7, namespace: null, results: [null, { items: [],
    interrupted: false }], error: { code: 'EEXIST', errno: 17, index: 1,
    op: 'link.add', message: 'link.add b0: File exists', extack: null } }),
  'scalars': pack([null, true, false, 0, 127, 128, 255, 256, 65535, 65536,
    4294967295, 4294967296, -1, -32, -33, -128, -129, -32768, -32769,
    -2147483648, -2147483649, 1.5, -0.0]),
  'uint64-max': Buffer.from([0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
  'int64-min': Buffer.from([0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]),
  'float32': Buffer.from([0xca, 0x7f, 0xc0, 0x00, 0x01]),
  'strings': pack(['', 'a', 'x'.repeat(31), 'y'.repeat(32), 'z'.repeat(256), 'ünï',
    '\u0000nul']),
  'str32': Buffer.concat([Buffer.from([0xdb, 0, 0, 0, 3]), Buffer.from('abc')]),
  'bin': Buffer.from([0xc4, 2, 1, 2]),
  'bin16-bin32': Buffer.from([0x92, 0xc5, 0, 1, 9, 0xc6, 0, 0, 0, 0]),
  'array16-map16': Buffer.from([0x92, 0xdc, 0, 1, 0xc0, 0xde, 0, 1, 0xa1, 0x6b, 0xc3]),
  'array32-map32': Buffer.from([0x92, 0xdd, 0, 0, 0, 1, 0xc0, 0xdf, 0, 0, 0, 1, 0xa1,
    0x6b, 0xc2]),
  'map-duplicate-and-non-string-keys': Buffer.from([0x83, 0xa1, 0x61, 0x01, 0xa1,
    0x61, 0x02, 0x05, 0x06]),
  'depth-16': nested(16),
  'depth-17': nested(17),
  'ext-refused': Buffer.from([0xd4, 0x01, 0x00]),
  'trailing-byte': Buffer.from([0xc0, 0xc0]),
  'truncated-str': Buffer.from([0xd9, 0x10, 0x61]),
  'never-used-byte': Buffer.from([0xc1]),
  'huge-count': Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]),
};

/** A frame: a 4-byte big-endian length, then the payload. */
function frame(payload, length = payload.length) {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(length);
  return Buffer.concat([head, payload]);
}

// The first byte picks the cap (scripts index [1, 2, 16, 255, 4096, 4 MiB]).
const CAP = { tiny: 1, small: 2, mid: 3, full: 5 };
const one = requests['link-list'];

const frames = {
  'one-frame': Buffer.concat([Buffer.from([CAP.full]), frame(one)]),
  'two-frames': Buffer.concat([Buffer.from([CAP.full]), frame(one), frame(mp.hello)]),
  'empty-frame-then-one': Buffer.concat([Buffer.from([CAP.full]), frame(Buffer.alloc(0)),
    frame(one)]),
  'over-cap-then-one': Buffer.concat([Buffer.from([CAP.small]),
    frame(Buffer.alloc(20, 0xc0)), frame(Buffer.from([0xc0]))]),
  'over-cap-cut-short': Buffer.concat([Buffer.from([CAP.mid]), frame(Buffer.alloc(8), 300)]),
  'announces-4mib-plus-one': Buffer.concat([Buffer.from([CAP.full]),
    frame(Buffer.alloc(0), 4 * 1024 * 1024 + 1)]),
  'cut-in-header': Buffer.from([CAP.full, 0, 0]),
  'cut-in-payload': Buffer.concat([Buffer.from([CAP.full]), frame(Buffer.alloc(3), 10)]),
  // A reader that reads ahead has the oversized head in its buffer already.
  'good-then-over-cap-head': Buffer.concat([Buffer.from([CAP.full]), frame(Buffer.alloc(24, 0x82)),
    Buffer.from([0x82, 0x82, 0x82, 0x82, 0xc0, 0xc0])]),
  'one-byte-frames': Buffer.concat([Buffer.from([CAP.tiny]), frame(Buffer.from([1])),
    frame(Buffer.from([2])), frame(Buffer.from([3, 4]))]),
};

for (const [target, seeds] of Object.entries({ request: requests, mp, frame: frames })) {
  const dir = path.join(here, 'corpus', target);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(seeds))
    fs.writeFileSync(path.join(dir, name), bytes);
  const where = path.relative(process.cwd(), dir);
  console.log(`${target}: ${Object.keys(seeds).length} seeds in ${where}`);
}

// Keys, op names and a few values, as they appear in a request.
const words = ['id', 'namespace', 'ops', 'continue', 'op',
  'link.add', 'link.set', 'link.del', 'link.get', 'link.list', 'addr.add', 'addr.del',
  'addr.list', 'route.add', 'route.replace', 'route.del', 'route.list', 'namespace.create',
  'namespace.delete', 'namespace.identify', 'namespace.temporary', 'namespace.release',
  'name', 'type', 'mtu', 'mac', 'up', 'master', 'peer', 'link', 'mode', 'port', 'local',
  'remote', 'group', 'dev', 'txQueues', 'rxQueues', 'address', 'to', 'via', 'metric', 'table', 'scope', 'src',
  'family', 'path', 'pid', 'dir', 'veth', 'bridge', 'vxlan', 'vlan', 'macvlan', 'lo',
  'default', 'main', 'local', 'all', 'universe', 'host', '10.0.0.1/24', 'fd00::1/64',
  '/run/netns/', '/proc/self/ns/net'];
const escape = (buf) => [...buf].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
const dict = [...new Set(words)].map((w, i) => `w${i}="${escape(pack(w))}"`);
fs.writeFileSync(path.join(here, 'request.dict'), `# ${dict.length} MessagePack strings ` +
  `of the request vocabulary; written by seeds.mjs\n${dict.join('\n')}\n`);
console.log(`request.dict: ${dict.length} entries`);

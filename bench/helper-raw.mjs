// A diagnostic, not a peer: the pods workload sent straight to the helper
// as pre-encoded frames, with every request in flight at once and no nsdo
// client in the way. It shows what the helper and the kernel can do alone,
// so that the gap to the full nsdo peer is the client's share.
//
//   node bench/helper-raw.mjs pods N [--keep]
//
// Three requests per pod (namespace.create, the host batch, the batch in the
// pod), the same ops the nsdo peer sends; then one namespace.delete per pod.

import { spawn } from 'node:child_process';
import { Packr } from 'msgpackr/pack';
import { Unpackr } from 'msgpackr/unpack';
import { fileURLToPath } from 'node:url';
import { podNet, parseArgs, now, emit } from './common.mjs';

const opts = parseArgs(process.argv.slice(2));
const helperPath =
  process.env.NSDO_HELPER ??
  fileURLToPath(new URL('../helper/build/nsdo-helper', import.meta.url));
const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true, moreTypes: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

let nextId = 1;
function frame(request) {
  const body = packr.pack({ id: nextId++, ...request });
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

function setupFrames(n) {
  const frames = [];
  for (let i = 0; i < n; i++) {
    const net = podNet(i),
      path = `/run/netns/p${i}`;
    frames.push(frame({ ops: [{ op: 'namespace.create', name: `p${i}` }] }));
    frames.push(
      frame({
        ops: [
          { op: 'link.add', name: `h${i}`, type: 'veth', peer: { name: 'eth0', namespace: path } },
          { op: 'addr.add', dev: `h${i}`, address: `${net}.1/24` },
          { op: 'link.set', link: `h${i}`, up: true },
        ],
      }),
    );
    frames.push(
      frame({
        namespace: path,
        ops: [
          { op: 'link.set', link: 'lo', up: true },
          { op: 'addr.add', dev: 'eth0', address: `${net}.2/24` },
          { op: 'link.set', link: 'eth0', up: true },
          { op: 'route.add', to: 'default', via: `${net}.1` },
        ],
      }),
    );
  }
  return frames;
}

/** The helper's replies, one callback per frame. */
function readFrames(stream, onFrame) {
  let buf = Buffer.alloc(0);
  stream.on('data', (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
      const len = buf.readUInt32BE(0);
      onFrame(unpackr.unpack(buf.subarray(4, 4 + len)));
      buf = buf.subarray(4 + len);
    }
  });
}

const child = spawn(helperPath, [], { stdio: ['pipe', 'pipe', 'inherit'] });
let waiting = null,
  expected = 0,
  errors = [];
readFrames(child.stdout, (reply) => {
  if (reply.error) errors.push(reply.error.message);
  if (reply.hello || --expected === 0) waiting?.();
});
const send = (frames) =>
  new Promise((resolve) => {
    waiting = resolve;
    expected = frames.length;
    child.stdin.write(Buffer.concat(frames));
  });

await new Promise((resolve) => {
  waiting = resolve;
}); // the hello
const setup = setupFrames(opts.n);
let t = now();
await send(setup);
const result = { n: opts.n, setupMs: now() - t };
if (opts.keep) {
  child.stdin.end();
  emit(result);
  process.exit(errors.length ? 1 : 0);
}
const deletes = Array.from({ length: opts.n }, (_, i) =>
  frame({ ops: [{ op: 'namespace.delete', path: `/run/netns/p${i}` }] }),
);
t = now();
await send(deletes);
result.teardownMs = now() - t;
child.stdin.end();
if (errors.length) throw new Error(`helper errors: ${errors.slice(0, 3).join('; ')}`);
emit(result);

// The client's frame codec (src/wire/frame.ts) on its own, without a
// helper: frames cut at every byte, several in one chunk, and every way a
// stream can be wrong. The decoder reads a frame that arrived whole where
// it lies in its chunk, so a frame that ends short of or past its length
// must still be refused, never read into its neighbour.
import * as assert from 'uvu/assert';
import { Packr } from 'msgpackr/pack';
import { FrameDecoder, FrameEncoder } from '../dist/wire/frame.js';
import { suite } from './lib/harness.mjs';

const test = suite('wire');

const packr = new Packr({ useRecords: false });

/** A frame around raw payload bytes, with a prefix that may lie. */
function rawFrame(payload, length = payload.length) {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(length);
  return Buffer.concat([head, payload]);
}

/** A decoder that collects what it decodes. */
function collector(maxFrame) {
  const values = [];
  const decoder = new FrameDecoder((v) => values.push(v), maxFrame);
  return { values, decoder };
}

const replies = [
  { id: 1, namespace: '4:4026531840', results: [null] },
  { id: 2, namespace: null, results: [], error: { code: 'EEXIST', errno: 17, index: 0,
    op: 'link.add', message: 'link.add b0: File exists — ü', extack: null } },
  { id: 3, namespace: '4:1', results: [{ items: [{ name: 'lo', mtu: 65536 }],
    interrupted: false }] },
];

test('several frames in one chunk, each decoded where it lies', () => {
  const encoder = new FrameEncoder();
  const { values, decoder } = collector();
  decoder.push(Buffer.concat(replies.map((r) => encoder.encode(r))));
  assert.equal(values, replies);
  assert.not.ok(decoder.partial);
});

test('the same stream cut at every byte, and in pieces of every size', () => {
  const encoder = new FrameEncoder();
  const frames = replies.map((r) => encoder.encode(r));
  const stream = Buffer.concat(frames);
  const boundaries = new Set();
  let end = 0;
  for (const f of frames) boundaries.add(end += f.length);
  for (let cut = 1; cut < stream.length; cut++) {
    const { values, decoder } = collector();
    decoder.push(stream.subarray(0, cut));
    decoder.push(stream.subarray(cut));
    assert.equal(values, replies, `cut at byte ${cut}`);
  }
  for (let size = 1; size <= 7; size++) {
    const { values, decoder } = collector();
    for (let at = 0; at < stream.length; at += size) {
      decoder.push(stream.subarray(at, at + size));
      const upTo = Math.min(at + size, stream.length);
      assert.is(decoder.partial, !boundaries.has(upTo), `pieces of ${size}, at ${upTo}`);
    }
    assert.equal(values, replies, `pieces of ${size}`);
  }
});

test('a frame split across chunks, then a whole one in the same chunk', () => {
  const encoder = new FrameEncoder();
  const [a, b] = [encoder.encode(replies[0]), encoder.encode(replies[1])];
  const { values, decoder } = collector();
  decoder.push(a.subarray(0, 7));
  decoder.push(Buffer.concat([a.subarray(7), b]));
  assert.equal(values, [replies[0], replies[1]]);
});

const badStreams = [
  ['a length of 0', rawFrame(Buffer.alloc(0)), 'ERR_NSDO_BAD_FRAME'],
  ['a length over the cap', rawFrame(Buffer.alloc(0), 1025), 'ERR_NSDO_FRAME_TOO_LARGE'],
  ['two values in one frame', rawFrame(Buffer.concat([packr.pack(1), packr.pack(2)])),
    'ERR_NSDO_BAD_FRAME'],
  ['a value cut short by its length', rawFrame(packr.pack('hello').subarray(0, 3)),
    'ERR_NSDO_BAD_FRAME'],
  ['a value that runs into the next frame',
    Buffer.concat([rawFrame(packr.pack('hello'), 3), rawFrame(packr.pack(1))]),
    'ERR_NSDO_BAD_FRAME'],
];

for (const [what, bytes, code] of badStreams) {
  test(`refused: ${what} (${code})`, () => {
    for (const chunks of [[bytes], [bytes.subarray(0, 2), bytes.subarray(2)]]) {
      const { values, decoder } = collector(1024);
      let error;
      try {
        for (const chunk of chunks) decoder.push(chunk);
      } catch (e) {
        error = e;
      }
      assert.is(error?.code, code, `${chunks.length} chunk(s): ${error?.message}`);
      assert.equal(values, []);
    }
  });
}

test('the encoder refuses a frame over its cap before it is written', () => {
  const encoder = new FrameEncoder(64);
  assert.ok(encoder.encode({ id: 1, ops: [] }).length <= 68);
  let error;
  try {
    encoder.encode({ id: 1, ops: ['x'.repeat(100)] });
  } catch (e) {
    error = e;
  }
  assert.is(error?.code, 'ERR_NSDO_FRAME_TOO_LARGE');
});

test('an encoded frame is one buffer: its prefix counts the rest', () => {
  const frame = new FrameEncoder().encode({ id: 7, namespace: '/run/netns/a', ops: [] });
  assert.is(frame.readUInt32BE(0), frame.length - 4);
  const { values, decoder } = collector();
  decoder.push(frame);
  assert.equal(values, [{ id: 7, namespace: '/run/netns/a', ops: [] }]);
});

test.run();

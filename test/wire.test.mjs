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

/**
 * The MessagePack types in `bytes`, which must be exactly one value, walked
 * by the spec rather than by msgpackr: the helper's decoder knows only
 * nil, booleans, integers, floats, strings, binary, arrays and maps, and
 * refuses extension types (records, undefined, dates, big integers).
 */
function typesIn(bytes) {
  const seen = new Set();
  let at = 0;
  const take = (n) => { at += n; if (at > bytes.length) throw new Error('truncated'); };
  const uint = (n) => { const v = bytes.readUIntBE(at, n); take(n); return v; };
  const value = () => {
    const b = bytes[at];
    take(1);
    if (b <= 0x7f || b >= 0xe0) return seen.add('int');
    if (b >= 0x80 && b <= 0x8f) return map(b & 0x0f);
    if (b >= 0x90 && b <= 0x9f) return array(b & 0x0f);
    if (b >= 0xa0 && b <= 0xbf) return take(b & 0x1f), seen.add('str');
    switch (b) {
      case 0xc0: return seen.add('nil');
      case 0xc2: case 0xc3: return seen.add('bool');
      case 0xc4: case 0xc5: case 0xc6: return take(uint(1 << (b - 0xc4))), seen.add('bin');
      case 0xca: return take(4), seen.add('float');
      case 0xcb: return take(8), seen.add('float');
      case 0xcc: case 0xcd: case 0xce: case 0xcf:
      case 0xd0: case 0xd1: case 0xd2: case 0xd3:
        return take(1 << (b & 0x03)), seen.add('int');
      case 0xd9: case 0xda: case 0xdb: return take(uint(1 << (b - 0xd9))), seen.add('str');
      case 0xdc: case 0xdd: return array(uint(b === 0xdc ? 2 : 4));
      case 0xde: case 0xdf: return map(uint(b === 0xde ? 2 : 4));
      default: throw new Error(`byte 0x${b.toString(16)} at ${at - 1}: an extension type`);
    }
  };
  const array = (n) => { seen.add('array'); for (let i = 0; i < n; i++) value(); };
  const map = (n) => { seen.add('map'); for (let i = 0; i < 2 * n; i++) value(); };
  value();
  assert.is(at, bytes.length, 'exactly one value');
  return seen;
}

test('the encoder writes plain MessagePack: no records, no extension types', () => {
  // The same shape twice in one value and over several frames is what
  // makes msgpackr use records when they are on.
  const request = {
    id: 4294967295,
    namespace: '/run/netns/blue',
    expect: '4:4026532281',
    continue: true,
    ops: [
      { op: 'link.add', name: 'b0', type: 'veth', mtu: 1400, up: true, master: undefined,
        peer: { name: 'r0', namespace: 4242 } },
      { op: 'addr.add', dev: 'b0', address: '10.1.0.1/24' },
      { op: 'addr.add', dev: 'b1', address: 'fd00::1/64' },
      { op: 'link.set', link: 3, master: null, mtu: -1 },
    ],
  };
  const encoder = new FrameEncoder();
  for (let round = 0; round < 3; round++) {
    const frame = encoder.encode(request);
    const types = typesIn(frame.subarray(4));
    assert.equal([...types].sort(), ['array', 'bool', 'int', 'map', 'nil', 'str']);
  }
});

test('the encoder writes undefined as nil', () => {
  const payload = new FrameEncoder().encode({ a: undefined }).subarray(4);
  assert.equal([...typesIn(payload)].sort(), ['map', 'nil', 'str']);
  assert.equal([...payload.subarray(-3)], [0xa1, 0x61, 0xc0], '"a": nil');
});

test('the decoder reads 64-bit integers as numbers and binary as a copy', () => {
  const payload = Buffer.from([
    0x83,
    0xa2, 0x69, 0x64, 0xcf, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,	// id: 2^53-1
    0xa1, 0x6e, 0xd3, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,	// n: -2^32
    0xa1, 0x62, 0xc4, 0x02, 0x01, 0x02,					// b: bin(2)
  ]);
  const chunk = rawFrame(payload);
  const { values, decoder } = collector();
  decoder.push(chunk);
  const [value] = values;
  assert.is(value.id, 2 ** 53 - 1);
  assert.is(typeof value.id, 'number');
  assert.is(value.n, -(2 ** 32));
  assert.equal([...value.b], [1, 2]);
  chunk.fill(0);
  assert.equal([...value.b], [1, 2], 'the binary does not share the chunk');
});

test.run();

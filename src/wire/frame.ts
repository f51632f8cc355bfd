// Frames: a u32 big-endian length, then exactly one plain MessagePack value.
//
// msgpackr is configured for plain MessagePack so that the helper's small
// decoder only meets the standard types: no records (an extension type),
// undefined written as nil, and 64-bit integers read back as numbers. Its
// JavaScript entry points are imported, not the one that loads the native
// string extractor: for frames of a few hundred bytes, the usual size here,
// the call into native code costs more than it saves.
//
// Both directions refuse a frame over the cap before spending memory on
// it. The encoder packs straight after four reserved bytes and writes the
// length into them, so a frame is one buffer and goes out in one write. The
// decoder reads a frame that arrived whole in one chunk where it lies (no
// copy, not even a view: msgpackr is given the chunk and the frame's range),
// and copies only a frame split across chunks, into a buffer sized once from
// its length prefix.

import { Packr, RESERVE_START_SPACE } from 'msgpackr/pack';
import { Unpackr } from 'msgpackr/unpack';

import { NsdoError } from '../errors.js';
import { MAX_FRAME } from './types.js';

const PREFIX = 4;

const packr = new Packr({
  useRecords: false,
  encodeUndefinedAsNil: true,
  useBigIntExtension: false,
  moreTypes: false,
});

export class FrameEncoder {
  readonly maxFrame: number;

  constructor(maxFrame = MAX_FRAME) {
    this.maxFrame = maxFrame;
  }

  /**
   * Packs a value into a whole frame, prefix included.
   *
   * The buffer is a slice of msgpackr's working memory that later calls do
   * not overwrite, so it may be handed to an asynchronous write.
   */
  encode(value: unknown): Buffer {
    const frame = packr.pack(value, RESERVE_START_SPACE | PREFIX);
    const length = frame.length - PREFIX;
    if (length > this.maxFrame) {
      throw new NsdoError(`frame too large: ${length} bytes, the limit is ${this.maxFrame} ` +
        '(split the batch into smaller ones)', { code: 'ERR_NSDO_FRAME_TOO_LARGE' });
    }
    frame.writeUInt32BE(length, 0);
    return frame;
  }
}

export class FrameDecoder {
  readonly maxFrame: number;
  readonly #onFrame: (value: unknown) => void;
  readonly #unpackr = new Unpackr({
    useRecords: false,
    mapsAsObjects: true,
    int64AsType: 'number',
    copyBuffers: true,
  });

  // A length prefix split across chunks.
  readonly #prefix = Buffer.alloc(PREFIX);
  #prefixFilled = 0;
  // The body of a frame split across chunks, sized from its prefix.
  #body: Buffer | null = null;
  #bodyFilled = 0;
  // Where the frame being decoded lies in its buffer; reused, not allocated.
  readonly #range = { start: 0, end: 0 };

  /**
   * @param onFrame called with each decoded value, in order
   * @param maxFrame the cap on a frame's length
   */
  constructor(onFrame: (value: unknown) => void, maxFrame = MAX_FRAME) {
    this.#onFrame = onFrame;
    this.maxFrame = maxFrame;
  }

  /**
   * Takes the next chunk of the stream and hands on every frame it completes.
   *
   * Throws NsdoError ERR_NSDO_FRAME_TOO_LARGE or ERR_NSDO_BAD_FRAME; after
   * that the stream is out of step and the decoder must not be used again.
   */
  push(chunk: Buffer): void {
    const end = chunk.length;
    let offset = 0;
    while (offset < end) {
      if (this.#body === null) {
        let length: number;
        if (this.#prefixFilled === 0 && end - offset >= PREFIX) {
          length = chunk.readUInt32BE(offset);
          offset += PREFIX;
        } else {
          const n = Math.min(PREFIX - this.#prefixFilled, end - offset);
          chunk.copy(this.#prefix, this.#prefixFilled, offset, offset + n);
          this.#prefixFilled += n;
          offset += n;
          if (this.#prefixFilled < PREFIX) return;
          this.#prefixFilled = 0;
          length = this.#prefix.readUInt32BE(0);
        }
        this.#checkLength(length);
        if (end - offset >= length) {
          this.#decode(chunk, offset, offset + length);
          offset += length;
          continue;
        }
        this.#body = Buffer.allocUnsafe(length);
        this.#bodyFilled = 0;
      }
      const body = this.#body;
      const n = Math.min(body.length - this.#bodyFilled, end - offset);
      chunk.copy(body, this.#bodyFilled, offset, offset + n);
      this.#bodyFilled += n;
      offset += n;
      if (this.#bodyFilled < body.length) return;
      this.#body = null;
      this.#decode(body, 0, body.length);
    }
  }

  /** True while part of a frame has arrived and the rest has not. */
  get partial(): boolean {
    return this.#body !== null || this.#prefixFilled > 0;
  }

  #checkLength(length: number): void {
    if (length === 0) {
      throw new NsdoError('bad frame: a length prefix of 0', { code: 'ERR_NSDO_BAD_FRAME' });
    }
    if (length > this.maxFrame) {
      throw new NsdoError(`frame too large: the prefix announces ${length} bytes, ` +
        `the limit is ${this.maxFrame}`, { code: 'ERR_NSDO_FRAME_TOO_LARGE' });
    }
  }

  /** Decodes buffer[start, end), which must be exactly one value, and hands it on. */
  #decode(buffer: Buffer, start: number, end: number): void {
    let value: unknown;
    this.#range.start = start;
    this.#range.end = end;
    try {
      value = this.#unpackr.unpack(buffer, this.#range);
    } catch (error) {
      throw new NsdoError(`bad frame: ${end - start} bytes that are not exactly one ` +
        `MessagePack value (${(error as Error).message})`,
      { code: 'ERR_NSDO_BAD_FRAME', cause: error });
    }
    this.#onFrame(value);
  }
}

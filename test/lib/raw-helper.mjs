// Drives the helper binary directly over stdio, with no nsdo client in
// between, the way a foreign program would (helper/PROTOCOL.md): a frame
// is a u32 big-endian length and one MessagePack value. Lets tests send
// frames that the client would never produce (oversized, truncated,
// garbage, too deep, extension types) and read the helper's replies.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Packr, Unpackr } from 'msgpackr';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The helper binary under test: $NSDO_HELPER or the package build. */
export const helperPath = process.env.NSDO_HELPER ?? path.join(root, 'helper/build/nsdo-helper');

export const MAX_FRAME = 4 * 1024 * 1024;

const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

/** Plain MessagePack bytes of a value. */
export const pack = (value) => packr.pack(value);

/** A frame: the length prefix, then the payload bytes as given. */
export function frame(payload, length = payload.length) {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(length);
  return Buffer.concat([head, payload]);
}

export class RawHelper {
  /** Spawns the helper and reads its hello. */
  static async start(options = {}) {
    const h = new RawHelper(options);
    h.hello = await h.next();
    return h;
  }

  constructor({ env = process.env } = {}) {
    this.child = spawn(helperPath, [], { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.stderr = '';
    this.buffer = Buffer.alloc(0);
    this.frames = [];
    this.waiters = [];
    this.exit = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    this.child.stdin.on('error', () => {});
    this.child.stderr.on('data', (d) => { this.stderr += d; });
    this.child.stdout.on('data', (d) => this.#onData(d));
    this.child.once('exit', () => this.#failWaiters());
    this.child.once('error', (e) => this.#failWaiters(e));
  }

  get pid() {
    return this.child.pid;
  }

  /** Writes raw bytes to the helper's stdin. */
  write(bytes) {
    return new Promise((resolve, reject) => {
      this.child.stdin.write(bytes, (e) => (e ? reject(e) : resolve()));
    });
  }

  /** Sends one value as a frame. */
  send(value) {
    return this.write(frame(pack(value)));
  }

  /** Sends a request and resolves to the next frame (its reply). */
  async request(value) {
    await this.send(value);
    return this.next();
  }

  /** The next frame from the helper, decoded; fails after `ms`. */
  next(ms = 10_000) {
    if (this.frames.length) return Promise.resolve(this.frames.shift());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(
        `no frame from the helper within ${ms} ms (stderr: ${this.stderr.trim()})`)), ms);
      this.waiters.push({
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
    });
  }

  /** Closes stdin and waits for the helper to exit. */
  async close() {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }

  #onData(data) {
    this.buffer = Buffer.concat([this.buffer, data]);
    while (this.buffer.length >= 4) {
      const len = this.buffer.readUInt32BE(0);
      if (this.buffer.length < 4 + len) break;
      const payload = this.buffer.subarray(4, 4 + len);
      this.buffer = this.buffer.subarray(4 + len);
      let value;
      try {
        value = unpackr.unpack(payload);
      } catch (e) {
        value = { undecodable: payload, reason: e.message };
      }
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(value);
      else this.frames.push(value);
    }
  }

  #failWaiters(error) {
    const why = error ?? new Error(`the helper exited (stderr: ${this.stderr.trim()})`);
    for (const w of this.waiters.splice(0)) w.reject(why);
  }
}

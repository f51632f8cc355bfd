// Namespace: a handle on one network namespace, with its path and its id.
//
// Named namespaces are compatible with `ip netns`: the same run directory
// (/run/netns), the same files, created and deleted the same way, by the
// helper. A handle remembers the namespace's id ("DEV:INO" of its nsfs
// inode) when it is made; withNamespace() checks every reply against it,
// so a namespace deleted and re-created under the same name is never
// mistaken for the old one.
//
// A temporary namespace has no name. The helper creates it and Node keeps
// it alive by holding an fd to it, so its path is /proc/NODE_PID/fd/N and
// it lives until close(), whatever happens to the helper.
//
// Node itself never enters a namespace: everything that must happen inside
// one is an op the helper runs. The static methods that only read (current,
// list) use plain file system calls.

import {
  type FileHandle, lstat, open, readdir, readlink, realpath, stat, statfs,
} from 'node:fs/promises';
import { statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import { describe, errorFromWire, NsdoError } from './errors.js';
import { getHelper, submitRequest, type Helper } from './helper/helper.js';
import type { WireNamespaceInfo, WireOp, WireReply } from './wire/types.js';

/** The run directory of `ip netns`. */
export const DEFAULT_RUN_DIR = '/run/netns';

/** statfs() f_type of nsfs, the file system of namespace files. */
const NSFS_MAGIC = 0x6e736673;

export interface NamespaceOptions {
  /** The helper to use; default: getHelper(). */
  helper?: Helper;
}

export interface NamespaceCreateOptions extends NamespaceOptions {
  /** The run directory; default /run/netns. */
  dir?: string;
}

export type NamespaceOpenOptions = NamespaceCreateOptions;

export interface NamespaceListOptions {
  /** The run directory; default /run/netns. */
  dir?: string;
}

/** For the library's own modules: a handle for a path whose id is already known. */
export let makeNamespace: (path: string, id: string, name?: string) => Namespace;

/**
 * For the library's own modules: the path a request should name for `ns`;
 * throws ERR_NSDO_NAMESPACE_CLOSED for a closed or deleted handle.
 */
export let namespacePath: (ns: Namespace, op: string) => string;

const token = Symbol('Namespace');

export class Namespace {
  /** Where the namespace is reachable: /run/netns/NAME, /proc/PID/ns/net, ... */
  readonly path: string;
  /** The name, for a namespace in a run directory. */
  readonly name: string | undefined;
  /** 'DEV:INO' of the namespace's nsfs inode. */
  readonly id: string;
  readonly #helper: Helper | undefined;
  /** A temporary namespace: Node's fd that keeps it alive. */
  #file: FileHandle | null;
  /** Why the handle may not be used any more, or null. */
  #closed: string | null = null;

  static {
    makeNamespace = (path, id, name) => new Namespace(token, path, id, name, undefined, null);
    namespacePath = (ns, op) => {
      if (ns.#closed !== null) throw closedError(ns, op);
      return ns.path;
    };
  }

  /** Handles come from the static methods. */
  private constructor(key: symbol, path: string, id: string, name: string | undefined,
    helper: Helper | undefined, file: FileHandle | null) {
    if (key !== token) throw new TypeError('Namespace handles come from its static methods');
    this.path = path;
    this.id = id;
    this.name = name;
    this.#helper = helper;
    this.#file = file;
  }

  /** Creates a named namespace, like `ip netns add NAME`. */
  static async create(name: string, options: NamespaceCreateOptions = {}): Promise<Namespace> {
    checkName('Namespace.create', name);
    const dir = options.dir === undefined ? undefined : resolve(options.dir);
    const path = join(dir ?? DEFAULT_RUN_DIR, name);
    const op: WireOp = dir === undefined
      ? { op: 'namespace.create', name } : { op: 'namespace.create', name, dir };
    let info: WireNamespaceInfo;
    try {
      info = await homeRequest(options.helper, op, path);
    } catch (error) {
      throw cutShort(error, path, name);
    }
    return new Namespace(token, info.path, info.id, name, options.helper, null);
  }

  /**
   * Opens a namespace by name (in the run directory) or by path, checking
   * that it is one. A path is followed as open() follows it; a name is the
   * run directory's own entry, so a symbolic link there that leads out of
   * the directory is refused (ERR_NSDO_NOT_A_NAMESPACE), as list() leaves
   * it out.
   */
  static async open(nameOrPath: string, options: NamespaceOpenOptions = {}): Promise<Namespace> {
    const dir = resolve(options.dir ?? DEFAULT_RUN_DIR);
    let path: string;
    let name: string | undefined;
    if (typeof nameOrPath === 'string' && nameOrPath.includes('/')) {
      path = absolutePath(nameOrPath);
      name = dirname(path) === dir ? basename(path) : undefined;
    } else {
      name = checkName('Namespace.open', nameOrPath);
      path = join(dir, name);
      await refuseLinkOut(dir, path);
    }
    const info = await homeRequest(options.helper, { op: 'namespace.identify', path }, path);
    return new Namespace(token, path, info.id, name, options.helper, null);
  }

  /** The namespace of a process, /proc/PID/ns/net. */
  static async fromPid(pid: number, options: NamespaceOptions = {}): Promise<Namespace> {
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) {
      throw new NsdoError(`Namespace.fromPid: \`pid\` must be a positive integer; ` +
        `got ${describe(pid)}`, { code: 'ERR_NSDO_BAD_ARGUMENT' });
    }
    const path = `/proc/${pid}/ns/net`;
    const info = await homeRequest(options.helper, { op: 'namespace.identify', pid }, path);
    return new Namespace(token, info.path, info.id, undefined, options.helper, null);
  }

  /** Node's own namespace. Not /proc/self: a path sent to the helper must mean the same there. */
  static async current(): Promise<Namespace> {
    const path = `/proc/${process.pid}/ns/net`;
    return new Namespace(token, path, idOf(await stat(path)), undefined, undefined, null);
  }

  /** The named namespaces in the run directory; none if it does not exist. */
  static async list(options: NamespaceListOptions = {}): Promise<Namespace[]> {
    const dir = resolve(options.dir ?? DEFAULT_RUN_DIR);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const found = await Promise.all(names.sort().map((name) => inspectEntry(dir, name)));
    return found.filter((ns): ns is Namespace => ns !== null);
  }

  /** An anonymous namespace that lives until close() (or the end of `await using`). */
  static async temporary(options: NamespaceOptions = {}): Promise<Namespace> {
    const helper = options.helper ?? getHelper();
    const info = await homeRequest(helper, { op: 'namespace.temporary' }, undefined);
    let file: FileHandle | undefined;
    try {
      file = await open(info.path, 'r');
      const id = idOf(await file.stat());
      if (id !== info.id) throw mismatchError('Namespace.temporary', info.path, info.id, id);
      await homeRequest(helper, { op: 'namespace.release', path: info.path }, info.path);
    } catch (error) {
      await file?.close();
      await homeRequest(helper, { op: 'namespace.release', path: info.path }, info.path)
        .catch(() => { /* the first error is the one to report */ });
      throw error;
    }
    const path = `/proc/${process.pid}/fd/${file.fd}`;
    return new Namespace(token, path, info.id, undefined, options.helper, file);
  }

  /** True for a handle from Namespace.temporary(). */
  get temporary(): boolean {
    return this.#file !== null;
  }

  /**
   * Deletes the namespace: for a named one a lazy unmount and unlink, like
   * `ip netns del`; for a temporary one the same as close(). The handle may
   * not be used afterwards.
   */
  async delete(): Promise<void> {
    if (this.#file !== null) return this.close();
    namespacePath(this, 'namespace.delete');
    if (this.path.startsWith('/proc/')) {
      throw new NsdoError(`namespace.delete: ${this.path} is not a mount that can be ` +
        'deleted; a process holds this namespace alive', {
        code: 'ERR_NSDO_BAD_ARGUMENT', op: 'namespace.delete', namespace: this.path,
      });
    }
    // The id makes the helper leave alone a namespace made under the same
    // name after this handle was taken.
    await homeRequest(this.#helper, { op: 'namespace.delete', path: this.path, expect: this.id },
      this.path);
    this.#closed = 'deleted';
  }

  /** A temporary namespace: drops Node's fd, which frees it. Others: nothing to do. */
  async close(): Promise<void> {
    const file = this.#file;
    if (file === null || this.#closed !== null) return;
    this.#closed = 'closed';
    await file.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * A path as the helper must see it to mean what it means to Node: absolute
 * (the helper may have another working directory), and with /proc/self
 * spelt /proc/NODE_PID (there, "self" would be the helper).
 */
export function absolutePath(path: string): string {
  const absolute = path.charCodeAt(0) === 47 ? path : resolve(path);
  if (!absolute.startsWith('/proc/')) return absolute;
  const self = /^\/proc\/(?:self|thread-self)(?=\/|$)/;
  return absolute.replace(self, `/proc/${process.pid}`);
}

/** 'DEV:INO' of a stat result. */
export function idOf(stats: Stats): string {
  return `${stats.dev}:${stats.ino}`;
}

/**
 * The id of the namespace at `path`, read by stat(); a missing path throws
 * the same ERR_NSDO_NAMESPACE_NOT_FOUND the helper would give.
 */
export function namespaceIdAt(path: string): string {
  let stats: Stats | undefined;
  try {
    stats = statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const permission = code === 'EACCES' || code === 'EPERM';
    throw new NsdoError(`${path}: cannot stat it (${code})`, {
      code: permission ? 'ERR_NSDO_NAMESPACE_PERMISSION'
        : code === 'ENOTDIR' ? 'ERR_NSDO_NAMESPACE_NOT_FOUND' : (code ?? 'EIO'),
      namespace: path, cause: error,
    });
  }
  if (stats === undefined) {
    throw new NsdoError(`${path}: no such namespace (ERR_NSDO_NAMESPACE_NOT_FOUND)`, {
      code: 'ERR_NSDO_NAMESPACE_NOT_FOUND', namespace: path,
    });
  }
  return idOf(stats);
}

export function mismatchError(what: string, path: string, expected: string,
  actual: string | null): NsdoError {
  return new NsdoError(`${what}: namespace mismatch: ${path} was ${expected} but the work ` +
    `ran in ${actual ?? 'no namespace'} (was it deleted and created again?)`, {
    code: 'ERR_NSDO_NAMESPACE_MISMATCH', namespace: path,
  });
}

/**
 * Checks a namespace name as `ip netns` needs it: a single file name of 1
 * to 255 bytes, not '.' or '..'.
 */
function checkName(op: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name === '.' || name === '..' ||
    name.includes('/') || name.includes('\0') || Buffer.byteLength(name) > 255) {
    throw new NsdoError(`${op}: \`name\` must be a file name of 1 to 255 bytes, not '.' ` +
      `or '..', without '/'; got ${describe(name)}`, { code: 'ERR_NSDO_INVALID_NAME', op });
  }
  return name;
}

function closedError(ns: Namespace, op: string): NsdoError {
  return new NsdoError(`${op}: the namespace handle for ${ns.path} was ` +
    `${ns.temporary ? 'closed' : 'deleted'} and may not be used any more`, {
    code: 'ERR_NSDO_NAMESPACE_CLOSED', op, namespace: ns.path,
  });
}

/**
 * A create whose helper died in the middle may have left its file behind,
 * empty or with the new namespace mounted on it, as `ip netns add` killed
 * half-way does; the error says so and how to remove it. Other errors pass.
 */
function cutShort(error: unknown, path: string, name: string): unknown {
  if (!(error instanceof NsdoError) || error.code !== 'ERR_NSDO_HELPER_EXITED') return error;
  return new NsdoError(`${error.message}\nNamespace.create ${path} was cut short: the file ` +
    `may be left behind, empty or with the new namespace on it; \`ip netns del ${name}\` ` +
    'removes either', {
    code: error.code, exitCode: error.exitCode, signal: error.signal, stderr: error.stderr,
    op: 'namespace.create', namespace: path, cause: error,
  });
}

/**
 * Throws ERR_NSDO_NOT_A_NAMESPACE when the run directory's entry `path` is
 * a symbolic link that leads out of `dir`: a name means a file of the run
 * directory, and `ip netns` makes no links. A link to another entry of the
 * directory is followed. (Someone who may write to the directory can still
 * swap the entry between this look and the helper's open; the handle's id
 * is then that of what the helper opened.)
 */
async function refuseLinkOut(dir: string, path: string, depth = 0): Promise<void> {
  let target: string;
  let targetDir: string;
  try {
    if (!(await lstat(path)).isSymbolicLink()) return;
    // Read the link, not realpath(): /proc/PID/ns/net, where such links
    // usually lead, is itself a link to no path ("net:[4026531840]").
    target = resolve(dirname(path), await readlink(path));
    targetDir = await realpath(dirname(target)).catch(() => dirname(target));
  } catch {
    return;   // missing meanwhile: the helper's open says so
  }
  if (targetDir === (await realpath(dir))) {
    // Another entry of the directory, unless links go round in circles
    // (the helper's open answers ELOOP then).
    if (depth < 8) await refuseLinkOut(dir, join(dir, basename(target)), depth + 1);
    return;
  }
  throw new NsdoError(`Namespace.open: ${path} is a symbolic link to ${target}, outside ` +
    `${dir}; a name opens a namespace file of the run directory (open ${target} by its ` +
    'path to use it)', { code: 'ERR_NSDO_NOT_A_NAMESPACE', op: 'Namespace.open', namespace: path });
}

/** One entry of a run directory: a handle if it is a namespace file, else null. */
async function inspectEntry(dir: string, name: string): Promise<Namespace | null> {
  const path = join(dir, name);
  try {
    // A symbolic link is not a namespace of this directory, whatever it
    // leads to: `ip netns` makes none, and nsdo's delete leaves them alone.
    if ((await lstat(path)).isSymbolicLink()) return null;
    const [fs, stats] = await Promise.all([statfs(path), stat(path)]);
    if (Number(fs.type) !== NSFS_MAGIC) return null;
    return makeNamespace(path, idOf(stats), name);
  } catch {
    return null;   // vanished meanwhile, or not readable: not one we can list
  }
}

/** Runs one namespace management op in the helper's home namespace. */
function homeRequest(helper: Helper | undefined, op: WireOp,
  path: string | undefined): Promise<WireNamespaceInfo> {
  return submitRequest(helper ?? getHelper(), undefined, [op], false, undefined,
    settleHome, path);
}

function settleHome(reply: WireReply, path: string | undefined): WireNamespaceInfo {
  if (reply.error !== undefined && reply.error !== null) {
    throw errorFromWire(reply.error, path, reply.results);
  }
  return reply.results[0] as WireNamespaceInfo;
}

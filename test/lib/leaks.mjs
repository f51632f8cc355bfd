// What a test leaves behind, read from /proc: open fds (Node's and a
// helper's), child processes and zombies, mounts and files in the run
// directory. A test takes a snapshot before, does its work, and compares:
// every check returns a list of readable problems, empty when all is well,
// so that a failing assertion says exactly what leaked.
//
// The fds a live helper may hold are the ones helper/PROTOCOL.md and the
// architecture name: 0, 1 and 2 (its pipes to Node); an fd to its home
// namespace and home's netlink socket; one fd per temporary namespace it
// holds; and its cache: for each namespace it has worked in lately (64 at
// most) a NETLINK_ROUTE socket and possibly an fd to that namespace.
// Every fd above 2 must be close-on-exec.
import fs from 'node:fs';

/** How many namespaces the helper caches at most besides home (helper/ns.c). */
export const CACHE_MAX = 64;

// A helper run under valgrind (scripts/valgrind.mjs) shares its process
// with valgrind, which keeps fds of its own (its log, the binary, pipes to
// vgdb) at the top of the fd range, far above any the helper opens.
const UNDER_VALGRIND = Boolean(process.env.NSDO_TEST_VALGRIND);
const VALGRIND_FDS = 10000;

/** statfs() f_type of nsfs, the file system of namespace files. */
const NSFS_MAGIC = 0x6e736673;

/** O_CLOEXEC as /proc/PID/fdinfo/N spells it in `flags:` (octal). */
const O_CLOEXEC = 0o2000000;

/** The open fds of a process: Map fd -> readlink target ('socket:[123]'). */
export function fdTable(pid = process.pid) {
  const dir = `/proc/${pid}/fd`;
  const table = new Map();
  for (const name of fs.readdirSync(dir)) {
    try {
      table.set(Number(name), fs.readlinkSync(`${dir}/${name}`));
    } catch {
      // closed meanwhile: readdir's own directory fd is one of those
    }
  }
  return table;
}

/** fds of `after` that `before` did not have, as "N -> target" lines. */
export function newFds(before, after) {
  return [...after].filter(([fd, target]) => before.get(fd) !== target)
    .map(([fd, target]) => `${fd} -> ${target}`);
}

/**
 * /proc/PID/stat of a process as { comm, fields }, fields[0] being its
 * state (field 3 of proc(5)), or null when it is gone.
 */
export function procStat(pid) {
  let stat;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses.
  const close = stat.lastIndexOf(')');
  return { comm: stat.slice(stat.indexOf('(') + 1, close), fields: stat.slice(close + 2).split(' ') };
}

/**
 * The processes whose parent is `parent`: [{ pid, state, comm }]. State
 * 'Z' is a zombie: exited, not yet reaped by its parent.
 */
export function childrenOf(parent = process.pid) {
  const children = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(name);
    if (stat === null) continue;   // gone meanwhile
    const [state, ppid] = stat.fields;
    if (Number(ppid) === parent) children.push({ pid: Number(name), state, comm: stat.comm });
  }
  return children;
}

/** Children of Node in state Z, as readable lines. */
export function zombies(parent = process.pid) {
  return childrenOf(parent).filter((c) => c.state === 'Z')
    .map((c) => `zombie ${c.pid} (${c.comm})`);
}

/**
 * The pids of Node's children that run the executable at `exe` (under
 * valgrind, whose tool is the executable of every helper: any of those).
 */
export function helperChildren(exe, parent = process.pid) {
  const want = fs.realpathSync(exe);
  const isHelper = (path) => (UNDER_VALGRIND ? /\/memcheck-[^/]+$/.test(path) : path === want);
  return childrenOf(parent).filter((c) => {
    try {
      return isHelper(fs.realpathSync(`/proc/${c.pid}/exe`));
    } catch {
      return false;   // a zombie has no exe; zombies() reports those
    }
  }).map((c) => c.pid);
}

/** Whether a pid is still a child of Node (alive or a zombie). */
export function isChild(pid, parent = process.pid) {
  return childrenOf(parent).some((c) => c.pid === pid);
}

/**
 * The mounts at or below `dir`, one line each: "MOUNTPOINT ROOT FSTYPE",
 * sorted, duplicates kept (a namespace mounted twice shows twice). The
 * propagation fields are left out: whether the run directory is shared
 * depends on which test created a namespace first.
 */
export function mountsUnder(dir = '/run/netns') {
  const lines = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean);
  const found = [];
  for (const line of lines) {
    const [before, after = ''] = line.split(' - ');
    const fields = before.split(' ');
    const mountPoint = unescape(fields[4]);
    if (mountPoint === dir || mountPoint.startsWith(`${dir}/`)) {
      found.push(`${mountPoint} ${fields[3]} ${after.split(' ')[0]}`);
    }
  }
  return found.sort();
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescape(text) {
  return text.replace(/\\([0-7]{3})/g, (_, oct) => String.fromCharCode(parseInt(oct, 8)));
}

/** The entries of a directory, sorted; none if it does not exist. */
export function entriesOf(dir = '/run/netns') {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/**
 * What Node holds now: its fds, its children, the run directory's entries
 * and mounts. Compare two with snapshotDiff().
 */
export function snapshot(runDir = '/run/netns') {
  return {
    fds: fdTable(),
    children: childrenOf().map((c) => c.pid).sort((a, b) => a - b),
    entries: entriesOf(runDir),
    mounts: mountsUnder(runDir),
  };
}

/**
 * The differences between two snapshots, as readable lines: fds opened or
 * closed, children that appeared, entries and mounts added or removed.
 * `allowChildren` lists pids that may have appeared (a live helper).
 */
export function snapshotDiff(before, after, { allowChildren = [] } = {}) {
  const problems = [];
  for (const line of newFds(before.fds, after.fds)) problems.push(`fd opened: ${line}`);
  for (const line of newFds(after.fds, before.fds)) problems.push(`fd closed: ${line}`);
  for (const pid of after.children) {
    if (!before.children.includes(pid) && !allowChildren.includes(pid)) {
      problems.push(`new child process ${pid}`);
    }
  }
  problems.push(...listDiff('run directory entry', before.entries, after.entries));
  problems.push(...listDiff('mount', before.mounts, after.mounts));
  return problems;
}

/** Lines for the items added to or removed from a list (a multiset). */
function listDiff(what, before, after) {
  const problems = [];
  const left = [...before];
  for (const item of after) {
    const i = left.indexOf(item);
    if (i === -1) problems.push(`${what} added: ${item}`);
    else left.splice(i, 1);
  }
  for (const item of left) problems.push(`${what} removed: ${item}`);
  return problems;
}

/**
 * Checks a live helper's fds against what it may hold: 0, 1 and 2; the
 * home namespace (`homeId`, 'DEV:INO') and its socket; `temporaries`
 * temporary namespaces; and for at most `cached` other namespaces a socket
 * and a namespace fd each. Nothing else, and every fd above 2
 * close-on-exec. A namespace fd reads as 'net:[INO]', or as the path it was
 * opened by when that is a bind mount (/run/netns/NAME): nsfs tells.
 * Returns { problems, namespaces, sockets }.
 */
export function helperFdReport(pid, { homeId, temporaries = 0, cached = CACHE_MAX } = {}) {
  const table = fdTable(pid);
  const problems = [];
  let namespaces = 0;
  let sockets = 0;
  let home = false;
  for (const fd of [0, 1, 2]) {
    if (!table.has(fd)) problems.push(`fd ${fd} is not open`);
  }
  for (const [fd, target] of table) {
    if (fd <= 2 || (UNDER_VALGRIND && fd >= VALGRIND_FDS)) continue;
    if (!closeOnExec(pid, fd)) problems.push(`fd ${fd} -> ${target} is not close-on-exec`);
    if (/^socket:\[\d+\]$/.test(target)) {
      sockets++;
      continue;
    }
    const id = namespaceIdOf(`/proc/${pid}/fd/${fd}`);
    if (id === null) {
      problems.push(`fd ${fd} -> ${target}: neither a namespace nor a socket`);
      continue;
    }
    namespaces++;
    if (id === homeId) home = true;
  }
  if (homeId !== undefined && !home) problems.push(`no fd to the home namespace ${homeId}`);
  if (namespaces > 1 + temporaries + cached) {
    problems.push(`${namespaces} namespace fds; expected home's, at most ${temporaries} ` +
      `temporary and at most ${cached} cached`);
  }
  if (sockets > 1 + cached) {
    problems.push(`${sockets} sockets; expected home's and at most ${cached} cached`);
  }
  return { problems, namespaces, sockets };
}

/** 'DEV:INO' of the namespace a path (or /proc/PID/fd/N) is, or null if not on nsfs. */
function namespaceIdOf(path) {
  try {
    if (Number(fs.statfsSync(path).type) !== NSFS_MAGIC) return null;
    const st = fs.statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
}

/** Whether fd `fd` of `pid` has O_CLOEXEC, from /proc/PID/fdinfo. */
function closeOnExec(pid, fd) {
  try {
    const info = fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    const flags = /^flags:\s+([0-7]+)$/m.exec(info);
    return flags !== null && (parseInt(flags[1], 8) & O_CLOEXEC) !== 0;
  } catch {
    return true;   // closed meanwhile: nothing to hold against it
  }
}

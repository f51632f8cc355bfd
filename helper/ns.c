// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: namespaces: home, checking, entering, the cache
 *
 * The first time a namespace is named, its path is opened with O_PATH.
 * That open has no side effects whatever the path is (a FIFO would block a
 * plain open, a device could act on it), and is enough for fstatfs(), which
 * tells whether the file is on nsfs at all. Only then is the file opened
 * for real, through /proc/self/fd, to ask NS_GET_NSTYPE which kind of
 * namespace it is. Each way of being wrong has its own error code.
 *
 * The namespace then goes into the cache with a netlink socket opened
 * inside it (namespace.create puts the namespaces it makes there itself),
 * and from then on a request that names it costs one stat(): an nsfs inode
 * number identifies its namespace, and the entry's socket keeps that
 * namespace, and so its number, alive, so a path that stats to a cached
 * (dev, ino) names that very namespace and needs no second check. The
 * socket is also the way back to the namespace itself: SIOCGSKNS on it
 * gives an fd to the namespace, for setns() or IFLA_NET_NS_FD.
 *
 * The cache holds NS_CACHE_SIZE entries besides home's and evicts the least
 * recently used when full. An entry expires NS_CACHE_TTL_MS after its last
 * use: the check runs at the start of every request and when poll() times
 * out, so a namespace deleted behind nsdo's back (`ip netns del`) is let go
 * within about a second even while the helper is busy with others. An
 * entry also goes at once when the path it was reached by is found gone
 * or naming another namespace: that namespace was deleted, or deleted and
 * made again under the same name.
 *
 * Files are opened with the raw openat system call: musl's open() follows
 * every O_CLOEXEC open with an fcntl(FD_CLOEXEC) for kernels older than
 * 2.6.23, one system call per open that this helper does not need.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/sockios.h>

#include "log.h"
#include "ns.h"

#define NS_CACHE_SIZE	64
#define NS_SELF		"/proc/thread-self/ns/net"
#define NS_SELF_OLD	"/proc/self/ns/net"	/* before Linux 3.17 */

static int ns_home = -1;
static struct ns_entry ns_home_entry;	/* its socket opens on first use */
static bool ns_away;		/* the helper is not in its home namespace */

static struct ns_entry ns_cache[NS_CACHE_SIZE];
static unsigned int ns_cached;
static uint64_t ns_next_expiry;	/* no entry expires before this */

/**
 * ns_file_open() - open() as one system call, always O_CLOEXEC
 * @path:	Path
 * @flags:	O_* flags
 * @mode:	Mode of a file O_CREAT makes
 *
 * Return: the fd, or -1 with errno set
 */
int ns_file_open(const char *path, int flags, mode_t mode)
{
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags | O_CLOEXEC,
			    mode);
}

/**
 * ns_id_from_stat() - The id of a namespace from its stat() data
 * @st:		stat() or fstat() of the nsfs file
 * @id:		Its id
 */
static void ns_id_from_stat(const struct stat *st, struct ns_id *id)
{
	id->dev = (uint64_t)st->st_dev;
	id->ino = (uint64_t)st->st_ino;
}

/**
 * ns_id_from_fd() - The id of the namespace behind an fd
 * @fd:		Namespace fd (O_PATH is enough)
 * @id:		Its id
 *
 * Return: 0, or -1 with errno set
 */
static int ns_id_from_fd(int fd, struct ns_id *id)
{
	struct stat st;

	if (fstat(fd, &st))
		return -1;
	ns_id_from_stat(&st, id);
	return 0;
}

/**
 * ns_entry_fill() - Give an entry its namespace's id
 * @e:		Entry, its socket open (or the home entry)
 * @id:		The namespace's id
 */
static void ns_entry_fill(struct ns_entry *e, const struct ns_id *id)
{
	e->id = *id;
	e->used = ns_now_ms();
	e->path_hash = 0;
	ns_id_format(id, e->text, sizeof(e->text));
}

/**
 * ns_init() - Remember the home namespace: an fd to it, and its id
 *
 * Return: 0, or -1 after logging why (the helper cannot work without it)
 */
int ns_init(void)
{
	struct ns_id id;
	int i;

	for (i = 0; i < NS_CACHE_SIZE; i++)
		ns_cache[i].nl.fd = -1;
	ns_home_entry.nl.fd = -1;

	ns_home = ns_file_open(NS_SELF, O_RDONLY, 0);
	if (ns_home < 0 && errno == ENOENT)
		ns_home = ns_file_open(NS_SELF_OLD, O_RDONLY, 0);
	if (ns_home < 0) {
		err("cannot open %s: %s (is /proc mounted?)", NS_SELF,
		    strerror(errno));
		return -1;
	}

	if (ns_id_from_fd(ns_home, &id)) {
		err("cannot stat the home namespace: %s", strerror(errno));
		return -1;
	}
	ns_entry_fill(&ns_home_entry, &id);
	return 0;
}

/**
 * ns_home_id() - The id of the namespace the helper started in
 *
 * Return: a pointer to it, valid for the helper's life
 */
const struct ns_id *ns_home_id(void)
{
	return &ns_home_entry.id;
}

/**
 * ns_home_fd() - An fd to the namespace the helper started in
 *
 * Return: the fd, owned by this module: never close it
 */
int ns_home_fd(void)
{
	return ns_home;
}

/**
 * ns_now_ms() - A monotonic clock, in milliseconds
 *
 * Return: milliseconds since some fixed moment (a vDSO call, no syscall)
 */
uint64_t ns_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/**
 * ns_id_format() - Spell a namespace id as the wire does: "DEV:INO"
 * @id:		Namespace id
 * @buf:	Text, NUL-terminated
 * @size:	Size of @buf, NS_ID_LEN is enough
 */
void ns_id_format(const struct ns_id *id, char *buf, size_t size)
{
	snprintf(buf, size, "%llu:%llu", (unsigned long long)id->dev,
		 (unsigned long long)id->ino);
}

/**
 * ns_target_path() - The path a namespace target names
 * @ctx:	Op context, for errors
 * @target:	A path (string) or a pid (unsigned integer)
 * @path:	The path, NUL-terminated, PATH_MAX bytes
 *
 * Return: 0, or -1 after op_fail()
 */
static int ns_target_path(struct op_ctx *ctx, const struct mp_obj *target,
			  char *path)
{
	const char *bad = ctx->op ? "ERR_NSDO_BAD_ARGUMENT" :
			  "ERR_NSDO_BAD_REQUEST";
	char desc[64];

	if (!ns_target_valid(target)) {
		arg_describe(target, desc, sizeof(desc));
		return op_fail(ctx, bad, "namespace: expected a path of 1 to "
			       "%d bytes or a pid from 1 to %d, got %s",
			       PATH_MAX - 1, INT_MAX, desc);
	}

	if (target->type == MP_UINT) {
		snprintf(path, PATH_MAX, "/proc/%llu/ns/net",
			 (unsigned long long)target->v.u);
	} else {
		memcpy(path, target->v.str.ptr, target->v.str.len);
		path[target->v.str.len] = '\0';
	}
	return 0;
}

/**
 * ns_target_valid() - Whether a value can name a namespace
 * @target:	A path (string) or a pid (unsigned integer), as ns_open() takes
 *
 * Return: true for a path of 1 to PATH_MAX - 1 bytes without NUL, or a pid
 * from 1 to INT_MAX
 */
bool ns_target_valid(const struct mp_obj *target)
{
	if (target->type == MP_UINT)
		return target->v.u >= 1 && target->v.u <= INT_MAX;
	return target->type == MP_STR && target->v.str.len &&
	       target->v.str.len < PATH_MAX &&
	       !memchr(target->v.str.ptr, '\0', target->v.str.len);
}

/**
 * ns_expect() - Refuse a namespace other than the one the caller meant
 * @ctx:	Op context
 * @path:	The path that led to the namespace, for the message
 * @expect:	The id the caller's handle has ("DEV:INO"), or "" for any
 * @id:		The id of the namespace @path leads to now
 *
 * A handle outlives its name: deleted with `ip netns del` and made again,
 * the name leads to another namespace, which an op given the old handle
 * must neither configure nor delete.
 *
 * Return: 0, or -1 after op_fail() with ERR_NSDO_NAMESPACE_MISMATCH
 */
int ns_expect(struct op_ctx *ctx, const char *path, const char *expect,
	      const struct ns_id *id)
{
	char text[NS_ID_LEN];

	if (!*expect)
		return 0;

	ns_id_format(id, text, sizeof(text));
	if (!strcmp(expect, text))
		return 0;
	return op_fail(ctx, "ERR_NSDO_NAMESPACE_MISMATCH", "%s: expected "
		       "namespace %s, found %s (deleted and created again "
		       "meanwhile); left alone", path, expect, text);
}

/**
 * ns_open_fail() - Report why a namespace path could not be opened
 * @ctx:	Op context
 * @path:	The path
 * @errnum:	errno of the failed open()
 *
 * Return: -1
 */
static int ns_open_fail(struct op_ctx *ctx, const char *path, int errnum)
{
	switch (errnum) {
	case ENOENT:
	case ENOTDIR:
	case ESRCH:
		return op_fail(ctx, "ERR_NSDO_NAMESPACE_NOT_FOUND",
			       "namespace %s does not exist", path);
	case EPERM:
	case EACCES:
		return op_fail(ctx, "ERR_NSDO_NAMESPACE_PERMISSION",
			       "namespace %s: %s", path, strerror(errnum));
	default:
		return op_fail_errno(ctx, errnum, "namespace %s", path);
	}
}

/**
 * ns_kind_name() - What a file that is not a namespace is, for a message
 * @fd:		The file (O_PATH)
 *
 * Return: a description, never NULL
 */
static const char *ns_kind_name(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return "not on nsfs";
	if (S_ISDIR(st.st_mode))
		return "a directory";
	if (S_ISREG(st.st_mode) && !st.st_size)
		return "an empty file: a namespace mount that is gone leaves "
		       "one behind";
	if (S_ISREG(st.st_mode))
		return "a plain file";
	return "not on nsfs";
}

/**
 * ns_type_name() - Name of a namespace type, for a message
 * @type:	CLONE_NEW* value from NS_GET_NSTYPE
 *
 * Return: "mount", "pid", ... or "unknown"
 */
static const char *ns_type_name(int type)
{
	switch (type) {
	case CLONE_NEWNS:
		return "mount";
	case CLONE_NEWPID:
		return "pid";
	case CLONE_NEWUSER:
		return "user";
	case CLONE_NEWUTS:
		return "uts";
	case CLONE_NEWIPC:
		return "ipc";
	case CLONE_NEWCGROUP:
		return "cgroup";
	default:
		return "unknown";
	}
}

/**
 * ns_reopen() - Open a checked nsfs file for real, and check its type
 * @ctx:	Op context
 * @path:	The path, for messages
 * @pfd:	O_PATH fd of a file on nsfs
 *
 * Return: an O_RDONLY fd to a network namespace, or -1 after op_fail()
 */
static int ns_reopen(struct op_ctx *ctx, const char *path, int pfd)
{
	int fd, type, errnum;
	char proc[40];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = ns_file_open(proc, O_RDONLY, 0);
	if (fd < 0)
		return ns_open_fail(ctx, path, errno);

	type = ioctl(fd, NS_GET_NSTYPE);
	errnum = errno;
	if (type == CLONE_NEWNET)
		return fd;
	close(fd);

	if (type < 0)
		return op_fail_errno(ctx, errnum, "namespace %s", path);
	return op_fail(ctx, "ERR_NSDO_WRONG_NAMESPACE_TYPE", "namespace %s is "
		       "a %s namespace, not a network namespace", path,
		       ns_type_name(type));
}

/**
 * ns_check() - Open a path and check that it is a network namespace
 * @ctx:	Op context, for errors
 * @path:	The path
 * @fd:		An O_RDONLY fd to the namespace, for the caller to close
 * @id:		Its id
 *
 * Return: 0, or -1 after op_fail() with the code that says what is wrong
 */
static int ns_check(struct op_ctx *ctx, const char *path, int *fd,
		    struct ns_id *id)
{
	struct statfs sfs;
	int pfd, rc = -1;

	pfd = ns_file_open(path, O_PATH, 0);
	if (pfd < 0)
		return ns_open_fail(ctx, path, errno);

	if (fstatfs(pfd, &sfs)) {
		op_fail_errno(ctx, errno, "namespace %s", path);
	} else if (sfs.f_type != NSFS_MAGIC) {
		op_fail(ctx, "ERR_NSDO_NOT_A_NAMESPACE", "%s is not a "
			"namespace (%s)", path, ns_kind_name(pfd));
	} else if (ns_id_from_fd(pfd, id)) {
		op_fail_errno(ctx, errno, "namespace %s", path);
	} else {
		*fd = ns_reopen(ctx, path, pfd);
		rc = *fd < 0 ? -1 : 0;
	}

	close(pfd);
	return rc;
}

/**
 * ns_path_hash() - A short hash of a path, to tell paths apart cheaply
 * @path:	NUL-terminated path
 *
 * Return: 32-bit FNV-1a of the bytes, never 0 (0 marks "no path")
 */
static uint32_t ns_path_hash(const char *path)
{
	uint32_t h = 2166136261u;

	while (*path)
		h = (h ^ (uint8_t)*path++) * 16777619u;
	return h ? h : 1;
}

/**
 * ns_cache_find() - The entry of a namespace, home's included
 * @id:		Namespace id
 *
 * Return: the entry, or NULL if the namespace is not cached
 */
static struct ns_entry *ns_cache_find(const struct ns_id *id)
{
	int i;

	if (ns_id_equal(id, &ns_home_entry.id))
		return &ns_home_entry;
	for (i = 0; ns_cached && i < NS_CACHE_SIZE; i++) {
		if (ns_cache[i].nl.fd >= 0 && ns_id_equal(&ns_cache[i].id, id))
			return &ns_cache[i];
	}
	return NULL;
}

/**
 * ns_cache_evict() - Close an entry's socket and free its slot
 * @e:		Entry in use, not home's
 * @why:	For the debug log: "unused for a while" ...
 */
static void ns_cache_evict(struct ns_entry *e, const char *why)
{
	debug("let namespace %s go: %s", e->text, why);
	nl_close(&e->nl);
	ns_cached--;
}

/**
 * ns_cache_forget_path() - Drop entries last reached by a path
 * @hash:	ns_path_hash() of the path
 * @keep:	The namespace the path names now, or NULL for none
 *
 * The path no longer leads to them: their namespace was deleted (or its
 * name was given to a new one), and nothing should keep it alive.
 */
static void ns_cache_forget_path(uint32_t hash, const struct ns_id *keep)
{
	int i;

	for (i = 0; ns_cached && i < NS_CACHE_SIZE; i++) {
		if (ns_cache[i].nl.fd >= 0 && ns_cache[i].path_hash == hash &&
		    (!keep || !ns_id_equal(&ns_cache[i].id, keep)))
			ns_cache_evict(&ns_cache[i], "its path is gone");
	}
}

/**
 * ns_cache_slot() - A free slot, evicting the least recently used if full
 *
 * Return: a free entry
 */
static struct ns_entry *ns_cache_slot(void)
{
	struct ns_entry *lru = &ns_cache[0];
	int i;

	for (i = 0; i < NS_CACHE_SIZE; i++) {
		if (ns_cache[i].nl.fd < 0)
			return &ns_cache[i];
		if (ns_cache[i].used < lru->used)
			lru = &ns_cache[i];
	}
	ns_cache_evict(lru, "the cache is full");
	return lru;
}

/**
 * ns_socket_open() - Open an entry's socket inside its namespace
 * @ctx:	Op context, for errors
 * @e:		Entry
 * @fd:		The namespace, entered unless it is home
 *
 * Return: 0, or -1 after op_fail()
 */
static int ns_socket_open(struct op_ctx *ctx, struct ns_entry *e, int fd)
{
	int rc, errnum;

	if (fd != ns_home && ns_enter(ctx, fd) < 0)
		return -1;
	errno = 0;
	rc = nl_open(&e->nl);
	errnum = rc == -1 && errno ? errno : -rc;
	ns_return_home();

	if (rc < 0)
		return op_fail_errno(ctx, errnum, "netlink socket in namespace "
				     "%s", ctx->ns_path);
	return 0;
}

/**
 * ns_home_ready() - The home entry, its socket opened on first use
 * @ctx:	Op context, for errors
 *
 * Return: the entry, or NULL after op_fail()
 */
static struct ns_entry *ns_home_ready(struct op_ctx *ctx)
{
	if (ns_home_entry.nl.fd < 0 &&
	    ns_socket_open(ctx, &ns_home_entry, ns_home) < 0)
		return NULL;
	return &ns_home_entry;
}

/**
 * ns_cache_insert() - Make a slot, its socket open, the entry of a namespace
 * @e:		The slot
 * @id:		The namespace's id
 * @hash:	ns_path_hash() of the path it was reached by
 */
static void ns_cache_insert(struct ns_entry *e, const struct ns_id *id,
			    uint32_t hash)
{
	ns_entry_fill(e, id);
	e->path_hash = hash;
	if (!ns_cached++ || e->used + NS_CACHE_TTL_MS < ns_next_expiry)
		ns_next_expiry = e->used + NS_CACHE_TTL_MS;
}

/**
 * ns_cache_add() - Check a namespace not cached yet, and cache it
 * @ctx:	Op context, for errors
 * @path:	Its path
 * @hash:	ns_path_hash() of @path
 *
 * Return: its entry (an existing one if the path changed to a cached
 * namespace meanwhile), or NULL after op_fail()
 */
static struct ns_entry *ns_cache_add(struct op_ctx *ctx, const char *path,
				     uint32_t hash)
{
	struct ns_entry *e;
	struct ns_id id;
	int fd, rc;

	if (ns_check(ctx, path, &fd, &id) < 0)
		return NULL;

	ns_cache_forget_path(hash, &id);
	e = ns_cache_find(&id);
	if (e) {
		close(fd);
		return e == &ns_home_entry ? ns_home_ready(ctx) : e;
	}

	e = ns_cache_slot();
	rc = ns_socket_open(ctx, e, fd);
	close(fd);
	if (rc < 0)
		return NULL;

	ns_cache_insert(e, &id, hash);
	return e;
}

/**
 * ns_cache_adopt() - Cache a namespace just made, with a socket made in it
 * @id:		The namespace's id
 * @nl:		Socket opened inside it, or one that failed to open (fd -1);
 *		the cache owns it now
 * @path:	Where the namespace can be found, as a request would name it
 *
 * namespace.create and namespace.temporary are inside the new namespace
 * anyway; a socket opened there then saves the first request in it a
 * check and two setns() calls.
 */
void ns_cache_adopt(const struct ns_id *id, struct nl_sock *nl,
		    const char *path)
{
	struct ns_entry *e;

	if (nl->fd < 0)
		return;
	if (ns_cache_find(id)) {
		nl_close(nl);
		return;
	}

	e = ns_cache_slot();
	e->nl = *nl;
	ns_cache_insert(e, id, ns_path_hash(path));
}

/**
 * ns_lookup() - The cache entry of a namespace, its socket open
 * @ctx:	Op context, for errors
 * @target:	A path (string), a pid (unsigned integer), or nil for home
 *
 * One stat() finds a cached namespace; any other is checked in full.
 *
 * Return: the entry, or NULL after op_fail() with the code that says what
 * is wrong
 */
struct ns_entry *ns_lookup(struct op_ctx *ctx, const struct mp_obj *target)
{
	char path[PATH_MAX];
	struct ns_entry *e;
	struct stat st;
	struct ns_id id;
	uint32_t hash;

	if (target->type == MP_NIL)
		return ns_home_ready(ctx);
	if (ns_target_path(ctx, target, path) < 0)
		return NULL;
	hash = ns_path_hash(path);

	if (stat(path, &st)) {
		ns_cache_forget_path(hash, NULL);
		ns_open_fail(ctx, path, errno);
		return NULL;
	}

	ns_id_from_stat(&st, &id);
	e = ns_cache_find(&id);
	if (e == &ns_home_entry)
		return ns_home_ready(ctx);
	if (!e)
		e = ns_cache_add(ctx, path, hash);
	if (!e || e == &ns_home_entry)
		return e;

	e->used = ns_now_ms();
	e->path_hash = hash;
	return e;
}

/**
 * ns_fd_of() - An fd to the namespace of a socket
 * @ctx:	Op context, for errors
 * @nl:		Socket
 *
 * Return: an O_RDONLY fd (SIOCGSKNS) for the caller to close, or -1 after
 * op_fail()
 */
int ns_fd_of(struct op_ctx *ctx, const struct nl_sock *nl)
{
	int fd = ioctl(nl->fd, SIOCGSKNS);

	if (fd < 0)
		return op_fail_errno(ctx, errno, "namespace of a socket");
	return fd;
}

/**
 * ns_open() - Open a namespace named by path or pid, checking what it is
 * @ctx:	Op context, for errors
 * @target:	A path (string) or a pid (unsigned integer)
 * @expect:	The id the namespace must have ("DEV:INO"), or "" for any
 * @fd:		An O_RDONLY fd to the namespace, for the caller to close
 * @id:		Its id
 *
 * A cached namespace is not checked again: its fd comes from the cached
 * socket. Nothing is added to the cache.
 *
 * Return: 0, or -1 after op_fail() with the code that says what is wrong
 * (ERR_NSDO_NAMESPACE_MISMATCH when it is not @expect)
 */
int ns_open(struct op_ctx *ctx, const struct mp_obj *target,
	    const char *expect, int *fd, struct ns_id *id)
{
	char path[PATH_MAX];
	struct ns_entry *e;
	struct stat st;

	if (ns_target_path(ctx, target, path) < 0)
		return -1;
	if (stat(path, &st))
		return ns_open_fail(ctx, path, errno);

	ns_id_from_stat(&st, id);
	e = ns_cache_find(id);
	if (e == &ns_home_entry)
		*fd = fcntl(ns_home, F_DUPFD_CLOEXEC, 0);
	else if (e)
		*fd = ioctl(e->nl.fd, SIOCGSKNS);

	/* Not cached, or SIOCGSKNS refused (it wants CAP_NET_ADMIN there). */
	if ((!e || *fd < 0) && ns_check(ctx, path, fd, id) < 0)
		return -1;

	if (ns_expect(ctx, path, expect, id) < 0) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

/**
 * ns_enter() - Move the helper into a namespace
 * @ctx:	Op context, for errors and the path in messages
 * @fd:		Namespace fd
 *
 * Return: 0, or -1 after op_fail() (ERR_NSDO_NAMESPACE_PERMISSION for
 * EPERM); ns_return_home() must follow a success
 */
int ns_enter(struct op_ctx *ctx, int fd)
{
	if (setns(fd, CLONE_NEWNET)) {
		if (errno == EPERM)
			return op_fail(ctx, "ERR_NSDO_NAMESPACE_PERMISSION",
				       "namespace %s: not allowed to enter it "
				       "(%s)", ctx->ns_path, strerror(errno));
		return op_fail_errno(ctx, errno, "entering namespace %s",
				     ctx->ns_path);
	}
	ns_away = true;
	return 0;
}

/**
 * ns_unshare() - Move the helper into a new, empty network namespace
 * @ctx:	Op context, for errors
 *
 * Return: 0, or -1 after op_fail(); ns_return_home() must follow a success
 */
int ns_unshare(struct op_ctx *ctx)
{
	if (unshare(CLONE_NEWNET))
		return op_fail_errno(ctx, errno, "new network namespace");
	ns_away = true;
	return 0;
}

/**
 * ns_return_home() - Go back to the home namespace, if away
 *
 * The helper must never serve a request from the wrong namespace: if it
 * cannot get home, it exits.
 */
void ns_return_home(void)
{
	if (!ns_away)
		return;
	if (setns(ns_home, CLONE_NEWNET)) {
		err("cannot return to the home namespace: %s; exiting",
		    strerror(errno));
		exit(1);
	}
	ns_away = false;
}

/**
 * ns_cache_drop() - Let a namespace go: close its cached fd and socket
 * @id:		Namespace id; the home namespace's entry is kept
 */
void ns_cache_drop(const struct ns_id *id)
{
	struct ns_entry *e = ns_cache_find(id);

	if (e && e != &ns_home_entry)
		ns_cache_evict(e, "deleted");
}

/**
 * ns_cache_expire() - Drop entries unused for NS_CACHE_TTL_MS
 *
 * Cheap when nothing is due: one clock read and a comparison.
 */
void ns_cache_expire(void)
{
	uint64_t now, next = UINT64_MAX;
	int i;

	if (!ns_cached)
		return;
	now = ns_now_ms();
	if (now < ns_next_expiry)
		return;

	for (i = 0; i < NS_CACHE_SIZE; i++) {
		if (ns_cache[i].nl.fd < 0)
			continue;
		if (ns_cache[i].used + NS_CACHE_TTL_MS <= now)
			ns_cache_evict(&ns_cache[i], "unused for a while");
		else if (ns_cache[i].used + NS_CACHE_TTL_MS < next)
			next = ns_cache[i].used + NS_CACHE_TTL_MS;
	}
	ns_next_expiry = next;
}

/**
 * ns_cache_timeout() - How long the helper may wait before an entry expires
 *
 * Return: milliseconds for poll(), 0 if one is due, -1 if none can expire
 */
int ns_cache_timeout(void)
{
	uint64_t now;

	if (!ns_cached)
		return -1;
	now = ns_now_ms();
	if (ns_next_expiry <= now)
		return 0;
	if (ns_next_expiry - now > INT_MAX)
		return INT_MAX;
	return (int)(ns_next_expiry - now);
}

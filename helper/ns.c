// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: namespaces: home, opening, entering, the socket cache
 *
 * A namespace path is opened with O_PATH first. That open has no side
 * effects whatever the path is (a FIFO would block a plain open, a device
 * could act on it), and is enough for fstatfs(), which tells whether the
 * file is on nsfs at all. Only then is the file opened for real, through
 * /proc/self/fd, to ask NS_GET_NSTYPE which kind of namespace it is. Each
 * way of being wrong has its own error code.
 *
 * The socket cache holds NS_CACHE_SIZE sockets and evicts the least
 * recently used. A namespace cannot be freed while a socket holds it, so
 * its inode number cannot be reused while the entry exists: the (dev, ino)
 * key stays unambiguous.
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
#include <unistd.h>

#include <linux/magic.h>
#include <linux/nsfs.h>

#include "log.h"
#include "ns.h"

#define NS_CACHE_SIZE	64
#define NS_SELF		"/proc/thread-self/ns/net"
#define NS_SELF_OLD	"/proc/self/ns/net"	/* before Linux 3.17 */

struct ns_cache_entry {
	struct ns_id id;
	struct nl_sock nl;
	uint64_t used;		/* 0: a free slot */
};

static int ns_home = -1;
static struct ns_id ns_home_ns;
static bool ns_away;		/* the helper is not in its home namespace */

static struct ns_cache_entry ns_cache[NS_CACHE_SIZE];
static unsigned int ns_cached;
static uint64_t ns_clock;

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
	id->dev = (uint64_t)st.st_dev;
	id->ino = (uint64_t)st.st_ino;
	return 0;
}

/**
 * ns_init() - Remember the home namespace: an fd to it, and its id
 *
 * Return: 0, or -1 after logging why (the helper cannot work without it)
 */
int ns_init(void)
{
	ns_home = open(NS_SELF, O_RDONLY | O_CLOEXEC);
	if (ns_home < 0 && errno == ENOENT)
		ns_home = open(NS_SELF_OLD, O_RDONLY | O_CLOEXEC);
	if (ns_home < 0) {
		err("cannot open %s: %s (is /proc mounted?)", NS_SELF,
		    strerror(errno));
		return -1;
	}

	if (ns_id_from_fd(ns_home, &ns_home_ns)) {
		err("cannot stat the home namespace: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/**
 * ns_home_id() - The id of the namespace the helper started in
 *
 * Return: a pointer to it, valid for the helper's life
 */
const struct ns_id *ns_home_id(void)
{
	return &ns_home_ns;
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

	if (target->type == MP_UINT && target->v.u >= 1 &&
	    target->v.u <= INT_MAX) {
		snprintf(path, PATH_MAX, "/proc/%llu/ns/net",
			 (unsigned long long)target->v.u);
		return 0;
	}
	if (target->type == MP_STR && target->v.str.len &&
	    target->v.str.len < PATH_MAX &&
	    !memchr(target->v.str.ptr, '\0', target->v.str.len)) {
		memcpy(path, target->v.str.ptr, target->v.str.len);
		path[target->v.str.len] = '\0';
		return 0;
	}

	arg_describe(target, desc, sizeof(desc));
	return op_fail(ctx, bad, "namespace: expected a path of 1 to %d bytes "
		       "or a pid from 1 to %d, got %s", PATH_MAX - 1, INT_MAX,
		       desc);
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
	fd = open(proc, O_RDONLY | O_CLOEXEC);
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
 * ns_open() - Open a namespace named by path or pid, checking what it is
 * @ctx:	Op context, for errors
 * @target:	A path (string) or a pid (unsigned integer)
 * @fd:		An O_RDONLY fd to the namespace, for the caller to close
 * @id:		Its id
 *
 * Return: 0, or -1 after op_fail() with the code that says what is wrong
 */
int ns_open(struct op_ctx *ctx, const struct mp_obj *target, int *fd,
	    struct ns_id *id)
{
	char path[PATH_MAX];
	struct statfs sfs;
	int pfd, rc = -1;

	if (ns_target_path(ctx, target, path) < 0)
		return -1;

	pfd = open(path, O_PATH | O_CLOEXEC);
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
 * ns_cache_find() - The cache entry of a namespace
 * @id:		Namespace id
 *
 * Return: the entry, or NULL if the namespace has no socket cached
 */
static struct ns_cache_entry *ns_cache_find(const struct ns_id *id)
{
	int i;

	for (i = 0; i < NS_CACHE_SIZE; i++) {
		if (ns_cache[i].used && ns_id_equal(&ns_cache[i].id, id))
			return &ns_cache[i];
	}
	return NULL;
}

/**
 * ns_cache_evict() - Close an entry's socket and free its slot
 * @e:		Entry in use
 */
static void ns_cache_evict(struct ns_cache_entry *e)
{
	nl_close(&e->nl);
	e->used = 0;
	ns_cached--;
}

/**
 * ns_cache_slot() - A free slot, evicting the least recently used if full
 *
 * Return: a free entry
 */
static struct ns_cache_entry *ns_cache_slot(void)
{
	struct ns_cache_entry *lru = &ns_cache[0];
	int i;

	for (i = 0; i < NS_CACHE_SIZE; i++) {
		if (!ns_cache[i].used)
			return &ns_cache[i];
		if (ns_cache[i].used < lru->used)
			lru = &ns_cache[i];
	}
	ns_cache_evict(lru);
	return lru;
}

/**
 * ns_socket() - The NETLINK_ROUTE socket of a namespace, cached
 * @ctx:	Op context, for errors
 * @fd:		Namespace fd, entered to create the socket
 * @id:		Namespace id, the cache key
 *
 * Return: the socket, or NULL after op_fail()
 */
struct nl_sock *ns_socket(struct op_ctx *ctx, int fd, const struct ns_id *id)
{
	struct ns_cache_entry *e = ns_cache_find(id);
	int rc, errnum;

	if (e) {
		e->used = ++ns_clock;
		return &e->nl;
	}

	e = ns_cache_slot();
	if (!ns_id_equal(id, &ns_home_ns) && ns_enter(ctx, fd) < 0)
		return NULL;
	errno = 0;
	rc = nl_open(&e->nl);
	errnum = rc == -1 && errno ? errno : -rc;
	ns_return_home();

	if (rc < 0) {
		op_fail_errno(ctx, errnum, "netlink socket in namespace %s",
			      ctx->ns_path);
		return NULL;
	}
	e->id = *id;
	e->used = ++ns_clock;
	ns_cached++;
	return &e->nl;
}

/**
 * ns_cache_drop() - Close the cached socket of a namespace, if any
 * @id:		Namespace id; the home namespace's socket is kept
 */
void ns_cache_drop(const struct ns_id *id)
{
	struct ns_cache_entry *e = ns_cache_find(id);

	if (e && !ns_id_equal(id, &ns_home_ns))
		ns_cache_evict(e);
}

/**
 * ns_cache_clear() - Close every cached socket, letting namespaces go
 */
void ns_cache_clear(void)
{
	int i;

	for (i = 0; i < NS_CACHE_SIZE; i++) {
		if (ns_cache[i].used)
			ns_cache_evict(&ns_cache[i]);
	}
}

/**
 * ns_cache_count() - How many sockets are cached
 *
 * Return: the number of entries in use
 */
unsigned int ns_cache_count(void)
{
	return ns_cached;
}

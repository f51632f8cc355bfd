/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DOC: namespaces
 *
 * The helper keeps an fd to the network namespace it started in, its home.
 * A request names its target by path or pid; ns_lookup() finds it, and
 * checks, before anything enters it, that it is a network namespace at all.
 *
 * Plain netlink work needs no setns(): a NETLINK_ROUTE socket stays bound to
 * the namespace it was created in. The helper therefore keeps a small cache
 * of namespaces it has checked, keyed by id (device and inode), each with
 * its socket. Creating such a socket, and anything else that needs the
 * thread itself in the namespace, goes through ns_enter() and
 * ns_return_home(). If the helper cannot get home it exits
 * at once: it must never serve a request from the wrong namespace.
 *
 * A cached entry keeps its namespace alive, so the cache is bounded, an
 * entry is dropped when nsdo deletes the namespace, and every entry but
 * home's expires NS_CACHE_TTL_MS after its last use, busy helper or not.
 */
#ifndef NSDO_NS_H
#define NSDO_NS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mp.h"
#include "nl.h"
#include "op.h"

struct ns_id {
	uint64_t dev;
	uint64_t ino;
};

/* The id as the wire spells it: "DEV:INO", at most NS_ID_LEN - 1 bytes. */
#define NS_ID_LEN 42

static inline bool ns_id_equal(const struct ns_id *a, const struct ns_id *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

/*
 * A namespace the helper has checked, and its socket. The socket alone
 * keeps the namespace alive; an op that needs the namespace itself (to
 * setns() into it) gets an fd to it with ns_fd_of().
 */
struct ns_entry {
	struct ns_id id;
	struct nl_sock nl;	/* fd -1: a free slot (home's: not open yet) */
	uint64_t used;		/* ns_now_ms() of its last use */
	uint32_t path_hash;	/* of the path it was last reached by */
	char text[NS_ID_LEN];	/* the id as the wire spells it */
};

/* Unused entries expire after this long; see ns_cache_expire(). */
#define NS_CACHE_TTL_MS	1000

/*
 * ns_lookup() takes a path (string), a pid (unsigned integer) or nil (the
 * home namespace) and gives the namespace's cache entry, its socket open,
 * valid until the next ns_lookup() or ns_cache_*() call. It returns NULL
 * after op_fail() with ERR_NSDO_NAMESPACE_NOT_FOUND,
 * ERR_NSDO_NOT_A_NAMESPACE, ERR_NSDO_WRONG_NAMESPACE_TYPE,
 * ERR_NSDO_NAMESPACE_PERMISSION, the bad argument code, or an errno.
 * ns_open() checks a target the same way but gives an fd of its own that
 * the caller closes (0, or -1 after op_fail()); so does ns_fd_of() for the
 * namespace of a socket. ns_enter() and ns_unshare() return 0 or -1 after
 * op_fail(); ns_return_home() undoes either, and exits the helper if it
 * cannot. ns_cache_timeout() is how long poll() may sleep before
 * ns_cache_expire() has work to do: -1 for as long as it likes.
 * ns_file_open() is open() without musl's extra fcntl(): one system call,
 * O_CLOEXEC always.
 */
int ns_init(void);
int ns_file_open(const char *path, int flags, mode_t mode);
const struct ns_id *ns_home_id(void);
int ns_home_fd(void);

struct ns_entry *ns_lookup(struct op_ctx *ctx, const struct mp_obj *target);
int ns_open(struct op_ctx *ctx, const struct mp_obj *target,
	    const char *expect, int *fd, struct ns_id *id);
int ns_fd_of(struct op_ctx *ctx, const struct nl_sock *nl);
int ns_enter(struct op_ctx *ctx, int fd);
int ns_unshare(struct op_ctx *ctx);
void ns_return_home(void);

uint64_t ns_now_ms(void);
void ns_cache_adopt(const struct ns_id *id, struct nl_sock *nl,
		    const char *path);
void ns_cache_drop(const struct ns_id *id);
void ns_cache_expire(void);
int ns_cache_timeout(void);
void ns_id_format(const struct ns_id *id, char *buf, size_t size);
int ns_expect(struct op_ctx *ctx, const char *path, const char *expect,
	      const struct ns_id *id);
bool ns_target_valid(const struct mp_obj *target);

#endif /* NSDO_NS_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DOC: namespaces
 *
 * The helper keeps an fd to the network namespace it started in, its home.
 * A request names its target by path or pid; ns_open() opens it and checks,
 * before anything enters it, that it is a network namespace at all.
 *
 * Plain netlink work needs no setns(): a NETLINK_ROUTE socket stays bound to
 * the namespace it was created in, so the helper keeps a small cache of
 * sockets keyed by the namespace's id (device and inode). Creating such a
 * socket, and anything else that needs the thread itself in the namespace,
 * goes through ns_enter() and ns_return_home(). If the helper cannot get
 * home it exits at once: it must never serve a request from the wrong
 * namespace.
 *
 * A cached socket keeps its namespace alive, so the cache is bounded, an
 * entry is dropped when nsdo deletes the namespace, and the whole cache is
 * dropped after the helper has been idle for a while.
 */
#ifndef NSDO_NS_H
#define NSDO_NS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
 * ns_open() takes a path (string) or a pid (unsigned integer) and gives an
 * O_RDONLY fd that the caller closes; it returns 0, or -1 after op_fail()
 * with ERR_NSDO_NAMESPACE_NOT_FOUND, ERR_NSDO_NOT_A_NAMESPACE,
 * ERR_NSDO_WRONG_NAMESPACE_TYPE, ERR_NSDO_NAMESPACE_PERMISSION, the bad
 * argument code, or an errno. ns_socket() returns the cached socket for the
 * namespace, creating it if needed, or NULL after op_fail(); the pointer
 * stays valid for the rest of the request. ns_enter() and ns_unshare()
 * return 0 or -1 after op_fail(); ns_return_home() undoes either, and exits
 * the helper if it cannot.
 */
int ns_init(void);
const struct ns_id *ns_home_id(void);
int ns_home_fd(void);

int ns_open(struct op_ctx *ctx, const struct mp_obj *target, int *fd,
	    struct ns_id *id);
struct nl_sock *ns_socket(struct op_ctx *ctx, int fd,
			  const struct ns_id *id);
int ns_enter(struct op_ctx *ctx, int fd);
int ns_unshare(struct op_ctx *ctx);
void ns_return_home(void);
void ns_cache_drop(const struct ns_id *id);
void ns_cache_clear(void);
unsigned int ns_cache_count(void);
void ns_id_format(const struct ns_id *id, char *buf, size_t size);

#endif /* NSDO_NS_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DOC: ops, and how they report
 *
 * An op is one entry of a request's "ops" array: a map with the key "op"
 * and its arguments. Each op family (link.c, addr.c, route.c, ns.c) exports
 * its ops as an array of struct op_def, which request.c looks up by name.
 *
 * An op handler reads its arguments through the arg_*() helpers, talks to
 * the kernel over ctx->nl, writes its result as one MessagePack value to
 * ctx->out, and returns 0. On failure it fills ctx->err with op_fail() or
 * op_fail_errno() and returns -1; it must then not have written a result.
 * request.c rewinds ctx->out to where the result began, so a handler may
 * fail half-way through writing a list.
 */
#ifndef NSDO_OP_H
#define NSDO_OP_H

#include <stdbool.h>
#include <stdint.h>

#include "mp.h"
#include "nl.h"

#define OP_MESSAGE_MAX 256

/* What went wrong in an op or a request. */
struct op_error {
	const char *code;	/* "EEXIST" or "ERR_NSDO_..." (static) */
	int errnum;		/* positive errno, 0 for nsdo's own */
	char message[OP_MESSAGE_MAX];
	char extack[OP_MESSAGE_MAX];	/* kernel's extended ack, or "" */
};

/* The longest key list an op's values are indexed for (see op_args). */
#define OP_KEYS_MAX 24

/*
 * The values of an op's map by key, as request.c found them while checking
 * the keys: the arg_*() readers look a key up here instead of walking the
 * map again. Only the op's own map is indexed; a nested map (a veth's peer)
 * is searched as before.
 */
struct op_args {
	const uint8_t *map;		/* first byte of the op map's pairs */
	const char *const *keys;	/* the op's keys, op_def.keys */
	uint32_t given;			/* bit i: keys[i] is in the map */
	struct mp_obj vals[OP_KEYS_MAX];
};

/* Everything an op handler works with. */
struct op_ctx {
	struct nl_sock *nl;	/* NETLINK_ROUTE in the target namespace; to
				 * setns() there, see ns_fd_of() */
	const char *ns_path;	/* as the request named it, for messages */
	struct mp_writer *out;	/* the op writes exactly one value here */
	struct op_error *err;
	const char *op;		/* the op's name, for messages */
	const struct op_args *args;	/* the op map's index, or NULL */
};

typedef int (*op_fn)(struct op_ctx *ctx, const struct mp_obj *args);

/* One op: its name, its handler, and the argument keys it accepts. */
struct op_def {
	const char *name;
	op_fn fn;
	const char *const *keys;	/* NULL-terminated, "op" implied */
	bool home_only;		/* runs in the home namespace only */
};

extern const struct op_def link_ops[];
extern const struct op_def addr_ops[];
extern const struct op_def route_ops[];
extern const struct op_def namespace_ops[];
/* each array ends with an entry whose name is NULL */

/* Failing */
int op_fail(struct op_ctx *ctx, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int op_fail_errno(struct op_ctx *ctx, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int op_fail_nl(struct op_ctx *ctx, const struct nl_error *e,
	       const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *errno_name(int errnum);
void op_error_reset(struct op_error *e);
void op_text_clean(char *s);
void arg_describe(const struct mp_obj *o, char *buf, size_t size);

/*
 * Arguments. Each returns 1 when the key is present and valid, 0 when it
 * is absent (and not required), and -1 after op_fail() with
 * ERR_NSDO_BAD_ARGUMENT naming the key when it is missing and required,
 * of the wrong type, or out of range. A nil value counts as absent, except
 * for arg_obj(), which hands it over (link.set uses "master": nil).
 * arg_ifname() wants a buffer of IFNAMSIZ (16) bytes; arg_link() fails
 * with ENODEV, naming the link, when no link has the name. arg_find() is
 * mp_map_get() through the op's index: 1 with the value (nil included), 0
 * when the key is absent, -1 when @args is not a map. arg_link() remembers
 * the last name it resolved until arg_link_forget(), which request.c calls
 * at the start of a request and after any op that may change links.
 *
 * The op_fail*() functions put the op's name in front of the message
 * unless it already starts with it: op_fail_errno(ctx, EEXIST, "%s", name)
 * in link.add gives "link.add b0: File exists".
 */
int arg_str(struct op_ctx *ctx, const struct mp_obj *args, const char *key,
	    bool required, char *buf, size_t size);
int arg_u32(struct op_ctx *ctx, const struct mp_obj *args, const char *key,
	    bool required, uint32_t min, uint32_t max, uint32_t *out);
int arg_bool(struct op_ctx *ctx, const struct mp_obj *args, const char *key,
	     bool required, bool *out);
int arg_ifname(struct op_ctx *ctx, const struct mp_obj *args,
	       const char *key, bool required, char *buf);
int arg_link(struct op_ctx *ctx, const struct mp_obj *args, const char *key,
	     bool required, int *ifindex);
int arg_obj(struct op_ctx *ctx, const struct mp_obj *args, const char *key,
	    bool required, struct mp_obj *out);
int arg_find(const struct op_ctx *ctx, const struct mp_obj *args,
	     const char *key, struct mp_obj *out);
void arg_link_forget(void);

#endif /* NSDO_OP_H */

// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: unit tests for op.c: errno names and the op's index of its values
 *
 * request.c indexes an op's values by key while it checks the keys, and
 * the arg_*() readers look keys up there; a map the index was not made for
 * (a veth's peer) must still be searched as a map.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "op.h"
#include "tap.h"

static int test_errno_names(void)
{
	int e;

	CHECK(!strcmp(errno_name(EPERM), "EPERM"));
	CHECK(!strcmp(errno_name(EEXIST), "EEXIST"));
	CHECK(!strcmp(errno_name(ENODEV), "ENODEV"));
	CHECK(!strcmp(errno_name(EOPNOTSUPP), "EOPNOTSUPP"));
	CHECK(!strcmp(errno_name(EHWPOISON), "EHWPOISON"));
	CHECK(!strcmp(errno_name(524), "ENOTSUPP"));
	CHECK(!strcmp(errno_name(0), "EUNKNOWN"));
	CHECK(!strcmp(errno_name(-1), "EUNKNOWN"));
	CHECK(!strcmp(errno_name(41), "EUNKNOWN"));	/* a hole */
	CHECK(!strcmp(errno_name(EHWPOISON + 1), "EUNKNOWN"));

	/* Every name is a whole one, not a piece of its neighbour. */
	for (e = 1; e <= EHWPOISON; e++)
		CHECK(errno_name(e)[0] == 'E' && strlen(errno_name(e)) >= 3);
	return 0;
}

/**
 * build_op() - Encode { op: "t.x", a: 7, b: nil, peer: { a: "in" } }
 * @w:		Writer
 * @op:		The decoded map
 *
 * Return: 0, or -1 if it did not decode
 */
static int build_op(struct mp_writer *w, struct mp_obj *op)
{
	mp_writer_init(w, 4096);
	mp_put_map(w, 4);
	mp_kv_str(w, "op", "t.x");
	mp_kv_uint(w, "a", 7);
	mp_kv_nil(w, "b");
	mp_put_str(w, "peer");
	mp_put_map(w, 1);
	mp_kv_str(w, "a", "in");
	if (w->err)
		return -1;
	return mp_decode(w->buf, w->buf + w->len, op, NULL);
}

static int test_arg_index(void)
{
	static const char *const keys[] = { "a", "b", "c", "peer", NULL };
	struct op_error err;
	struct op_args args = { .keys = keys };
	struct op_ctx ctx = { .err = &err, .op = "t.x" };
	struct mp_obj op, v, peer;
	struct mp_writer w;
	uint32_t u;

	op_error_reset(&err);
	CHECK(!build_op(&w, &op));

	/* As request.c fills it: a and b and peer given, c not. */
	args.map = op.v.agg.first;
	CHECK(mp_map_get(&op, "a", &args.vals[0]) == 1);
	CHECK(mp_map_get(&op, "b", &args.vals[1]) == 1);
	CHECK(mp_map_get(&op, "peer", &args.vals[3]) == 1);
	args.given = 1u << 0 | 1u << 1 | 1u << 3;
	ctx.args = &args;

	CHECK(arg_find(&ctx, &op, "a", &v) == 1 && v.type == MP_UINT);
	CHECK(arg_find(&ctx, &op, "b", &v) == 1 && v.type == MP_NIL);
	CHECK(arg_find(&ctx, &op, "c", &v) == 0);
	CHECK(arg_u32(&ctx, &op, "a", true, 1, 9, &u) == 1 && u == 7);
	CHECK(arg_u32(&ctx, &op, "b", false, 1, 9, &u) == 0);
	CHECK(arg_u32(&ctx, &op, "c", true, 1, 9, &u) == -1);
	CHECK(strstr(err.message, "\"c\" is required") != NULL);

	/* The peer map is not the op's: searched as a map, "a" is a string. */
	CHECK(arg_find(&ctx, &op, "peer", &peer) == 1 && peer.type == MP_MAP);
	CHECK(arg_find(&ctx, &peer, "a", &v) == 1 && v.type == MP_STR);
	CHECK(arg_find(&ctx, &peer, "b", &v) == 0);
	CHECK(arg_find(&ctx, &v, "a", &v) == -1);	/* not a map */

	/* Without an index every lookup walks the map. */
	ctx.args = NULL;
	CHECK(arg_find(&ctx, &op, "a", &v) == 1 && v.type == MP_UINT);
	mp_writer_free(&w);
	return 0;
}

int main(void)
{
	run("errno names: every one, the holes, the kernel's 524",
	    test_errno_names);
	run("an op's values by key, and maps the index was not made for",
	    test_arg_index);

	return tap_done();
}

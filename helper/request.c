// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: requests, batches and replies
 *
 * A reply is written front to back while the batch runs: the map and the
 * results array get 32-bit headers whose counts are patched at the end, so
 * no result is ever copied. Each op writes its result straight into the
 * reply; if it fails, the writer is rewound to where the result began.
 *
 * While ops run, the writer's cap is lowered by REQUEST_REPLY_RESERVE. An op
 * whose result would pass that cap fails with ERR_NSDO_REPLY_TOO_LARGE and
 * stops the batch, in continue mode too (later results could not be sent);
 * the reserve then always leaves room for the error and the reply's tail.
 *
 * The reply map: id, namespace, results, then error when the batch stopped
 * on a failure, then failed in continue mode. A request that cannot be read
 * or that names a namespace the helper cannot reach gets the same map, with
 * namespace nil, no results, and an error whose index and op are nil.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "ns.h"
#include "op.h"
#include "request.h"

#define BAD_REQUEST "ERR_NSDO_BAD_REQUEST"
#define OP_NAME_MAX 64		/* an unknown op's name, as echoed back */
#define KEY_LIST_MAX 160	/* the keys an op takes, in a message */

/* The request's top-level keys, in the order of their bits. */
enum request_key {
	KEY_ID, KEY_NAMESPACE, KEY_OPS, KEY_CONTINUE, KEY_EXPECT, KEY_COUNT
};
static const char *const request_keys[KEY_COUNT] = {
	"id", "namespace", "ops", "continue", "expect",
};

struct request {
	uint64_t id;		/* 0 until a valid id is seen */
	struct mp_obj ns;	/* MP_NIL when absent */
	struct mp_obj ops;
	struct mp_obj expect;	/* the id the driver expects, or MP_NIL */
	bool keep_going;	/* "continue": true */
};

/* One request on its way to a reply. */
struct batch {
	struct mp_writer *w;
	struct op_ctx ctx;
	bool home;		/* the target is the home namespace */
	bool keep_going;
	bool stopped;		/* err holds the error that stopped it */
	int64_t index;		/* the failing op, -1 for the request */
	const char *op;		/* its name, NULL when it had none */
	size_t map_at;
	size_t results_at;
	uint32_t results;
	uint32_t failed;
	/* Buffers last: batch_init() zeroes only what comes before. */
	struct op_args args;	/* the running op's values by key */
	struct op_error err;
	char ns_path[PATH_MAX];
	char op_buf[OP_NAME_MAX];
};

/* request_field() spells the limit out in its message. */
_Static_assert(REQUEST_OPS_MAX == 65536, "request \"ops\" message");

static const struct op_def *const request_families[] = {
	link_ops, addr_ops, route_ops, namespace_ops,
};

/**
 * batch_init() - Start a batch that writes its reply to @w
 * @b:		Batch
 * @w:		Writer, emptied here
 */
static void batch_init(struct batch *b, struct mp_writer *w)
{
	memset(b, 0, offsetof(struct batch, args));
	b->ns_path[0] = '\0';
	b->w = w;
	b->ctx.out = w;
	b->ctx.err = &b->err;
	b->ctx.ns_path = "";
	b->index = -1;
	op_error_reset(&b->err);

	mp_writer_reset(w);
	w->max = REQUEST_REPLY_MAX - REQUEST_REPLY_RESERVE;
}

/**
 * batch_stop() - Record a failure of the request itself
 * @b:		Batch
 * @code:	"ERR_NSDO_..."
 * @fmt:	printf() format of the message
 *
 * Return: -1
 */
static int __attribute__((format(printf, 3, 4)))
batch_stop(struct batch *b, const char *code, const char *fmt, ...)
{
	va_list ap;

	b->stopped = true;
	b->err.code = code;
	b->err.errnum = 0;
	b->err.extack[0] = '\0';

	va_start(ap, fmt);
	vsnprintf(b->err.message, sizeof(b->err.message), fmt, ap);
	va_end(ap);
	op_text_clean(b->err.message);
	return -1;
}

/**
 * request_put_error() - Write an error map
 * @w:		Writer
 * @e:		The error
 * @index:	The failing op's index, or -1 for the request itself
 * @op:		The failing op's name, NULL for none
 */
static void request_put_error(struct mp_writer *w, const struct op_error *e,
			      int64_t index, const char *op)
{
	mp_put_map(w, 6);
	mp_kv_str(w, "code", e->code);
	mp_kv_uint(w, "errno", (uint64_t)e->errnum);
	mp_put_str(w, "index");
	if (index < 0)
		mp_put_nil(w);
	else
		mp_put_uint(w, (uint64_t)index);
	mp_kv_str(w, "op", index < 0 ? NULL : op);
	mp_kv_str(w, "message", e->message);
	mp_kv_str(w, "extack", e->extack[0] ? e->extack : NULL);
}

/**
 * batch_reply_begin() - Write the reply up to the results' elements
 * @b:		Batch
 * @id:		Request id, 0 when unknown
 * @ns:		Namespace id, NULL when the namespace was not reached
 */
static void batch_reply_begin(struct batch *b, uint64_t id, const char *ns)
{
	struct mp_writer *w = b->w;

	b->map_at = mp_put_map32(w);
	mp_kv_uint(w, "id", id);
	mp_kv_str(w, "namespace", ns);
	mp_put_str(w, "results");
	b->results_at = mp_put_array32(w);
}

/**
 * batch_reply_end() - Patch the counts and write error and failed
 * @b:		Batch
 *
 * Return: 0, or -1 if the reply could not be written (memory)
 */
static int batch_reply_end(struct batch *b)
{
	struct mp_writer *w = b->w;
	uint32_t keys = 3;

	w->max = REQUEST_REPLY_MAX;
	mp_patch_array32(w, b->results_at, b->results);

	if (b->stopped) {
		mp_put_str(w, "error");
		request_put_error(w, &b->err, b->index, b->op);
		keys++;
	}
	if (b->keep_going) {
		mp_kv_uint(w, "failed", b->failed);
		keys++;
	}
	mp_patch_map32(w, b->map_at, keys);
	return w->err ? -1 : 0;
}

/**
 * request_key_find() - Which top-level key a map key is
 * @key:	The key object
 *
 * Return: its enum request_key, or -1 for an unknown key
 */
static int request_key_find(const struct mp_obj *key)
{
	int i;

	for (i = 0; i < KEY_COUNT; i++) {
		if (mp_str_eq(key, request_keys[i]))
			return i;
	}
	return -1;
}

/**
 * request_field_fail() - Refuse a top-level field, saying what came
 * @b:		Batch
 * @val:	The field's value
 * @expected:	The message up to ", got ..."
 *
 * Return: -1, after batch_stop()
 */
static int request_field_fail(struct batch *b, const struct mp_obj *val,
			      const char *expected)
{
	char desc[64];

	arg_describe(val, desc, sizeof(desc));
	return batch_stop(b, BAD_REQUEST, "%s, got %s", expected, desc);
}

/**
 * request_field() - Check and store one top-level field
 * @b:		Batch, for errors
 * @key:	Which field
 * @val:	Its value
 * @req:	Request being decoded
 *
 * Return: 0, or -1 after batch_stop()
 */
static int request_field(struct batch *b, int key, const struct mp_obj *val,
			 struct request *req)
{
	switch (key) {
	case KEY_ID:
		if (val->type != MP_UINT || !val->v.u)
			return request_field_fail(b, val, "request \"id\": "
						  "expected an integer of 1 "
						  "or more");
		req->id = val->v.u;
		return 0;
	case KEY_NAMESPACE:
		if (val->type != MP_NIL && val->type != MP_STR &&
		    val->type != MP_UINT)
			return request_field_fail(b, val, "request "
						  "\"namespace\": expected a "
						  "path or a pid");
		req->ns = *val;
		return 0;
	case KEY_OPS:
		if (val->type != MP_ARRAY || !val->v.agg.count ||
		    val->v.agg.count > REQUEST_OPS_MAX)
			return request_field_fail(b, val, "request \"ops\": "
						  "expected an array of 1 to "
						  "65536 ops");
		req->ops = *val;
		return 0;
	case KEY_EXPECT:
		if (val->type != MP_NIL && val->type != MP_STR)
			return request_field_fail(b, val, "request "
						  "\"expect\": expected a "
						  "namespace id \"DEV:INO\"");
		req->expect = *val;
		return 0;
	default:
		if (val->type != MP_NIL && val->type != MP_BOOL)
			return request_field_fail(b, val, "request "
						  "\"continue\": expected "
						  "true or false");
		req->keep_going = val->type == MP_BOOL && val->v.b;
		return 0;
	}
}

/**
 * request_parse() - Decode and check the request map
 * @b:		Batch, for errors
 * @top:	The frame's value
 * @req:	Decoded request; req->id is set as soon as it is known, so
 *		that even a refused request is answered under its id
 *
 * Return: 0, or -1 after batch_stop()
 */
static int request_parse(struct batch *b, const struct mp_obj *top,
			 struct request *req)
{
	struct mp_obj key, val, id;
	unsigned int seen = 0;
	char desc[64];
	struct mp_iter it;
	int k;

	memset(req, 0, sizeof(*req));
	if (top->type != MP_MAP)
		return batch_stop(b, BAD_REQUEST, "request: expected a map");
	if (mp_map_get(top, "id", &id) > 0 && id.type == MP_UINT)
		req->id = id.v.u;

	mp_iter_init(&it, top);
	while (mp_iter_next_pair(&it, &key, &val) > 0) {
		k = request_key_find(&key);
		if (k < 0) {
			arg_describe(&key, desc, sizeof(desc));
			return batch_stop(b, BAD_REQUEST, "request: unknown "
					  "key %s; it takes id, namespace, "
					  "ops, continue, expect", desc);
		}
		if (seen & 1u << k)
			return batch_stop(b, BAD_REQUEST, "request: \"%s\" "
					  "given twice", request_keys[k]);
		seen |= 1u << k;
		if (request_field(b, k, &val, req) < 0)
			return -1;
	}

	if (!(seen & 1u << KEY_ID))
		return batch_stop(b, BAD_REQUEST, "request: \"id\" is "
				  "required");
	if (!(seen & 1u << KEY_OPS))
		return batch_stop(b, BAD_REQUEST, "request: \"ops\" is "
				  "required");
	return 0;
}

/**
 * request_ns_path() - The namespace as the request named it, for messages
 * @ns:		The "namespace" value: a path or a pid
 * @buf:	Text, NUL-terminated
 * @size:	Size of @buf
 */
static void request_ns_path(const struct mp_obj *ns, char *buf, size_t size)
{
	size_t n;

	if (ns->type == MP_UINT) {
		snprintf(buf, size, "/proc/%llu/ns/net",
			 (unsigned long long)ns->v.u);
		return;
	}

	/* A plain copy: this runs for every request that names a path. */
	n = ns->v.str.len < size - 1 ? ns->v.str.len : size - 1;
	memcpy(buf, ns->v.str.ptr, n);
	buf[n] = '\0';
}

/**
 * batch_expect() - Refuse a namespace that is not the one the driver meant
 * @b:		Batch
 * @req:	The request
 * @e:		The namespace its path leads to now
 *
 * A path can be deleted and created again between the moment a driver
 * looked at it and the moment the request runs; without this check the ops
 * would run in the new namespace, and the driver would only learn it from
 * the reply, after the fact.
 *
 * Return: 0 when the request expects nothing or @e is it, else -1 with the
 * error in b->err
 */
static int batch_expect(struct batch *b, const struct request *req,
			const struct ns_entry *e)
{
	const struct mp_obj *x = &req->expect;

	if (x->type != MP_STR || (x->v.str.len == strlen(e->text) &&
				  !memcmp(x->v.str.ptr, e->text,
					  x->v.str.len)))
		return 0;

	return batch_stop(b, "ERR_NSDO_NAMESPACE_MISMATCH",
			  "namespace %s: expected %.*s, found %s (deleted "
			  "and created again, or another namespace); no op "
			  "ran", b->ctx.ns_path,
			  (int)(x->v.str.len > 64 ? 64 : x->v.str.len),
			  x->v.str.ptr, e->text);
}

/**
 * batch_enter() - Find the target namespace and its netlink socket
 * @b:		Batch; ctx.nl and ctx.ns_path are set
 * @req:	The request
 *
 * Return: the namespace's cache entry, or NULL with the error in b->err
 * (the request failed)
 */
static struct ns_entry *batch_enter(struct batch *b, const struct request *req)
{
	struct ns_entry *e;

	if (req->ns.type == MP_NIL) {
		b->ctx.ns_path = "home";
	} else {
		request_ns_path(&req->ns, b->ns_path, sizeof(b->ns_path));
		b->ctx.ns_path = b->ns_path;
	}

	e = ns_lookup(&b->ctx, &req->ns);
	if (e) {
		b->home = ns_id_equal(&e->id, ns_home_id());
		b->ctx.nl = &e->nl;
		return e;
	}

	b->stopped = true;
	if (!b->err.code)
		op_fail_errno(&b->ctx, EIO, "namespace %s", b->ns_path);
	return NULL;
}

/**
 * batch_op_lookup() - Find an op by name
 * @name:	The op's "op" value, a string
 *
 * Return: its definition, or NULL if no family has it
 */
static const struct op_def *batch_op_lookup(const struct mp_obj *name)
{
	size_t n = sizeof(request_families) / sizeof(request_families[0]);
	const struct op_def *def;
	size_t i, len;

	if (!name->v.str.len)
		return NULL;
	for (i = 0; i < n; i++) {
		for (def = request_families[i]; def->name; def++) {
			if (def->name[0] != name->v.str.ptr[0])
				continue;
			len = strlen(def->name);
			if (len == name->v.str.len &&
			    !memcmp(def->name, name->v.str.ptr, len))
				return def;
		}
	}
	return NULL;
}

/**
 * batch_op_find() - Check an op's shape and find its definition
 * @b:		Batch; b->op is set to the op's name as far as it is known
 * @op:		The op
 *
 * Return: the definition, or NULL after op_fail()
 */
static const struct op_def *batch_op_find(struct batch *b,
					  const struct mp_obj *op)
{
	const struct op_def *def;
	struct mp_obj name;
	char desc[64];

	if (op->type != MP_MAP) {
		arg_describe(op, desc, sizeof(desc));
		op_fail(&b->ctx, BAD_REQUEST, "op: expected a map, got %s",
			desc);
		return NULL;
	}
	if (mp_map_get(op, "op", &name) <= 0 || name.type != MP_STR) {
		op_fail(&b->ctx, BAD_REQUEST, "op: \"op\" is required, the "
			"op's name as a string");
		return NULL;
	}

	def = batch_op_lookup(&name);
	if (!def) {
		snprintf(b->op_buf, sizeof(b->op_buf), "%.*s",
			 (int)name.v.str.len, name.v.str.ptr);
		op_text_clean(b->op_buf);
		b->op = b->op_buf;
		op_fail(&b->ctx, "ERR_NSDO_UNKNOWN_OP", "unknown op \"%s\"",
			b->op_buf);
		return NULL;
	}
	b->op = def->name;
	b->ctx.op = def->name;
	return def;
}

/**
 * batch_key_list() - The keys an op takes, for a message
 * @def:	The op
 * @buf:	"name, type, mtu" or "no arguments"
 * @size:	Size of @buf
 */
static void batch_key_list(const struct op_def *def, char *buf, size_t size)
{
	const char *const *k;
	size_t len = 0;

	snprintf(buf, size, "no arguments");
	for (k = def->keys; k && *k && len < size; k++) {
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					len ? ", " : "", *k);
	}
}

/**
 * batch_key_index() - Position of a key among an op's keys
 * @def:	The op
 * @key:	A string key; "op" is always known
 *
 * Return: 0 for "op", 1 + its index in def->keys, or -1 if unknown
 */
static int batch_key_index(const struct op_def *def, const struct mp_obj *key)
{
	int i;

	if (mp_str_eq(key, "op"))
		return 0;
	for (i = 0; def->keys && def->keys[i]; i++) {
		if (mp_str_eq(key, def->keys[i]))
			return i + 1;
	}
	return -1;
}

/**
 * batch_op_keys() - Refuse unknown, repeated and non-string keys
 * @b:		Batch; b->args indexes the values by key for the arg_*()
 *		readers, so that the op does not walk its map once per key
 * @def:	The op
 * @op:		Its map
 *
 * Return: 0, or -1 after op_fail()
 */
static int batch_op_keys(struct batch *b, const struct op_def *def,
			 const struct mp_obj *op)
{
	char desc[64], keys[KEY_LIST_MAX];
	struct mp_obj key, val;
	uint64_t seen = 0, bit;
	struct mp_iter it;
	int i;

	b->args.map = op->v.agg.first;
	b->args.keys = def->keys;
	b->args.given = 0;

	mp_iter_init(&it, op);
	while (mp_iter_next_pair(&it, &key, &val) > 0) {
		i = batch_key_index(def, &key);
		if (i < 0) {
			arg_describe(&key, desc, sizeof(desc));
			batch_key_list(def, keys, sizeof(keys));
			return op_fail(&b->ctx, "ERR_NSDO_BAD_ARGUMENT",
				       "unknown argument %s; it takes %s",
				       desc, keys);
		}

		bit = 1ull << (i < 63 ? i : 63);
		if (seen & bit)
			return op_fail(&b->ctx, "ERR_NSDO_BAD_ARGUMENT",
				       "argument \"%.*s\" given twice",
				       (int)key.v.str.len, key.v.str.ptr);
		seen |= bit;

		if (i >= 1 && i <= OP_KEYS_MAX) {
			b->args.vals[i - 1] = val;
			b->args.given |= 1u << (i - 1);
		}
	}
	return 0;
}

/**
 * batch_op_check() - Everything about an op that holds before it runs
 * @b:		Batch
 * @op:		The op
 *
 * Return: its definition, or NULL after op_fail()
 */
static const struct op_def *batch_op_check(struct batch *b,
					   const struct mp_obj *op)
{
	const struct op_def *def = batch_op_find(b, op);

	if (!def || batch_op_keys(b, def, op) < 0)
		return NULL;
	if (def->home_only && !b->home) {
		op_fail(&b->ctx, BAD_REQUEST, "runs in the helper's home "
			"namespace: send it in a request without "
			"\"namespace\"");
		return NULL;
	}
	return def;
}

/**
 * batch_overflow() - Stop because an op's result does not fit the reply
 * @b:		Batch
 * @at:		Where the op's result began
 * @index:	The op
 */
static void batch_overflow(struct batch *b, size_t at, uint32_t index)
{
	mp_writer_rewind(b->w, at);
	op_fail(&b->ctx, "ERR_NSDO_REPLY_TOO_LARGE", "result would make the "
		"reply larger than %u bytes (or memory ran out); the batch "
		"stopped here", REQUEST_REPLY_MAX - REQUEST_REPLY_RESERVE);
	b->stopped = true;
	b->index = index;
	if (b->keep_going)
		b->failed++;
}

/**
 * batch_op_failed() - Report a failed op as the mode says
 * @b:		Batch
 * @at:		Where the op's result began
 * @index:	The op
 */
static void batch_op_failed(struct batch *b, size_t at, uint32_t index)
{
	struct mp_writer *w = b->w;

	mp_writer_rewind(w, at);
	if (!b->err.code)
		op_fail_errno(&b->ctx, EIO, "failed without saying why");
	debug("op %u (%s): %s", index, b->op ? b->op : "?", b->err.message);

	if (!b->keep_going) {
		b->stopped = true;
		b->index = index;
		return;
	}

	mp_put_map(w, 1);
	mp_put_str(w, "error");
	request_put_error(w, &b->err, index, b->op);
	if (w->err) {
		batch_overflow(b, at, index);
		return;
	}
	b->results++;
	b->failed++;
}

/**
 * batch_op_changes_links() - Whether an op may add, rename or remove links
 * @def:	The op
 *
 * Return: true for the link.* and namespace.* ops
 */
static bool batch_op_changes_links(const struct op_def *def)
{
	const struct op_def *d;

	for (d = link_ops; d->name; d++) {
		if (d == def)
			return true;
	}
	for (d = namespace_ops; d->name; d++) {
		if (d == def)
			return true;
	}
	return false;
}

/**
 * batch_op() - Run one op and record its result or its error
 * @b:		Batch
 * @op:		The op
 * @index:	Its index in the batch
 */
static void batch_op(struct batch *b, const struct mp_obj *op,
		     uint32_t index)
{
	struct mp_writer *w = b->w;
	const struct op_def *def;
	size_t at = w->len;
	int rc = -1;

	op_error_reset(&b->err);
	b->ctx.op = NULL;
	b->ctx.args = NULL;
	b->op = NULL;

	def = batch_op_check(b, op);
	if (def) {
		b->ctx.args = &b->args;
		rc = def->fn(&b->ctx, op);
		/* An op that entered a namespace must not leave us there. */
		ns_return_home();
		if (batch_op_changes_links(def))
			arg_link_forget();
	}

	if (rc) {
		batch_op_failed(b, at, index);
	} else if (w->err) {
		batch_overflow(b, at, index);
	} else {
		if (w->len == at)
			mp_put_nil(w);
		b->results++;
	}
}

/**
 * batch_run() - Run the ops in order, until done or stopped
 * @b:		Batch
 * @req:	The request
 */
static void batch_run(struct batch *b, const struct request *req)
{
	struct mp_iter it;
	struct mp_obj op;
	uint32_t index = 0;

	mp_iter_init(&it, &req->ops);
	while (!b->stopped && mp_iter_next(&it, &op) > 0)
		batch_op(b, &op, index++);
}

/**
 * request_check() - Refuse a frame that is not one plain MessagePack value
 * @b:		Batch
 * @frame:	Payload
 * @len:	Its length
 *
 * Return: 0, or -1 after batch_stop()
 */
static int request_check(struct batch *b, const uint8_t *frame, size_t len)
{
	switch (mp_check(frame, len)) {
	case MP_OK:
		return 0;
	case MP_EDEPTH:
		return batch_stop(b, "ERR_NSDO_TOO_DEEP", "frame: nested "
				  "deeper than %d arrays or maps",
				  MP_MAX_DEPTH);
	case MP_EEXT:
		return batch_stop(b, "ERR_NSDO_BAD_FRAME", "frame: "
				  "MessagePack extension types are not "
				  "accepted");
	default:
		return batch_stop(b, "ERR_NSDO_BAD_FRAME", "frame: not "
				  "exactly one well-formed MessagePack "
				  "value");
	}
}

/**
 * request_handle() - Answer one request
 * @frame:	The request frame's payload
 * @len:	Its length
 * @out:	Writer that receives the reply (emptied first)
 *
 * Return: 0 with a reply in @out, or -1 if not even an error reply could be
 * written (memory)
 */
int request_handle(const uint8_t *frame, size_t len, struct mp_writer *out)
{
	struct request req;
	struct ns_entry *e;
	struct batch b;
	struct mp_obj top;
	int rc;

	batch_init(&b, out);
	memset(&req, 0, sizeof(req));
	ns_cache_expire();
	arg_link_forget();	/* links may have changed since the last one */

	if (request_check(&b, frame, len) < 0 ||
	    mp_decode(frame, frame + len, &top, NULL) < 0 ||
	    request_parse(&b, &top, &req) < 0) {
		warn("refused a request: %s", b.err.message);
		batch_reply_begin(&b, req.id, NULL);
	} else if (!(e = batch_enter(&b, &req))) {
		debug("request %llu: %s", (unsigned long long)req.id,
		      b.err.message);
		b.keep_going = req.keep_going;
		batch_reply_begin(&b, req.id, NULL);
	} else if (batch_expect(&b, &req, e) < 0) {
		b.keep_going = req.keep_going;
		batch_reply_begin(&b, req.id, e->text);
	} else {
		b.keep_going = req.keep_going;
		batch_reply_begin(&b, req.id, e->text);
		batch_run(&b, &req);
	}

	rc = batch_reply_end(&b);
	ns_return_home();
	if (rc < 0)
		return request_reply_error(out, "ENOMEM", ENOMEM, "out of "
					   "memory while writing the reply");
	return 0;
}

/**
 * request_reply_error() - Answer a frame that could not be read at all
 * @out:	Writer that receives the reply (emptied first)
 * @code:	Error code
 * @errnum:	Positive errno, 0 for the helper's own codes
 * @message:	What went wrong
 *
 * Return: 0, or -1 if the reply could not be written (memory)
 */
int request_reply_error(struct mp_writer *out, const char *code,
			int errnum, const char *message)
{
	struct batch b;

	batch_init(&b, out);
	batch_stop(&b, code, "%s", message);
	b.err.errnum = errnum;
	batch_reply_begin(&b, 0, NULL);
	return batch_reply_end(&b);
}

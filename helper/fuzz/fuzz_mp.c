// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: fuzz target: the MessagePack reader and writer
 *
 * Every input goes through mp_check(), and through mp_decode() and
 * mp_skip() whatever mp_check() said: those must stay inside the buffer on
 * any bytes. An input that mp_check() accepts is walked completely: every
 * array and map through the iterators, every string key looked up again
 * with mp_map_get() and mp_str_eq(), every value described the way error
 * messages do (arg_describe(), op_text_clean()), and copied value by value
 * with the writer.
 *
 * Two properties must hold, or the target aborts and libFuzzer keeps the
 * input: the copy passes mp_check(), and copying the copy gives the same
 * bytes (the writer's encoding is canonical, so one copy reaches it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mp.h"
#include "op.h"

#define FUZZ_KEY_MAX	256	/* longer keys are not looked up again */
#define FUZZ_COPY_MAX	(1u << 20)

static void fuzz_walk(const struct mp_obj *o, struct mp_writer *w);

/**
 * fuzz_fail() - Stop at a broken property, so libFuzzer keeps the input
 * @what:	What went wrong
 */
static void fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz_mp: %s\n", what);
	abort();
}

/**
 * fuzz_text() - Run a string through the message helpers
 * @o:		A string value
 */
static void fuzz_text(const struct mp_obj *o)
{
	char desc[64], text[FUZZ_KEY_MAX + 1];
	size_t len = o->v.str.len < FUZZ_KEY_MAX ? o->v.str.len : FUZZ_KEY_MAX;

	arg_describe(o, desc, sizeof(desc));
	memcpy(text, o->v.str.ptr, len);
	text[len] = '\0';
	op_text_clean(text);
}

/**
 * fuzz_walk_array() - Copy an array, checking that the iterator agrees
 * @o:		The array
 * @w:		Writer of the copy
 */
static void fuzz_walk_array(const struct mp_obj *o, struct mp_writer *w)
{
	struct mp_iter it;
	struct mp_obj val;
	uint32_t n = 0;
	int rc;

	mp_put_array(w, o->v.agg.count);
	mp_iter_init(&it, o);
	while ((rc = mp_iter_next(&it, &val)) > 0) {
		fuzz_walk(&val, w);
		n++;
	}
	if (rc < 0 || n != o->v.agg.count)
		fuzz_fail("the iterator lost elements of a checked array");
}

/**
 * fuzz_key_lookup() - Look a string key up again in its map
 * @map:	The map
 * @key:	One of its keys
 */
static void fuzz_key_lookup(const struct mp_obj *map, const struct mp_obj *key)
{
	char name[FUZZ_KEY_MAX + 1];
	struct mp_obj found;

	if (key->type != MP_STR || key->v.str.len > FUZZ_KEY_MAX ||
	    memchr(key->v.str.ptr, '\0', key->v.str.len))
		return;

	memcpy(name, key->v.str.ptr, key->v.str.len);
	name[key->v.str.len] = '\0';
	if (!mp_str_eq(key, name))
		fuzz_fail("mp_str_eq() refused a key its own bytes");
	if (mp_map_get(map, name, &found) != 1)
		fuzz_fail("mp_map_get() did not find a key of the map");
}

/**
 * fuzz_walk_map() - Copy a map, checking iterator and lookups
 * @o:		The map
 * @w:		Writer of the copy
 */
static void fuzz_walk_map(const struct mp_obj *o, struct mp_writer *w)
{
	struct mp_obj key, val;
	struct mp_iter it;
	uint32_t n = 0;
	int rc;

	mp_put_map(w, o->v.agg.count);
	mp_iter_init(&it, o);
	while ((rc = mp_iter_next_pair(&it, &key, &val)) > 0) {
		fuzz_key_lookup(o, &key);
		fuzz_walk(&key, w);
		fuzz_walk(&val, w);
		n++;
	}
	if (rc < 0 || n != o->v.agg.count)
		fuzz_fail("the iterator lost pairs of a checked map");
}

/**
 * fuzz_walk() - Copy one value of any type to a writer
 * @o:		The value
 * @w:		Writer of the copy
 */
static void fuzz_walk(const struct mp_obj *o, struct mp_writer *w)
{
	char desc[64];

	arg_describe(o, desc, sizeof(desc));
	switch (o->type) {
	case MP_NIL:
		mp_put_nil(w);
		break;
	case MP_BOOL:
		mp_put_bool(w, o->v.b);
		break;
	case MP_UINT:
		mp_put_uint(w, o->v.u);
		break;
	case MP_INT:
		mp_put_int(w, o->v.i);
		break;
	case MP_FLOAT:
		mp_put_float(w, o->v.f);
		break;
	case MP_STR:
		fuzz_text(o);
		mp_put_strn(w, o->v.str.ptr, o->v.str.len);
		break;
	case MP_BIN:
		mp_put_bin(w, o->v.str.ptr, o->v.str.len);
		break;
	case MP_ARRAY:
		fuzz_walk_array(o, w);
		break;
	case MP_MAP:
		fuzz_walk_map(o, w);
		break;
	}
}

/**
 * fuzz_copy() - Decode a checked buffer and copy its value
 * @buf:	One well-formed value
 * @len:	Its length
 * @w:		Writer of the copy, reset first
 */
static void fuzz_copy(const uint8_t *buf, size_t len, struct mp_writer *w)
{
	const uint8_t *next;
	struct mp_obj top;

	mp_writer_reset(w);
	if (mp_decode(buf, buf + len, &top, &next) || next != buf + len)
		fuzz_fail("mp_decode() refused what mp_check() accepted");
	fuzz_walk(&top, w);
	if (w->err)
		fuzz_fail("the writer could not copy a value");
}

/**
 * LLVMFuzzerTestOneInput() - Check, decode, walk and copy one input
 * @data:	Bytes, maybe MessagePack
 * @size:	Their number
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mp_writer first, second;
	const uint8_t *next;
	struct mp_obj any;

	/* These must stay in bounds whatever mp_check() thinks. */
	mp_decode(data, data + size, &any, &next);
	mp_skip(data, data + size, &next);
	if (mp_check(data, size) != MP_OK)
		return 0;

	mp_writer_init(&first, FUZZ_COPY_MAX);
	mp_writer_init(&second, FUZZ_COPY_MAX);
	fuzz_copy(data, size, &first);
	if (mp_check(first.buf, first.len) != MP_OK)
		fuzz_fail("the writer's copy does not pass mp_check()");
	fuzz_copy(first.buf, first.len, &second);
	if (second.len != first.len || memcmp(second.buf, first.buf, first.len))
		fuzz_fail("copying the copy changed its bytes");

	mp_writer_free(&first);
	mp_writer_free(&second);
	return 0;
}

// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: unit tests of the MessagePack reader and writer
 *
 * Every value is written with the writer and read back with the reader, at
 * each size where the encoding changes form. Inputs that must be refused
 * (cut short anywhere, too deep, extension types, trailing bytes) are
 * copied into buffers of their exact size first, so that under ASan a read
 * one byte too far is a crash, not a silent pass.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mp.h"
#include "tap.h"

/**
 * check_copy() - mp_check() on an exact-size heap copy of a buffer
 * @buf:	Bytes
 * @len:	Their number
 *
 * Return: what mp_check() said
 */
static int check_copy(const uint8_t *buf, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, buf, len);
	rc = mp_check(copy, len);
	free(copy);
	return rc;
}

/**
 * decode_one() - Check and decode a writer's whole output as one value
 * @w:		Writer
 * @o:		Decoded value
 *
 * Return: 0 if the output is exactly one well-formed value
 */
static int decode_one(const struct mp_writer *w, struct mp_obj *o)
{
	const uint8_t *next;

	if (w->err || mp_check(w->buf, w->len) != MP_OK)
		return -1;
	if (mp_decode(w->buf, w->buf + w->len, o, &next))
		return -1;
	return next == w->buf + w->len ? 0 : -1;
}

static int test_uint_sizes(void)
{
	static const struct { uint64_t v; size_t len; } cases[] = {
		{ 0, 1 }, { 127, 1 }, { 128, 2 }, { 255, 2 }, { 256, 3 },
		{ 65535, 3 }, { 65536, 5 }, { 0xffffffffu, 5 },
		{ 0x100000000ull, 9 }, { UINT64_MAX, 9 },
	};
	struct mp_writer w;
	struct mp_obj o;
	size_t i;

	mp_writer_init(&w, 64);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mp_writer_reset(&w);
		mp_put_uint(&w, cases[i].v);
		CHECK(w.len == cases[i].len);
		CHECK(!decode_one(&w, &o));
		CHECK(o.type == MP_UINT && o.v.u == cases[i].v);
	}
	mp_writer_free(&w);
	return 0;
}

static int test_int_sizes(void)
{
	static const struct { int64_t v; size_t len; } cases[] = {
		{ -1, 1 }, { -32, 1 }, { -33, 2 }, { -128, 2 }, { -129, 3 },
		{ -32768, 3 }, { -32769, 5 }, { INT32_MIN, 5 },
		{ (int64_t)INT32_MIN - 1, 9 }, { INT64_MIN, 9 },
	};
	struct mp_writer w;
	struct mp_obj o;
	size_t i;

	mp_writer_init(&w, 64);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mp_writer_reset(&w);
		mp_put_int(&w, cases[i].v);
		CHECK(w.len == cases[i].len);
		CHECK(!decode_one(&w, &o));
		CHECK(o.type == MP_INT && o.v.i == cases[i].v);
	}

	/* A non-negative value is written, and read, as unsigned. */
	mp_writer_reset(&w);
	mp_put_int(&w, 300);
	CHECK(!decode_one(&w, &o) && o.type == MP_UINT && o.v.u == 300);
	mp_writer_free(&w);
	return 0;
}

static int test_signed_encodings_of_positive(void)
{
	static const uint8_t i8[] = { 0xd0, 0x05 };
	static const uint8_t i64[] = { 0xd3, 0, 0, 0, 1, 0, 0, 0, 0 };
	static const uint8_t i16neg[] = { 0xd1, 0xff, 0x00 };
	struct mp_obj o;

	CHECK(!mp_decode(i8, i8 + sizeof(i8), &o, NULL));
	CHECK(o.type == MP_UINT && o.v.u == 5);
	CHECK(!mp_decode(i64, i64 + sizeof(i64), &o, NULL));
	CHECK(o.type == MP_UINT && o.v.u == 0x100000000ull);
	CHECK(!mp_decode(i16neg, i16neg + sizeof(i16neg), &o, NULL));
	CHECK(o.type == MP_INT && o.v.i == -256);
	return 0;
}

static int test_floats(void)
{
	static const uint8_t f32[] = { 0xca, 0x3f, 0xc0, 0x00, 0x00 };
	static const double values[] = { 0.0, -1.5, 3.141592653589793,
					 1e300, -1e-300 };
	struct mp_writer w;
	struct mp_obj o;
	size_t i;

	CHECK(!mp_decode(f32, f32 + sizeof(f32), &o, NULL));
	CHECK(o.type == MP_FLOAT && o.v.f == 1.5);

	mp_writer_init(&w, 64);
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		mp_writer_reset(&w);
		mp_put_float(&w, values[i]);
		CHECK(w.len == 9);
		CHECK(!decode_one(&w, &o));
		CHECK(o.type == MP_FLOAT && o.v.f == values[i]);
	}
	mp_writer_reset(&w);
	mp_put_float(&w, NAN);
	CHECK(!decode_one(&w, &o) && o.type == MP_FLOAT && isnan(o.v.f));
	mp_writer_free(&w);
	return 0;
}

static int test_nil_bool(void)
{
	struct mp_writer w;
	struct mp_obj o;

	mp_writer_init(&w, 16);
	mp_put_nil(&w);
	CHECK(!decode_one(&w, &o) && o.type == MP_NIL);
	mp_writer_reset(&w);
	mp_put_bool(&w, true);
	CHECK(!decode_one(&w, &o) && o.type == MP_BOOL && o.v.b);
	mp_writer_reset(&w);
	mp_put_bool(&w, false);
	CHECK(!decode_one(&w, &o) && o.type == MP_BOOL && !o.v.b);
	mp_writer_reset(&w);
	mp_put_str(&w, NULL);
	CHECK(!decode_one(&w, &o) && o.type == MP_NIL);
	mp_writer_free(&w);
	return 0;
}

/**
 * str_round_trip() - Write a string or binary of a length, read it back
 * @bin:	Binary rather than string
 * @len:	Length
 * @head:	Expected header size
 *
 * Return: 0 on success
 */
static int str_round_trip(bool bin, size_t len, size_t head)
{
	char *s = malloc(len + 1);
	struct mp_writer w;
	struct mp_obj o;
	size_t i;
	int rc = -1;

	for (i = 0; i < len; i++)
		s[i] = (char)('a' + i % 26);
	mp_writer_init(&w, 1 << 20);
	if (bin)
		mp_put_bin(&w, s, len);
	else
		mp_put_strn(&w, s, len);

	if (w.len == head + len && !decode_one(&w, &o) &&
	    o.type == (bin ? MP_BIN : MP_STR) && o.v.str.len == len &&
	    !memcmp(o.v.str.ptr, s, len))
		rc = 0;
	mp_writer_free(&w);
	free(s);
	return rc;
}

static int test_str_sizes(void)
{
	CHECK(!str_round_trip(false, 0, 1));
	CHECK(!str_round_trip(false, 31, 1));
	CHECK(!str_round_trip(false, 32, 2));
	CHECK(!str_round_trip(false, 255, 2));
	CHECK(!str_round_trip(false, 256, 3));
	CHECK(!str_round_trip(false, 65535, 3));
	CHECK(!str_round_trip(false, 65536, 5));
	return 0;
}

static int test_bin_sizes(void)
{
	CHECK(!str_round_trip(true, 0, 2));
	CHECK(!str_round_trip(true, 255, 2));
	CHECK(!str_round_trip(true, 256, 3));
	CHECK(!str_round_trip(true, 65535, 3));
	CHECK(!str_round_trip(true, 65536, 5));
	return 0;
}

/**
 * agg_round_trip() - Write an array or map of n nils, read it back
 * @map:	A map (keys "" and nil values) rather than an array
 * @n:		Element or pair count
 * @head:	Expected header size
 *
 * Return: 0 on success
 */
static int agg_round_trip(bool map, uint32_t n, size_t head)
{
	struct mp_writer w;
	struct mp_iter it;
	struct mp_obj o, k, v;
	uint32_t i, seen = 0;
	int rc = -1;

	mp_writer_init(&w, 1 << 20);
	if (map)
		mp_put_map(&w, n);
	else
		mp_put_array(&w, n);
	if (w.len != head)
		goto out;
	for (i = 0; i < n; i++) {
		if (map)
			mp_put_str(&w, "");
		mp_put_nil(&w);
	}
	if (decode_one(&w, &o) || o.type != (map ? MP_MAP : MP_ARRAY) ||
	    o.v.agg.count != n)
		goto out;

	mp_iter_init(&it, &o);
	while ((map ? mp_iter_next_pair(&it, &k, &v) :
		mp_iter_next(&it, &v)) > 0 && v.type == MP_NIL)
		seen++;
	rc = seen == n ? 0 : -1;
out:
	mp_writer_free(&w);
	return rc;
}

static int test_agg_sizes(void)
{
	static const struct { uint32_t n; size_t head; } cases[] = {
		{ 0, 1 }, { 15, 1 }, { 16, 3 }, { 65535, 3 }, { 65536, 5 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(!agg_round_trip(false, cases[i].n, cases[i].head));
		CHECK(!agg_round_trip(true, cases[i].n, cases[i].head));
	}
	return 0;
}

/**
 * put_sample() - Write a value that holds every type and size form
 * @w:		Writer
 */
static void put_sample(struct mp_writer *w)
{
	static const char blob[300] = "blob";
	char text[70000];

	memset(text, 'x', sizeof(text));
	mp_put_map(w, 5);
	mp_kv_uint(w, "id", 70000);
	mp_kv_int(w, "neg", -70000);
	mp_put_str(w, "list");
	mp_put_array(w, 12);
	mp_put_nil(w);
	mp_put_bool(w, true);
	mp_put_uint(w, UINT64_MAX);
	mp_put_int(w, INT64_MIN);
	mp_put_float(w, 2.5);
	mp_put_strn(w, text, 40);
	mp_put_strn(w, text, 300);
	mp_put_strn(w, text, sizeof(text));
	mp_put_bin(w, blob, sizeof(blob));
	mp_put_array(w, 17);
	for (int i = 0; i < 17; i++)
		mp_put_uint(w, (uint64_t)i);
	mp_put_map(w, 0);
	mp_put_array(w, 0);
	mp_kv_bool(w, "continue", false);
	mp_kv_nil(w, "nothing");
}

static int test_truncated_everywhere(void)
{
	struct mp_writer w;
	const uint8_t *next;
	struct mp_obj o;
	size_t cut;

	mp_writer_init(&w, 1 << 20);
	put_sample(&w);
	CHECK(!w.err && check_copy(w.buf, w.len) == MP_OK);

	for (cut = 0; cut < w.len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		int bad;

		memcpy(copy, w.buf, cut);
		bad = mp_check(copy, cut) != MP_OK &&
		      mp_skip(copy, copy + cut, &next) &&
		      mp_decode(copy, copy + cut, &o, &next);
		free(copy);
		if (!bad)
			fprintf(stderr, "  accepted a cut at %zu\n", cut);
		CHECK(bad);
	}
	mp_writer_free(&w);
	return 0;
}

/**
 * nested() - A buffer of @depth nested arrays around a nil
 * @depth:	Nesting
 * @map:	Nest in maps ({"": ...}) rather than arrays
 * @len:	Its length
 *
 * Return: the buffer, exactly @len bytes, for free()
 */
static uint8_t *nested(int depth, bool map, size_t *len)
{
	uint8_t *buf = malloc((size_t)depth * 2 + 1);
	size_t n = 0;
	int i;

	for (i = 0; i < depth; i++) {
		buf[n++] = map ? 0x81 : 0x91;
		if (map)
			buf[n++] = 0xa0;
	}
	buf[n++] = 0xc0;
	*len = n;
	return buf;
}

static int test_depth(void)
{
	uint8_t *buf;
	size_t len;
	int rc;

	for (int map = 0; map < 2; map++) {
		buf = nested(MP_MAX_DEPTH, map, &len);
		rc = mp_check(buf, len);
		free(buf);
		CHECK(rc == MP_OK);

		buf = nested(MP_MAX_DEPTH + 1, map, &len);
		rc = mp_check(buf, len);
		free(buf);
		CHECK(rc == MP_EDEPTH);

		buf = nested(100000, map, &len);
		rc = mp_check(buf, len);
		free(buf);
		CHECK(rc == MP_EDEPTH);
	}
	return 0;
}

static int test_ext_refused(void)
{
	static const uint8_t ext[][4] = {
		{ 0xc7, 0x01, 0x05, 0x00 }, { 0xc8, 0x00, 0x01, 0x05 },
		{ 0xc9, 0x00, 0x00, 0x00 }, { 0xd4, 0x01, 0x00, 0x00 },
		{ 0xd5, 0x01, 0x00, 0x00 }, { 0xd6, 0x01, 0x00, 0x00 },
		{ 0xd7, 0x01, 0x00, 0x00 }, { 0xd8, 0x01, 0x00, 0x00 },
	};
	static const uint8_t in_array[] = { 0x92, 0x01, 0xd4, 0x00, 0x00 };
	static const uint8_t never[] = { 0xc1 };
	const uint8_t *next;
	struct mp_obj o;
	size_t i;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		CHECK(check_copy(ext[i], 1) == MP_EEXT);
		CHECK(mp_decode(ext[i], ext[i] + 4, &o, &next) == -1);
	}
	CHECK(check_copy(in_array, sizeof(in_array)) == MP_EEXT);
	CHECK(mp_skip(in_array, in_array + sizeof(in_array), &next) == -1);
	CHECK(check_copy(never, sizeof(never)) == MP_EMALFORMED);
	return 0;
}

static int test_trailing_and_empty(void)
{
	static const uint8_t two[] = { 0x01, 0x02 };
	static const uint8_t arr_extra[] = { 0x91, 0x01, 0x02 };

	CHECK(check_copy(two, sizeof(two)) == MP_EMALFORMED);
	CHECK(check_copy(arr_extra, sizeof(arr_extra)) == MP_EMALFORMED);
	CHECK(check_copy(two, 0) == MP_EMALFORMED);
	CHECK(mp_check(NULL, 0) == MP_EMALFORMED);
	return 0;
}

static int test_huge_claims(void)
{
	static const uint8_t arr[] = { 0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0 };
	static const uint8_t map[] = { 0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0 };
	static const uint8_t str[] = { 0xdb, 0xff, 0xff, 0xff, 0xff, 0x41 };
	static const uint8_t bin[] = { 0xc6, 0x7f, 0xff, 0xff, 0xff, 0x41 };
	const uint8_t *next;
	struct mp_obj o;

	CHECK(check_copy(arr, sizeof(arr)) == MP_EMALFORMED);
	CHECK(check_copy(map, sizeof(map)) == MP_EMALFORMED);
	CHECK(check_copy(str, sizeof(str)) == MP_EMALFORMED);
	CHECK(check_copy(bin, sizeof(bin)) == MP_EMALFORMED);
	CHECK(mp_skip(arr, arr + sizeof(arr), &next) == -1);
	CHECK(mp_decode(map, map + sizeof(map), &o, &next) == -1);
	CHECK(mp_decode(str, str + sizeof(str), &o, NULL) == -1);
	return 0;
}

static int test_map_get(void)
{
	static const uint8_t odd[] = { 0x82, 0x01, 0x02, 0xa1, 'k', 0x03 };
	struct mp_obj map, v, arr;
	struct mp_writer w;

	mp_writer_init(&w, 256);
	mp_put_map(&w, 3);
	mp_kv_str(&w, "op", "link.add");
	mp_kv_uint(&w, "mtu", 1400);
	mp_kv_nil(&w, "master");
	CHECK(!decode_one(&w, &map));

	CHECK(mp_map_get(&map, "mtu", &v) == 1 && v.v.u == 1400);
	CHECK(mp_map_get(&map, "op", &v) == 1 && mp_str_eq(&v, "link.add"));
	CHECK(!mp_str_eq(&v, "link.ad") && !mp_str_eq(&v, "link.add2"));
	CHECK(mp_map_get(&map, "master", &v) == 1 && v.type == MP_NIL);
	CHECK(mp_map_get(&map, "mt", &v) == 0);
	CHECK(mp_map_get(&map, "", &v) == 0);

	/* A non-string key never matches; the map is still searched. */
	CHECK(!mp_decode(odd, odd + sizeof(odd), &map, NULL));
	CHECK(mp_map_get(&map, "k", &v) == 1 && v.v.u == 3);

	mp_writer_reset(&w);
	mp_put_array(&w, 0);
	CHECK(!decode_one(&w, &arr));
	CHECK(mp_map_get(&arr, "k", &v) == -1);
	mp_writer_free(&w);
	return 0;
}

static int test_writer_cap(void)
{
	struct mp_writer w;
	size_t len;

	mp_writer_init(&w, 8);
	mp_put_strn(&w, "1234567", 7);	/* exactly 8 bytes */
	CHECK(!w.err && w.len == 8);
	mp_put_nil(&w);
	CHECK(w.err && w.len == 8);

	/* Sticky: nothing is written after the first failure. */
	len = w.len;
	mp_put_uint(&w, 1);
	mp_put_str(&w, "");
	CHECK(w.err && w.len == len);

	mp_writer_rewind(&w, 0);
	CHECK(!w.err && w.len == 0);
	mp_put_str(&w, "0123456789");
	CHECK(w.err && w.len <= 8);
	mp_writer_free(&w);

	mp_writer_init(&w, 0);
	mp_put_nil(&w);
	CHECK(w.err && !w.len);
	mp_writer_free(&w);
	return 0;
}

static int test_writer_grow_and_reset(void)
{
	struct mp_writer w;
	size_t i;

	mp_writer_init(&w, 4u << 20);
	for (i = 0; i < 200000; i++)
		mp_put_uint(&w, 0xffffffffu);
	CHECK(!w.err && w.len == 1000000);
	CHECK(w.cap > MP_WRITER_KEEP);
	mp_writer_reset(&w);
	CHECK(!w.buf && !w.cap && !w.len);

	mp_put_str(&w, "small");
	mp_writer_reset(&w);
	CHECK(w.buf && w.cap <= MP_WRITER_KEEP);
	mp_writer_free(&w);
	return 0;
}

static int test_patch32(void)
{
	struct mp_writer w;
	struct mp_obj o, k, v;
	struct mp_iter it;
	size_t map_at, arr_at;

	mp_writer_init(&w, 256);
	map_at = mp_put_map32(&w);
	mp_put_str(&w, "items");
	arr_at = mp_put_array32(&w);
	mp_put_uint(&w, 1);
	mp_put_uint(&w, 2);
	mp_patch_array32(&w, arr_at, 2);
	mp_patch_map32(&w, map_at, 1);
	CHECK(!decode_one(&w, &o) && o.type == MP_MAP && o.v.agg.count == 1);
	mp_iter_init(&it, &o);
	CHECK(mp_iter_next_pair(&it, &k, &v) == 1 && mp_str_eq(&k, "items"));
	CHECK(v.type == MP_ARRAY && v.v.agg.count == 2);
	CHECK(mp_iter_next_pair(&it, &k, &v) == 0);

	/* Patching at the wrong place is refused, not done blindly. */
	mp_patch_array32(&w, map_at, 5);
	CHECK(w.err);
	mp_writer_free(&w);
	return 0;
}

/**
 * walk() - Visit every value under @o, as a consumer of a frame would
 * @o:		Value
 *
 * Return: the number of values, or -1 if an iterator failed
 */
static long walk(const struct mp_obj *o)
{
	struct mp_obj k, v;
	struct mp_iter it;
	long n = 1, sub;
	int rc;

	if (o->type != MP_ARRAY && o->type != MP_MAP)
		return 1;
	mp_iter_init(&it, o);
	while ((rc = o->type == MP_MAP ? mp_iter_next_pair(&it, &k, &v) :
		mp_iter_next(&it, &v)) > 0) {
		sub = walk(&v);
		if (sub < 0)
			return -1;
		n += sub + (o->type == MP_MAP);
	}
	return rc < 0 ? -1 : n;
}

static int test_random_bytes(void)
{
	uint32_t seed = 12345;
	uint8_t buf[64];
	struct mp_obj o;
	int accepted = 0;

	for (int round = 0; round < 200000; round++) {
		size_t len = 1 + round % sizeof(buf);
		uint8_t *copy;

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (uint8_t)(seed >> 16);
		}
		copy = malloc(len);
		memcpy(copy, buf, len);
		if (mp_check(copy, len) == MP_OK) {
			accepted++;
			CHECK(!mp_decode(copy, copy + len, &o, NULL));
			CHECK(walk(&o) > 0);
		}
		free(copy);
	}
	CHECK(accepted > 0);
	return 0;
}

int main(void)
{
	run("uint: every size form round-trips", test_uint_sizes);
	run("negative int: every size form round-trips", test_int_sizes);
	run("signed encodings of positive values read as uint",
	    test_signed_encodings_of_positive);
	run("float32 and float64", test_floats);
	run("nil and bool", test_nil_bool);
	run("str: fixstr, str8, str16, str32", test_str_sizes);
	run("bin: bin8, bin16, bin32", test_bin_sizes);
	run("array and map: fix, 16, 32", test_agg_sizes);
	run("a value cut short at every byte is refused",
	    test_truncated_everywhere);
	run("depth 16 passes, 17 and 100000 are refused", test_depth);
	run("extension types and 0xc1 are refused", test_ext_refused);
	run("trailing bytes and empty input are refused",
	    test_trailing_and_empty);
	run("counts larger than the input are refused", test_huge_claims);
	run("map_get, str_eq", test_map_get);
	run("writer: hard cap, sticky error, rewind", test_writer_cap);
	run("writer: growth, and reset frees a big buffer",
	    test_writer_grow_and_reset);
	run("array32 and map32 patched", test_patch32);
	run("random bytes: refused or walkable", test_random_bytes);

	return tap_done();
}

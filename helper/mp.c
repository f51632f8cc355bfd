// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: MessagePack reader and writer
 *
 * Every read goes through mp_head(), which decodes one type byte and its
 * fixed-size fields and checks that they, and the bytes of a string or
 * binary, lie inside the frame. Aggregates are not decoded recursively:
 * mp_check() and the skipping code keep a count of values still to read
 * (per level for mp_check(), which also enforces MP_MAX_DEPTH), so no input
 * can exhaust the stack. An aggregate that claims more elements than there
 * are bytes left is refused at once, since every value takes a byte at
 * least; a few bytes can therefore never make the reader loop for long.
 *
 * Signed integers that are not negative are reported as MP_UINT, so callers
 * see one type for "a count" whichever encoding the sender chose.
 *
 * The writer emits the shortest encoding of each value. It grows its
 * buffer by doubling, never past w->max; the first failure sets w->err and
 * every later put is a no-op.
 */
#include <stdlib.h>
#include <string.h>

#include "mp.h"

/**
 * mp_load16() - Load a big-endian u16; the caller checked the bytes exist
 * @p:		First byte
 *
 * Return: the value
 */
static uint16_t mp_load16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/**
 * mp_load32() - Load a big-endian u32; the caller checked the bytes exist
 * @p:		First byte
 *
 * Return: the value
 */
static uint32_t mp_load32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/**
 * mp_load64() - Load a big-endian u64; the caller checked the bytes exist
 * @p:		First byte
 *
 * Return: the value
 */
static uint64_t mp_load64(const uint8_t *p)
{
	return (uint64_t)mp_load32(p) << 32 | mp_load32(p + 4);
}

/**
 * mp_load_uint() - Load a big-endian unsigned integer of 1, 2, 4 or 8 bytes
 * @p:		First byte
 * @size:	Width in bytes
 *
 * Return: the value; the caller has bounds-checked @size bytes
 */
static uint64_t mp_load_uint(const uint8_t *p, size_t size)
{
	switch (size) {
	case 1:
		return p[0];
	case 2:
		return mp_load16(p);
	case 4:
		return mp_load32(p);
	default:
		return mp_load64(p);
	}
}

/**
 * mp_load_int() - Load a big-endian two's complement integer
 * @p:		First byte
 * @size:	Width in bytes: 1, 2, 4 or 8
 *
 * Return: the value, sign-extended
 */
static int64_t mp_load_int(const uint8_t *p, size_t size)
{
	uint64_t u = mp_load_uint(p, size);
	unsigned int shift = (unsigned int)(64 - 8 * size);

	/* Shift the sign bit to the top, then back with sign extension. */
	return (int64_t)(u << shift) >> shift;
}

/**
 * mp_set_int() - Store a signed integer, as MP_UINT when not negative
 * @o:		Object to fill
 * @i:		Value
 */
static void mp_set_int(struct mp_obj *o, int64_t i)
{
	if (i >= 0) {
		o->type = MP_UINT;
		o->v.u = (uint64_t)i;
	} else {
		o->type = MP_INT;
		o->v.i = i;
	}
}

/**
 * mp_float() - Decode a float32 or float64 payload
 * @o:		Object to fill
 * @p:		First payload byte
 * @size:	4 or 8
 */
static void mp_float(struct mp_obj *o, const uint8_t *p, size_t size)
{
	o->type = MP_FLOAT;
	if (size == 4) {
		uint32_t bits = mp_load32(p);
		float f;

		memcpy(&f, &bits, sizeof(f));
		o->v.f = f;
	} else {
		uint64_t bits = mp_load64(p);

		memcpy(&o->v.f, &bits, sizeof(o->v.f));
	}
}

/* What a type byte of the 0xc0..0xdf range announces. */
enum mp_kind { K_BAD, K_EXT, K_NIL, K_FALSE, K_TRUE, K_BIN, K_FLOAT, K_UINT,
	       K_INT, K_STR, K_ARRAY, K_MAP };

/* Kind and width of the size or value field, for bytes 0xc0..0xdf. */
static const struct {
	uint8_t kind;
	uint8_t size;
} mp_table[32] = {
	{ K_NIL, 0 },	{ K_BAD, 0 },	{ K_FALSE, 0 },	{ K_TRUE, 0 },
	{ K_BIN, 1 },	{ K_BIN, 2 },	{ K_BIN, 4 },	{ K_EXT, 0 },
	{ K_EXT, 0 },	{ K_EXT, 0 },	{ K_FLOAT, 4 },	{ K_FLOAT, 8 },
	{ K_UINT, 1 },	{ K_UINT, 2 },	{ K_UINT, 4 },	{ K_UINT, 8 },
	{ K_INT, 1 },	{ K_INT, 2 },	{ K_INT, 4 },	{ K_INT, 8 },
	{ K_EXT, 0 },	{ K_EXT, 0 },	{ K_EXT, 0 },	{ K_EXT, 0 },
	{ K_EXT, 0 },	{ K_STR, 1 },	{ K_STR, 2 },	{ K_STR, 4 },
	{ K_ARRAY, 2 },	{ K_ARRAY, 4 },	{ K_MAP, 2 },	{ K_MAP, 4 },
};

/**
 * mp_head_fix() - Decode a one-byte value or header (fixint, fixstr, ...)
 * @c:		The type byte, outside 0xc0..0xdf
 * @o:		Object to fill; str.len or agg.count carry the embedded size
 */
static void mp_head_fix(uint8_t c, struct mp_obj *o)
{
	if (c < 0x80) {
		o->type = MP_UINT;
		o->v.u = c;
	} else if (c < 0x90) {
		o->type = MP_MAP;
		o->v.agg.count = c & 0x0f;
	} else if (c < 0xa0) {
		o->type = MP_ARRAY;
		o->v.agg.count = c & 0x0f;
	} else if (c < 0xc0) {
		o->type = MP_STR;
		o->v.str.len = c & 0x1f;
	} else {
		o->type = MP_INT;
		o->v.i = (int8_t)c;
	}
}

/**
 * mp_head_sized() - Decode a value whose type byte is in 0xc0..0xdf
 * @c:		The type byte
 * @p:		First byte after it
 * @end:	End of the frame
 * @o:		Object to fill; str.len or agg.count carry the decoded size
 * @after:	Set past the fixed-size field
 *
 * Return: 0, MP_EMALFORMED if the field is cut off or the byte is 0xc1, or
 * MP_EEXT for an extension type
 */
static int mp_head_sized(uint8_t c, const uint8_t *p, const uint8_t *end,
			 struct mp_obj *o, const uint8_t **after)
{
	size_t size = mp_table[c - 0xc0].size;
	int kind = mp_table[c - 0xc0].kind;

	if (kind == K_BAD)
		return MP_EMALFORMED;
	if (kind == K_EXT)
		return MP_EEXT;
	if ((size_t)(end - p) < size)
		return MP_EMALFORMED;

	*after = p + size;
	switch (kind) {
	case K_NIL:
		o->type = MP_NIL;
		break;
	case K_FALSE:
	case K_TRUE:
		o->type = MP_BOOL;
		o->v.b = kind == K_TRUE;
		break;
	case K_FLOAT:
		mp_float(o, p, size);
		break;
	case K_UINT:
		o->type = MP_UINT;
		o->v.u = mp_load_uint(p, size);
		break;
	case K_INT:
		mp_set_int(o, mp_load_int(p, size));
		break;
	default:
		o->type = kind == K_STR ? MP_STR : kind == K_BIN ? MP_BIN :
			  kind == K_ARRAY ? MP_ARRAY : MP_MAP;
		o->v.str.len = (uint32_t)mp_load_uint(p, size);
		if (o->type == MP_ARRAY || o->type == MP_MAP)
			o->v.agg.count = o->v.str.len;
	}
	return 0;
}

/**
 * mp_head() - Decode one type byte and whatever it carries inline
 * @p:		The type byte
 * @end:	End of the frame
 * @o:		Object to fill; an aggregate's first/end/count are set
 * @after:	Set past the value for a scalar, string or binary, or to the
 *		first element of an aggregate
 *
 * Return: 0, MP_EMALFORMED for a cut-off value or an unknown byte, or
 * MP_EEXT for an extension type
 */
static int mp_head(const uint8_t *p, const uint8_t *end, struct mp_obj *o,
		   const uint8_t **after)
{
	uint8_t c;
	int rc;

	if (!p || p >= end)
		return MP_EMALFORMED;
	c = *p++;

	if (c >= 0xc0 && c <= 0xdf) {
		rc = mp_head_sized(c, p, end, o, &p);
		if (rc)
			return rc;
	} else {
		mp_head_fix(c, o);
	}

	if (o->type == MP_STR || o->type == MP_BIN) {
		if (o->v.str.len > (size_t)(end - p))
			return MP_EMALFORMED;
		o->v.str.ptr = (const char *)p;
		p += o->v.str.len;
	} else if (o->type == MP_ARRAY || o->type == MP_MAP) {
		o->v.agg.first = p;
		o->v.agg.end = end;
	}
	*after = p;
	return 0;
}

/**
 * mp_children() - Number of values inside an aggregate
 * @o:		A decoded array or map
 *
 * Return: elements of an array, keys plus values of a map, 0 otherwise
 */
static uint64_t mp_children(const struct mp_obj *o)
{
	if (o->type == MP_ARRAY)
		return o->v.agg.count;
	if (o->type == MP_MAP)
		return (uint64_t)o->v.agg.count * 2;
	return 0;
}

/**
 * mp_check() - Check that a buffer holds exactly one plain MessagePack value
 * @buf:	Frame payload
 * @len:	Its length
 *
 * Return: MP_OK, or the first problem met: MP_EMALFORMED (truncated,
 * unknown byte, trailing bytes, empty), MP_EDEPTH, MP_EEXT
 */
enum mp_check_result mp_check(const uint8_t *buf, size_t len)
{
	uint64_t left[MP_MAX_DEPTH + 1];
	const uint8_t *p = buf, *end;
	struct mp_obj o;
	uint64_t n;
	int depth = 0;
	int rc;

	if (!buf || !len)
		return MP_EMALFORMED;
	end = buf + len;

	left[0] = 1;
	for (;;) {
		if (!left[depth]) {
			if (!depth)
				break;
			depth--;
			continue;
		}
		left[depth]--;

		rc = mp_head(p, end, &o, &p);
		if (rc)
			return rc;
		if (o.type != MP_ARRAY && o.type != MP_MAP)
			continue;

		if (depth == MP_MAX_DEPTH)
			return MP_EDEPTH;
		n = mp_children(&o);
		if (n > (uint64_t)(end - p))
			return MP_EMALFORMED;
		left[++depth] = n;
	}

	return p == end ? MP_OK : MP_EMALFORMED;
}

/**
 * mp_skip_n() - Step over a number of consecutive values
 * @p:		First value
 * @end:	End of the frame
 * @n:		How many values
 * @next:	Set past the last one
 *
 * Return: 0, or -1 if the values are malformed or run past @end
 */
static int mp_skip_n(const uint8_t *p, const uint8_t *end, uint64_t n,
		     const uint8_t **next)
{
	struct mp_obj o;

	while (n) {
		/* Every pending value needs one byte at least. */
		if (n > (uint64_t)(end - p))
			return -1;
		n--;
		if (mp_head(p, end, &o, &p))
			return -1;
		n += mp_children(&o);
	}

	*next = p;
	return 0;
}

/**
 * mp_skip() - Step over one value, aggregates included
 * @buf:	The value
 * @end:	End of the frame
 * @next:	Set past the value
 *
 * Return: 0, or -1 if the value is malformed or runs past @end
 */
int mp_skip(const uint8_t *buf, const uint8_t *end, const uint8_t **next)
{
	if (!buf || buf >= end)
		return -1;
	return mp_skip_n(buf, end, 1, next);
}

/**
 * mp_decode() - Decode one value
 * @buf:	The value
 * @end:	End of the frame
 * @out:	Decoded value; an aggregate points at its first element
 * @next:	If not NULL, set past the whole value
 *
 * Return: 0, or -1 if the value is malformed or runs past @end
 */
int mp_decode(const uint8_t *buf, const uint8_t *end, struct mp_obj *out,
	      const uint8_t **next)
{
	const uint8_t *p;

	if (mp_head(buf, end, out, &p))
		return -1;
	if (!next)
		return 0;
	if (out->type != MP_ARRAY && out->type != MP_MAP) {
		*next = p;
		return 0;
	}
	return mp_skip_n(p, end, mp_children(out), next);
}

/**
 * mp_iter_init() - Start iterating over an array or a map
 * @it:		Iterator
 * @agg:	The array or map; anything else iterates over nothing
 */
void mp_iter_init(struct mp_iter *it, const struct mp_obj *agg)
{
	it->p = NULL;
	it->end = NULL;
	it->left = 0;
	if (agg->type != MP_ARRAY && agg->type != MP_MAP)
		return;
	it->p = agg->v.agg.first;
	it->end = agg->v.agg.end;
	it->left = agg->v.agg.count;
}

/**
 * mp_iter_next() - Next element of an array
 * @it:		Iterator
 * @val:	The element
 *
 * Return: 1 with @val set, 0 at the end, -1 if the element is malformed
 * (the iterator then stays at its end)
 */
int mp_iter_next(struct mp_iter *it, struct mp_obj *val)
{
	if (!it->left)
		return 0;
	it->left--;

	if (mp_decode(it->p, it->end, val, &it->p)) {
		it->left = 0;
		return -1;
	}
	return 1;
}

/**
 * mp_iter_next_pair() - Next key and value of a map
 * @it:		Iterator over a map
 * @key:	The key
 * @val:	Its value
 *
 * Return: 1 with both set, 0 at the end, -1 if either is malformed
 */
int mp_iter_next_pair(struct mp_iter *it, struct mp_obj *key,
		      struct mp_obj *val)
{
	if (!it->left)
		return 0;
	it->left--;

	if (mp_decode(it->p, it->end, key, &it->p) ||
	    mp_decode(it->p, it->end, val, &it->p)) {
		it->left = 0;
		return -1;
	}
	return 1;
}

/**
 * mp_map_get() - Find the value of a string key in a map
 * @map:	The map
 * @key:	Key, NUL-terminated
 * @val:	Its value, when found
 *
 * Return: 1 if found, 0 if absent, -1 if @map is not a map or is malformed
 */
int mp_map_get(const struct mp_obj *map, const char *key, struct mp_obj *val)
{
	struct mp_obj k, v;
	struct mp_iter it;
	int rc;

	if (map->type != MP_MAP)
		return -1;

	mp_iter_init(&it, map);
	while ((rc = mp_iter_next_pair(&it, &k, &v)) > 0) {
		if (mp_str_eq(&k, key)) {
			*val = v;
			return 1;
		}
	}
	return rc;
}

/**
 * mp_str_eq() - Compare a string object with a C string
 * @o:		Object
 * @s:		C string
 *
 * Return: true if @o is a string with exactly the bytes of @s
 */
bool mp_str_eq(const struct mp_obj *o, const char *s)
{
	size_t len = strlen(s);

	return o->type == MP_STR && o->v.str.len == len &&
	       !memcmp(o->v.str.ptr, s, len);
}

/**
 * mp_writer_init() - Set up an empty writer
 * @w:		Writer
 * @max:	Hard cap on the encoded size
 */
void mp_writer_init(struct mp_writer *w, size_t max)
{
	w->buf = NULL;
	w->len = 0;
	w->cap = 0;
	w->max = max;
	w->err = false;
}

/**
 * mp_writer_reset() - Empty a writer, freeing a buffer that grew large
 * @w:		Writer
 */
void mp_writer_reset(struct mp_writer *w)
{
	if (w->cap > MP_WRITER_KEEP) {
		free(w->buf);
		w->buf = NULL;
		w->cap = 0;
	}
	w->len = 0;
	w->err = false;
}

/**
 * mp_writer_rewind() - Drop what was written after an offset
 * @w:		Writer
 * @at:		Offset to go back to; ignored if past the end
 */
void mp_writer_rewind(struct mp_writer *w, size_t at)
{
	if (at <= w->len)
		w->len = at;
	w->err = false;
}

/**
 * mp_writer_free() - Release a writer's buffer
 * @w:		Writer, left empty and usable
 */
void mp_writer_free(struct mp_writer *w)
{
	free(w->buf);
	mp_writer_init(w, w->max);
}

/**
 * mp_grow() - Make room for more bytes
 * @w:		Writer
 * @need:	Total size the buffer must hold
 *
 * Return: 0, or -1 if @need is over w->max or memory ran out
 */
static int mp_grow(struct mp_writer *w, size_t need)
{
	size_t cap = w->cap ? w->cap : 256;
	uint8_t *buf;

	if (need > w->max)
		return -1;
	while (cap < need)
		cap = cap > w->max / 2 ? w->max : cap * 2;
	if (cap > w->max)
		cap = w->max;

	buf = realloc(w->buf, cap);
	if (!buf)
		return -1;
	w->buf = buf;
	w->cap = cap;
	return 0;
}

/**
 * mp_reserve() - Claim the next bytes of the buffer
 * @w:		Writer
 * @n:		How many
 *
 * Return: where to write them, or NULL (and w->err set) if they do not fit
 */
static uint8_t *mp_reserve(struct mp_writer *w, size_t n)
{
	uint8_t *p;

	if (w->err)
		return NULL;
	if (w->len > w->max || n > w->max - w->len ||
	    (w->len + n > w->cap && mp_grow(w, w->len + n))) {
		w->err = true;
		return NULL;
	}

	p = w->buf + w->len;
	w->len += n;
	return p;
}

/**
 * mp_put_head() - Write a type byte followed by a big-endian field
 * @w:		Writer
 * @c:		Type byte
 * @v:		Field value
 * @size:	Field width: 0, 1, 2, 4 or 8 bytes
 */
static void mp_put_head(struct mp_writer *w, uint8_t c, uint64_t v,
			size_t size)
{
	uint8_t *p = mp_reserve(w, 1 + size);
	size_t i;

	if (!p)
		return;
	p[0] = c;
	for (i = 0; i < size; i++)
		p[1 + i] = (uint8_t)(v >> (8 * (size - 1 - i)));
}

/**
 * mp_put_bytes() - Append raw bytes
 * @w:		Writer
 * @data:	Bytes
 * @len:	Their number
 */
static void mp_put_bytes(struct mp_writer *w, const void *data, size_t len)
{
	uint8_t *p = mp_reserve(w, len);

	if (p && len)
		memcpy(p, data, len);
}

/* Type bytes of the size forms: fix (0: none), 8-, 16- and 32-bit. */
static const uint8_t mp_str_codes[4] = { 0xa0, 0xd9, 0xda, 0xdb };
static const uint8_t mp_bin_codes[4] = { 0x00, 0xc4, 0xc5, 0xc6 };
static const uint8_t mp_array_codes[4] = { 0x90, 0x00, 0xdc, 0xdd };
static const uint8_t mp_map_codes[4] = { 0x80, 0x00, 0xde, 0xdf };

/**
 * mp_put_sized() - Write a str, bin, array or map header, shortest form
 * @w:		Writer
 * @codes:	Type bytes of its forms, one of the mp_*_codes tables
 * @fix_max:	Largest size the fix form holds
 * @n:		Size or count
 */
static void mp_put_sized(struct mp_writer *w, const uint8_t codes[4],
			 uint32_t fix_max, uint64_t n)
{
	if (n > UINT32_MAX)
		w->err = true;
	else if (codes[0] && n <= fix_max)
		mp_put_head(w, (uint8_t)(codes[0] | n), 0, 0);
	else if (codes[1] && n <= UINT8_MAX)
		mp_put_head(w, codes[1], n, 1);
	else if (n <= UINT16_MAX)
		mp_put_head(w, codes[2], n, 2);
	else
		mp_put_head(w, codes[3], n, 4);
}

/**
 * mp_put_nil() - Write nil
 * @w:		Writer
 */
void mp_put_nil(struct mp_writer *w)
{
	mp_put_head(w, 0xc0, 0, 0);
}

/**
 * mp_put_bool() - Write true or false
 * @w:		Writer
 * @b:		Value
 */
void mp_put_bool(struct mp_writer *w, bool b)
{
	mp_put_head(w, b ? 0xc3 : 0xc2, 0, 0);
}

/**
 * mp_put_uint() - Write a non-negative integer, shortest form
 * @w:		Writer
 * @u:		Value
 */
void mp_put_uint(struct mp_writer *w, uint64_t u)
{
	if (u <= 0x7f)
		mp_put_head(w, (uint8_t)u, 0, 0);
	else if (u <= UINT8_MAX)
		mp_put_head(w, 0xcc, u, 1);
	else if (u <= UINT16_MAX)
		mp_put_head(w, 0xcd, u, 2);
	else if (u <= UINT32_MAX)
		mp_put_head(w, 0xce, u, 4);
	else
		mp_put_head(w, 0xcf, u, 8);
}

/**
 * mp_put_int() - Write a signed integer, shortest form
 * @w:		Writer
 * @i:		Value; non-negative values are written as unsigned
 */
void mp_put_int(struct mp_writer *w, int64_t i)
{
	if (i >= 0)
		mp_put_uint(w, (uint64_t)i);
	else if (i >= -32)
		mp_put_head(w, (uint8_t)i, 0, 0);
	else if (i >= INT8_MIN)
		mp_put_head(w, 0xd0, (uint64_t)i, 1);
	else if (i >= INT16_MIN)
		mp_put_head(w, 0xd1, (uint64_t)i, 2);
	else if (i >= INT32_MIN)
		mp_put_head(w, 0xd2, (uint64_t)i, 4);
	else
		mp_put_head(w, 0xd3, (uint64_t)i, 8);
}

/**
 * mp_put_float() - Write a float64
 * @w:		Writer
 * @f:		Value
 */
void mp_put_float(struct mp_writer *w, double f)
{
	uint64_t bits;

	memcpy(&bits, &f, sizeof(bits));
	mp_put_head(w, 0xcb, bits, 8);
}

/**
 * mp_put_strn() - Write a string of a known length
 * @w:		Writer
 * @s:		Bytes, UTF-8 by convention
 * @len:	Their number
 */
void mp_put_strn(struct mp_writer *w, const char *s, size_t len)
{
	mp_put_sized(w, mp_str_codes, 31, len);
	mp_put_bytes(w, s, len);
}

/**
 * mp_put_str() - Write a C string, or nil for NULL
 * @w:		Writer
 * @s:		NUL-terminated string, or NULL
 */
void mp_put_str(struct mp_writer *w, const char *s)
{
	if (s)
		mp_put_strn(w, s, strlen(s));
	else
		mp_put_nil(w);
}

/**
 * mp_put_bin() - Write binary data
 * @w:		Writer
 * @data:	Bytes
 * @len:	Their number
 */
void mp_put_bin(struct mp_writer *w, const void *data, size_t len)
{
	mp_put_sized(w, mp_bin_codes, 0, len);
	mp_put_bytes(w, data, len);
}

/**
 * mp_put_array() - Write an array header; @n values must follow
 * @w:		Writer
 * @n:		Element count
 */
void mp_put_array(struct mp_writer *w, uint32_t n)
{
	mp_put_sized(w, mp_array_codes, 15, n);
}

/**
 * mp_put_map() - Write a map header; @n keys and values must follow
 * @w:		Writer
 * @n:		Pair count
 */
void mp_put_map(struct mp_writer *w, uint32_t n)
{
	mp_put_sized(w, mp_map_codes, 15, n);
}

/**
 * mp_put_agg32() - Write an aggregate header whose count comes later
 * @w:		Writer
 * @c:		0xdd (array32) or 0xdf (map32)
 *
 * Return: offset of the header, for mp_patch_agg32()
 */
static size_t mp_put_agg32(struct mp_writer *w, uint8_t c)
{
	size_t at = w->len;

	mp_put_head(w, c, 0, 4);
	return at;
}

/**
 * mp_patch_agg32() - Fill in the count of an aggregate header
 * @w:		Writer
 * @at:		Offset returned by mp_put_agg32()
 * @c:		Type byte expected there
 * @n:		Count
 */
static void mp_patch_agg32(struct mp_writer *w, size_t at, uint8_t c,
			   uint32_t n)
{
	uint8_t *p;

	if (w->err || at > w->len || w->len - at < 5 || w->buf[at] != c) {
		w->err = true;
		return;
	}
	p = w->buf + at + 1;
	p[0] = (uint8_t)(n >> 24);
	p[1] = (uint8_t)(n >> 16);
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
}

/**
 * mp_put_array32() - Write an array header whose count comes later
 * @w:		Writer
 *
 * Return: its offset, for mp_patch_array32()
 */
size_t mp_put_array32(struct mp_writer *w)
{
	return mp_put_agg32(w, 0xdd);
}

/**
 * mp_patch_array32() - Fill in the count of an mp_put_array32() header
 * @w:		Writer; err is set if @at is not such a header
 * @at:		Its offset
 * @n:		Element count
 */
void mp_patch_array32(struct mp_writer *w, size_t at, uint32_t n)
{
	mp_patch_agg32(w, at, 0xdd, n);
}

/**
 * mp_put_map32() - Write a map header whose count comes later
 * @w:		Writer
 *
 * Return: its offset, for mp_patch_map32()
 */
size_t mp_put_map32(struct mp_writer *w)
{
	return mp_put_agg32(w, 0xdf);
}

/**
 * mp_patch_map32() - Fill in the count of an mp_put_map32() header
 * @w:		Writer; err is set if @at is not such a header
 * @at:		Its offset
 * @n:		Pair count
 */
void mp_patch_map32(struct mp_writer *w, size_t at, uint32_t n)
{
	mp_patch_agg32(w, at, 0xdf, n);
}

/**
 * mp_kv_str() - Write a key and a string value (nil for NULL)
 * @w:		Writer
 * @k:		Key
 * @v:		Value, or NULL
 */
void mp_kv_str(struct mp_writer *w, const char *k, const char *v)
{
	mp_put_str(w, k);
	mp_put_str(w, v);
}

/**
 * mp_kv_uint() - Write a key and a non-negative integer
 * @w:		Writer
 * @k:		Key
 * @v:		Value
 */
void mp_kv_uint(struct mp_writer *w, const char *k, uint64_t v)
{
	mp_put_str(w, k);
	mp_put_uint(w, v);
}

/**
 * mp_kv_int() - Write a key and a signed integer
 * @w:		Writer
 * @k:		Key
 * @v:		Value
 */
void mp_kv_int(struct mp_writer *w, const char *k, int64_t v)
{
	mp_put_str(w, k);
	mp_put_int(w, v);
}

/**
 * mp_kv_bool() - Write a key and a boolean
 * @w:		Writer
 * @k:		Key
 * @v:		Value
 */
void mp_kv_bool(struct mp_writer *w, const char *k, bool v)
{
	mp_put_str(w, k);
	mp_put_bool(w, v);
}

/**
 * mp_kv_nil() - Write a key and nil
 * @w:		Writer
 * @k:		Key
 */
void mp_kv_nil(struct mp_writer *w, const char *k)
{
	mp_put_str(w, k);
	mp_put_nil(w);
}

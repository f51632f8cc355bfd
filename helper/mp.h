/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DOC: MessagePack, the subset nsdo speaks
 *
 * The reader works on a frame that mp_check() has accepted: exactly one
 * well-formed value, no extension types, nesting within MP_MAX_DEPTH. After
 * that check every read is still bounds-checked, so a bug in a caller turns
 * into an error, never into a read past the frame.
 *
 * Values are not copied: an mp_obj points into the frame. A map is searched
 * by key with mp_map_get(); maps in requests are small, so a linear scan is
 * the fastest structure there is.
 *
 * The writer appends to a growable buffer with a hard cap. Running out of
 * room, or past the cap, sets a sticky error flag that the caller checks
 * once at the end, so result encoders stay free of error branches.
 */
#ifndef NSDO_MP_H
#define NSDO_MP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MP_MAX_DEPTH 16

enum mp_type {
	MP_NIL,
	MP_BOOL,
	MP_UINT,	/* a non-negative integer */
	MP_INT,		/* a negative integer */
	MP_FLOAT,
	MP_STR,
	MP_BIN,
	MP_ARRAY,
	MP_MAP,
};

/* One decoded value; aggregates point at their first element. */
struct mp_obj {
	enum mp_type type;
	union {
		bool b;
		uint64_t u;
		int64_t i;
		double f;
		struct {
			const char *ptr;
			uint32_t len;
		} str;		/* MP_STR and MP_BIN */
		struct {
			const uint8_t *first;	/* first element */
			const uint8_t *end;	/* end of the frame */
			uint32_t count;		/* elements, or pairs */
		} agg;		/* MP_ARRAY and MP_MAP */
	} v;
};

enum mp_check_result {
	MP_OK = 0,
	MP_EMALFORMED = -1,	/* truncated, unknown byte, trailing bytes */
	MP_EDEPTH = -2,		/* nested deeper than MP_MAX_DEPTH */
	MP_EEXT = -3,		/* an extension type */
};

/*
 * mp_check() returns MP_OK or the first problem found. mp_decode() and
 * mp_skip() return 0, or -1 on a malformed or truncated value; *next (which
 * may be NULL for mp_decode) is set past the whole value, aggregates
 * included.
 */
enum mp_check_result mp_check(const uint8_t *buf, size_t len);
int mp_decode(const uint8_t *buf, const uint8_t *end, struct mp_obj *out,
	      const uint8_t **next);
int mp_skip(const uint8_t *buf, const uint8_t *end, const uint8_t **next);

/* Iteration over an array or a map. */
struct mp_iter {
	const uint8_t *p;
	const uint8_t *end;
	uint32_t left;
};

/*
 * mp_iter_next(), mp_iter_next_pair() and mp_map_get() return 1 when they
 * produced a value, 0 at the end (or when the key is absent), and -1 on a
 * malformed value or when the object is not an array or map. A map key that
 * is not a string never matches in mp_map_get().
 */
void mp_iter_init(struct mp_iter *it, const struct mp_obj *agg);
int mp_iter_next(struct mp_iter *it, struct mp_obj *val);
int mp_iter_next_pair(struct mp_iter *it, struct mp_obj *key,
		      struct mp_obj *val);
int mp_map_get(const struct mp_obj *map, const char *key, struct mp_obj *val);
bool mp_str_eq(const struct mp_obj *o, const char *s);

/* Writer */
struct mp_writer {
	uint8_t *buf;
	size_t len;
	size_t cap;
	size_t max;	/* hard cap: growing past it sets err */
	bool err;
};

/*
 * mp_writer_reset() empties the writer and clears err; a buffer that grew
 * past MP_WRITER_KEEP is freed, so a big reply does not stay resident.
 * mp_writer_rewind() drops everything written after offset "at" and clears
 * err. mp_put_str() with NULL writes nil.
 */
#define MP_WRITER_KEEP (64 * 1024)

void mp_writer_init(struct mp_writer *w, size_t max);
void mp_writer_reset(struct mp_writer *w);
void mp_writer_rewind(struct mp_writer *w, size_t at);
void mp_writer_free(struct mp_writer *w);
void mp_put_nil(struct mp_writer *w);
void mp_put_bool(struct mp_writer *w, bool b);
void mp_put_uint(struct mp_writer *w, uint64_t u);
void mp_put_int(struct mp_writer *w, int64_t i);
void mp_put_float(struct mp_writer *w, double f);
void mp_put_str(struct mp_writer *w, const char *s);
void mp_put_strn(struct mp_writer *w, const char *s, size_t len);
void mp_put_bin(struct mp_writer *w, const void *data, size_t len);
void mp_put_array(struct mp_writer *w, uint32_t n);
void mp_put_map(struct mp_writer *w, uint32_t n);
size_t mp_put_array32(struct mp_writer *w);
void mp_patch_array32(struct mp_writer *w, size_t at, uint32_t n);
size_t mp_put_map32(struct mp_writer *w);
void mp_patch_map32(struct mp_writer *w, size_t at, uint32_t n);

/* key/value shorthands for result maps */
void mp_kv_str(struct mp_writer *w, const char *k, const char *v);
void mp_kv_uint(struct mp_writer *w, const char *k, uint64_t v);
void mp_kv_int(struct mp_writer *w, const char *k, int64_t v);
void mp_kv_bool(struct mp_writer *w, const char *k, bool v);
void mp_kv_nil(struct mp_writer *w, const char *k);

#endif /* NSDO_MP_H */

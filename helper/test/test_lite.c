// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: unit tests of the stand-ins for libc's formatter and allocator
 *
 * lite_snprintf() must agree with libc's snprintf() byte for byte, and in
 * its return value, for every format the helper uses, at every buffer size
 * from 0 up (truncation included).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "lite.h"
#include "tap.h"

/*
 * Format with both, at every buffer size up to the full length + 2, and
 * compare. A macro, so that each call checks its own format string.
 */
#define SAME(...)							\
	do {								\
		char a[300], b[300];					\
		int na, nb;						\
		size_t sz;						\
									\
		na = snprintf(a, sizeof(a), __VA_ARGS__);		\
		nb = lite_snprintf(b, sizeof(b), __VA_ARGS__);		\
		if (na != nb || strcmp(a, b)) {				\
			fprintf(stderr, "  libc \"%s\" (%d), lite "	\
				"\"%s\" (%d)\n", a, na, b, nb);		\
			return -1;					\
		}							\
		for (sz = 0; sz < (size_t)na + 2; sz++) {		\
			memset(a, 'A', sizeof(a));			\
			memset(b, 'A', sizeof(b));			\
			snprintf(a, sz, __VA_ARGS__);			\
			lite_snprintf(b, sz, __VA_ARGS__);		\
			CHECK(!memcmp(a, b, sizeof(a)));		\
		}							\
	} while (0)

static int test_strings(void)
{
	const char *s = "link.add";

	SAME("plain text");
	SAME("%s", "");
	SAME("%s %s: %s", s, "b0", "File exists");
	SAME("%.*s|", 3, "abcdef");
	SAME("%.*s|", 0, "abcdef");
	SAME("%.*s|", 10, "abc");
	SAME("\"%.40s%s\"", "short", "");
	SAME("[%8s][%-8s][%3s]", "ab", "ab", "abcdef");
	SAME("%c%c%%", 'o', 'k');
	return 0;
}

static int test_integers(void)
{
	size_t z = 4096;

	SAME("%d %d %d %d", 0, -1, INT_MAX, INT_MIN);
	SAME("%u %u", 0u, UINT_MAX);
	SAME("%i", -42);
	SAME("%llu %llu", 0ull, (unsigned long long)UINT64_MAX);
	SAME("%lld %lld", (long long)INT64_MIN, (long long)INT64_MAX);
	SAME("%ld %lu", -5L, 5UL);
	SAME("%zu %zd", z, (ssize_t)-7);
	SAME("%x %X %02x:%02x", 0xbeefu, 0xbeefu, 0x5u, 0xabu);
	SAME("/proc/%d/fd/%d", 12345, 7);
	SAME("%5d|%-5d|%05d|%05d", 42, 42, 42, -42);
	SAME("%*d|%-*d", 6, 1, 6, 1);
	SAME("%hhu %hu %hhd %hd", (unsigned char)200, (unsigned short)60000,
	     (signed char)-100, (short)-30000);
	return 0;
}

/**
 * format_unchecked() - lite_vsnprintf() with a format the compiler won't see
 * @buf:	Output
 * @size:	Its size
 * @fmt:	Format, possibly invalid
 *
 * Return: what lite_vsnprintf() returned
 */
static int format_unchecked(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = lite_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static int test_unknown_conversion_stops(void)
{
	char buf[32];
	int n;

	/* The argument of an unknown conversion is never read. */
	n = format_unchecked(buf, sizeof(buf), "a%qb %s", "x");
	CHECK(n == 1 && !strcmp(buf, "a"));
	n = format_unchecked(buf, sizeof(buf), "end%");
	CHECK(n == 3 && !strcmp(buf, "end"));
	return 0;
}

static int test_alloc(void)
{
	unsigned char *p, *q;
	size_t i;

	p = lite_malloc(10);
	CHECK(p && ((uintptr_t)p & 15) == 0);
	memset(p, 0x5a, 10);

	p = lite_realloc(p, 100000);
	CHECK(p);
	for (i = 0; i < 10; i++)
		CHECK(p[i] == 0x5a);
	memset(p, 1, 100000);

	q = lite_realloc(p, 20);
	CHECK(q && q[19] == 1);
	lite_free(q);

	p = lite_calloc(1000, 10);
	CHECK(p && !p[0] && !p[9999]);
	lite_free(p);

	CHECK(!lite_calloc(SIZE_MAX / 2, 4));
	CHECK(!lite_malloc(SIZE_MAX - 10));
	lite_free(NULL);
	p = lite_realloc(NULL, 5);
	CHECK(p);
	lite_free(p);
	return 0;
}

int main(void)
{
	run("strings, precision, width, as libc", test_strings);
	run("integers of every length, as libc", test_integers);
	run("an unknown conversion stops the output",
	    test_unknown_conversion_stops);
	run("malloc, realloc, calloc, free by mmap", test_alloc);

	return tap_done();
}

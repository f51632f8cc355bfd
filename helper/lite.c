// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: small stand-ins for libc's formatter and allocator
 *
 * The helper formats short messages with a handful of conversions and
 * holds at most two heap buffers (a frame and a reply). musl's printf core
 * (with floating point) and its general allocator are more than a third of
 * a static build, for features the helper never uses. The release build
 * links the functions below in their place with -Wl,--wrap=NAME, which
 * sends every call our objects make to __wrap_NAME; libc itself is left
 * alone. Sanitized and unit-test builds keep libc's, so ASan watches every
 * buffer; the unit tests compare lite_vsnprintf() with libc's.
 *
 * The formatter knows the flags '-' and '0', a width and a precision
 * (digits or '*'), the lengths hh, h, l, ll, z, j, t, and the conversions
 * d i u x X c s p %. An unknown conversion ends the output there: its
 * argument's type is unknown, so nothing more can be read safely.
 *
 * The allocator maps each block on its own with mmap(); free() gives it
 * back to the kernel at once, so a large frame never lingers in the
 * helper's memory. A block starts with a header that holds its mapped size.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "lite.h"

/* Where formatted output goes: a buffer of @size, and the length so far. */
struct lite_out {
	char *buf;
	size_t size;
	size_t len;		/* as if the buffer were unbounded */
};

/* One conversion specification, parsed. */
struct lite_spec {
	bool left;		/* '-' */
	bool zero;		/* '0' */
	int width;
	int prec;		/* -1: none */
	int length;		/* 0, 'H' hh, 'h', 'l' (l z t), 'L' (ll j) */
};

/**
 * lite_putc() - Append one character, if there is room
 * @o:		Output
 * @c:		Character
 */
static void lite_putc(struct lite_out *o, char c)
{
	if (o->size && o->len < o->size - 1)
		o->buf[o->len] = c;
	o->len++;
}

/**
 * lite_pad() - Append a character @n times
 * @o:		Output
 * @c:		Character
 * @n:		Count, nothing if not positive
 */
static void lite_pad(struct lite_out *o, char c, int n)
{
	while (n-- > 0)
		lite_putc(o, c);
}

/**
 * lite_field() - Append text in a field of the spec's width
 * @o:		Output
 * @sp:		Spec: width, '-' and '0'
 * @sign:	Sign character, or 0
 * @s:		Text
 * @len:	Its length
 */
static void lite_field(struct lite_out *o, const struct lite_spec *sp,
		       char sign, const char *s, size_t len)
{
	int pad = sp->width - (int)len - (sign ? 1 : 0);

	if (!sp->left && !sp->zero)
		lite_pad(o, ' ', pad);
	if (sign)
		lite_putc(o, sign);
	if (!sp->left && sp->zero)
		lite_pad(o, '0', pad);
	while (len--)
		lite_putc(o, *s++);
	if (sp->left)
		lite_pad(o, ' ', pad);
}

/**
 * lite_number() - Append an integer
 * @o:		Output
 * @sp:		Spec
 * @v:		Magnitude
 * @neg:	Whether it is negative
 * @base:	10 or 16
 * @upper:	Upper-case hex digits
 */
static void lite_number(struct lite_out *o, const struct lite_spec *sp,
			uint64_t v, bool neg, unsigned int base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t n = sizeof(tmp);

	do {
		tmp[--n] = digits[v % base];
		v /= base;
	} while (v);
	lite_field(o, sp, neg ? '-' : 0, tmp + n, sizeof(tmp) - n);
}

/**
 * lite_parse_int() - Parse a width or precision: digits or '*'
 * @f:		Format, advanced past it
 * @ap:		Arguments, for '*'
 *
 * Return: the value, 0 when there are no digits
 */
static int lite_parse_int(const char **f, va_list *ap)
{
	int v = 0;

	if (**f == '*') {
		(*f)++;
		return va_arg(*ap, int);
	}
	while (**f >= '0' && **f <= '9') {
		if (v < 100000)
			v = v * 10 + (**f - '0');
		(*f)++;
	}
	return v;
}

/**
 * lite_parse_spec() - Parse flags, width, precision and length
 * @f:		Format just past '%', advanced to the conversion character
 * @ap:		Arguments, for '*'
 * @sp:		The spec
 */
static void lite_parse_spec(const char **f, va_list *ap, struct lite_spec *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->prec = -1;
	for (;; (*f)++) {
		if (**f == '-')
			sp->left = true;
		else if (**f == '0')
			sp->zero = true;
		else
			break;
	}

	sp->width = lite_parse_int(f, ap);
	if (sp->width < 0) {
		sp->left = true;
		sp->width = -sp->width;
	}
	if (**f == '.') {
		(*f)++;
		sp->prec = lite_parse_int(f, ap);
	}

	for (; **f && strchr("hlzjt", **f); (*f)++) {
		if (**f == 'h')
			sp->length = sp->length == 'h' ? 'H' : 'h';
		else if (**f == 'j' || (**f == 'l' && sp->length == 'l'))
			sp->length = 'L';
		else
			sp->length = 'l';
	}
}

/**
 * lite_signed() - Fetch a signed argument of the spec's length
 * @ap:		Arguments
 * @sp:		Spec
 *
 * Return: the value
 */
static int64_t lite_signed(va_list *ap, const struct lite_spec *sp)
{
	if (sp->length == 'L')
		return va_arg(*ap, long long);
	if (sp->length == 'l')
		return va_arg(*ap, long);
	if (sp->length == 'h')
		return (short)va_arg(*ap, int);
	if (sp->length == 'H')
		return (signed char)va_arg(*ap, int);
	return va_arg(*ap, int);
}

/**
 * lite_unsigned() - Fetch an unsigned argument of the spec's length
 * @ap:		Arguments
 * @sp:		Spec
 *
 * Return: the value
 */
static uint64_t lite_unsigned(va_list *ap, const struct lite_spec *sp)
{
	if (sp->length == 'L')
		return va_arg(*ap, unsigned long long);
	if (sp->length == 'l')
		return va_arg(*ap, unsigned long);
	if (sp->length == 'h')
		return (unsigned short)va_arg(*ap, unsigned int);
	if (sp->length == 'H')
		return (unsigned char)va_arg(*ap, unsigned int);
	return va_arg(*ap, unsigned int);
}

/**
 * lite_convert() - Format one conversion
 * @o:		Output
 * @c:		Conversion character
 * @sp:		Its spec
 * @ap:		Arguments
 *
 * Return: 0, or -1 for an unknown conversion
 */
static int lite_convert(struct lite_out *o, char c, struct lite_spec *sp,
			va_list *ap)
{
	const char *s;
	int64_t i;
	char ch;

	switch (c) {
	case 'd':
	case 'i':
		i = lite_signed(ap, sp);
		lite_number(o, sp, i < 0 ? 0 - (uint64_t)i : (uint64_t)i,
			    i < 0, 10, false);
		return 0;
	case 'u':
	case 'x':
	case 'X':
		lite_number(o, sp, lite_unsigned(ap, sp), false,
			    c == 'u' ? 10 : 16, c == 'X');
		return 0;
	case 'p':
		lite_putc(o, '0');
		lite_putc(o, 'x');
		lite_number(o, sp, (uintptr_t)va_arg(*ap, void *), false, 16,
			    false);
		return 0;
	case 'c':
		ch = (char)va_arg(*ap, int);
		lite_field(o, sp, 0, &ch, 1);
		return 0;
	case 's':
		s = va_arg(*ap, const char *);
		if (!s)
			s = "(null)";
		sp->zero = false;
		lite_field(o, sp, 0, s, sp->prec < 0 ? strlen(s) :
			   strnlen(s, (size_t)sp->prec));
		return 0;
	case '%':
		lite_putc(o, '%');
		return 0;
	default:
		return -1;
	}
}

/**
 * lite_vsnprintf() - vsnprintf() for the conversions the helper uses
 * @buf:	Output, always NUL-terminated when @size is not 0
 * @size:	Its size
 * @fmt:	Format
 * @ap:		Arguments
 *
 * Return: the length the whole output would have, like vsnprintf()
 */
int lite_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct lite_out o = { .buf = buf, .size = size };
	struct lite_spec sp;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			lite_putc(&o, *fmt++);
			continue;
		}
		fmt++;
		lite_parse_spec(&fmt, &args, &sp);
		if (lite_convert(&o, *fmt, &sp, &args))
			break;
		fmt++;
	}
	va_end(args);

	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT32_MAX ? INT32_MAX : (int)o.len;
}

/**
 * lite_snprintf() - snprintf() for the conversions the helper uses
 * @buf:	Output
 * @size:	Its size
 * @fmt:	Format
 *
 * Return: the length the whole output would have
 */
int lite_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = lite_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Block header; 16 bytes keep the block as aligned as malloc()'s. */
struct lite_block {
	size_t size;		/* mapped bytes, header included */
	size_t magic;		/* LITE_MAGIC: the block was made here */
};

#define LITE_PAGE 4096u
#define LITE_MAGIC ((size_t)0x6e73646f6c697465ull)

/**
 * lite_mapped_size() - Pages needed for @n bytes and the header
 * @n:		Bytes asked for
 *
 * Return: the size to map, or 0 if it would overflow
 */
static size_t lite_mapped_size(size_t n)
{
	size_t hdr = sizeof(struct lite_block);

	if (n > SIZE_MAX - hdr - LITE_PAGE)
		return 0;
	return (n + hdr + LITE_PAGE - 1) & ~(size_t)(LITE_PAGE - 1);
}

/**
 * lite_malloc() - malloc(), one mapping per block
 * @n:		Bytes
 *
 * Return: the block, or NULL with errno ENOMEM
 */
void *lite_malloc(size_t n)
{
	size_t size = lite_mapped_size(n);
	struct lite_block *b;

	if (!size) {
		errno = ENOMEM;
		return NULL;
	}
	b = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		return NULL;
	b->size = size;
	b->magic = LITE_MAGIC;
	return b + 1;
}

/**
 * lite_calloc() - calloc(): fresh mappings are zeroed already
 * @n:		Elements
 * @each:	Size of one
 *
 * Return: the block, or NULL with errno ENOMEM
 */
void *lite_calloc(size_t n, size_t each)
{
	if (each && n > SIZE_MAX / each) {
		errno = ENOMEM;
		return NULL;
	}
	return lite_malloc(n * each);
}

/**
 * lite_free() - free(): unmap the block
 * @p:		Block, or NULL
 *
 * A pointer that libc allocated (should some libc function that returns
 * one ever be used) has no magic; it is leaked rather than unmapped wrongly.
 */
void lite_free(void *p)
{
	struct lite_block *b;

	if (!p)
		return;
	b = (struct lite_block *)p - 1;
	if (b->magic == LITE_MAGIC)
		munmap(b, b->size);
}

/**
 * lite_realloc() - realloc(), by mremap() when the page count changes
 * @p:		Block, or NULL
 * @n:		New size
 *
 * Return: the block, possibly moved, or NULL with errno set (the old block
 * is then untouched; a block libc made cannot be resized here: EINVAL)
 */
void *lite_realloc(void *p, size_t n)
{
	size_t size = lite_mapped_size(n);
	struct lite_block *b;

	if (!p)
		return lite_malloc(n);
	b = (struct lite_block *)p - 1;
	if (b->magic != LITE_MAGIC || !size) {
		errno = b->magic != LITE_MAGIC ? EINVAL : ENOMEM;
		return NULL;
	}
	if (size == b->size)
		return p;

	b = mremap(b, b->size, size, MREMAP_MAYMOVE);
	if (b == MAP_FAILED)
		return NULL;
	b->size = size;
	return b + 1;
}

/*
 * The names that -Wl,--wrap=NAME sends our calls of NAME to, in release
 * builds. Each only forwards to its lite_ counterpart above.
 */

/**
 * __wrap_vsnprintf() - vsnprintf() of release builds
 * @buf:	Output
 * @size:	Its size
 * @fmt:	Format
 * @ap:		Arguments
 *
 * Return: as lite_vsnprintf()
 */
int __wrap_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return lite_vsnprintf(buf, size, fmt, ap);
}

/**
 * __wrap_snprintf() - snprintf() of release builds
 * @buf:	Output
 * @size:	Its size
 * @fmt:	Format
 *
 * Return: as lite_vsnprintf()
 */
int __wrap_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = lite_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/**
 * __wrap_malloc() - malloc() of release builds
 * @n:		Bytes
 *
 * Return: as lite_malloc()
 */
void *__wrap_malloc(size_t n)
{
	return lite_malloc(n);
}

/**
 * __wrap_calloc() - calloc() of release builds
 * @n:		Elements
 * @each:	Size of one
 *
 * Return: as lite_calloc()
 */
void *__wrap_calloc(size_t n, size_t each)
{
	return lite_calloc(n, each);
}

/**
 * __wrap_realloc() - realloc() of release builds
 * @p:		Block, or NULL
 * @n:		New size
 *
 * Return: as lite_realloc()
 */
void *__wrap_realloc(void *p, size_t n)
{
	return lite_realloc(p, n);
}

/**
 * __wrap_free() - free() of release builds
 * @p:		Block, or NULL
 */
void __wrap_free(void *p)
{
	lite_free(p);
}

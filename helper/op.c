// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: ops: failing and reading arguments
 *
 * An op reports failure by filling ctx->err: a code (an errno name, or
 * ERR_NSDO_... for the helper's own), the errno, one line of text and, for
 * kernel errors, the extended ack. The text starts with the op's name, so a
 * message read on its own still says what failed.
 *
 * Messages carry bytes that came from the request (names, paths). Before a
 * message leaves, control characters and bytes that are not valid UTF-8
 * become '?': the driver's decoder must never choke on the helper's words.
 *
 * The arg_*() readers give every op the same checks and the same wording:
 * the argument's name, what was expected, and what came.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "op.h"

#define ARG_BAD "ERR_NSDO_BAD_ARGUMENT"
#define ARG_DESC_MAX 64		/* a value quoted in a message */
#define IFNAME_MAX 15		/* IFNAMSIZ without the NUL */

/*
 * The names of the errnos, packed: one struct of exactly sized char arrays
 * holds the text, and a table of 16-bit offsets into it (plus one, so that
 * 0 marks a hole) replaces a table of pointers, a kilobyte smaller.
 */
#define ERRNO_LIST(X) \
	X(EPERM) X(ENOENT) X(ESRCH) X(EINTR) X(EIO) X(ENXIO) X(E2BIG) \
	X(ENOEXEC) X(EBADF) X(ECHILD) X(EAGAIN) X(ENOMEM) X(EACCES) X(EFAULT) \
	X(ENOTBLK) X(EBUSY) X(EEXIST) X(EXDEV) X(ENODEV) X(ENOTDIR) X(EISDIR) \
	X(EINVAL) X(ENFILE) X(EMFILE) X(ENOTTY) X(ETXTBSY) X(EFBIG) X(ENOSPC) \
	X(ESPIPE) X(EROFS) X(EMLINK) X(EPIPE) X(EDOM) X(ERANGE) X(EDEADLK) \
	X(ENAMETOOLONG) X(ENOLCK) X(ENOSYS) X(ENOTEMPTY) X(ELOOP) X(ENOMSG) \
	X(EIDRM) X(ECHRNG) X(EL2NSYNC) X(EL3HLT) X(EL3RST) X(ELNRNG) \
	X(EUNATCH) X(ENOCSI) X(EL2HLT) X(EBADE) X(EBADR) X(EXFULL) X(ENOANO) \
	X(EBADRQC) X(EBADSLT) X(EBFONT) X(ENOSTR) X(ENODATA) X(ETIME) \
	X(ENOSR) X(ENONET) X(ENOPKG) X(EREMOTE) X(ENOLINK) X(EADV) X(ESRMNT) \
	X(ECOMM) X(EPROTO) X(EMULTIHOP) X(EDOTDOT) X(EBADMSG) X(EOVERFLOW) \
	X(ENOTUNIQ) X(EBADFD) X(EREMCHG) X(ELIBACC) X(ELIBBAD) X(ELIBSCN) \
	X(ELIBMAX) X(ELIBEXEC) X(EILSEQ) X(ERESTART) X(ESTRPIPE) X(EUSERS) \
	X(ENOTSOCK) X(EDESTADDRREQ) X(EMSGSIZE) X(EPROTOTYPE) X(ENOPROTOOPT) \
	X(EPROTONOSUPPORT) X(ESOCKTNOSUPPORT) X(EOPNOTSUPP) X(EPFNOSUPPORT) \
	X(EAFNOSUPPORT) X(EADDRINUSE) X(EADDRNOTAVAIL) X(ENETDOWN) \
	X(ENETUNREACH) X(ENETRESET) X(ECONNABORTED) X(ECONNRESET) X(ENOBUFS) \
	X(EISCONN) X(ENOTCONN) X(ESHUTDOWN) X(ETOOMANYREFS) X(ETIMEDOUT) \
	X(ECONNREFUSED) X(EHOSTDOWN) X(EHOSTUNREACH) X(EALREADY) \
	X(EINPROGRESS) X(ESTALE) X(EUCLEAN) X(ENOTNAM) X(ENAVAIL) X(EISNAM) \
	X(EREMOTEIO) X(EDQUOT) X(ENOMEDIUM) X(EMEDIUMTYPE) X(ECANCELED) \
	X(ENOKEY) X(EKEYEXPIRED) X(EKEYREVOKED) X(EKEYREJECTED) X(EOWNERDEAD) \
	X(ENOTRECOVERABLE) X(ERFKILL) X(EHWPOISON)

#define ERRNO_FIELD(name) char name##_[sizeof(#name)];
#define ERRNO_TEXT(name) #name,
#define ERRNO_OFFSET(name) [name] = offsetof(struct errno_text, name##_) + 1,

struct errno_text {
	ERRNO_LIST(ERRNO_FIELD)
};

static const struct errno_text errno_text = {
	ERRNO_LIST(ERRNO_TEXT)
};

static const uint16_t errno_offsets[] = {
	ERRNO_LIST(ERRNO_OFFSET)
};

/* The kernel's internal "not supported", which some rtnetlink paths leak. */
#define ENOTSUPP_KERNEL 524

/**
 * errno_name() - The symbolic name of an errno
 * @errnum:	Positive errno
 *
 * Return: "EEXIST" and the like, "ENOTSUPP" for the kernel's 524, and
 * "EUNKNOWN" for anything else; never NULL
 */
const char *errno_name(int errnum)
{
	size_t n = sizeof(errno_offsets) / sizeof(errno_offsets[0]);

	if (errnum == ENOTSUPP_KERNEL)
		return "ENOTSUPP";
	if (errnum > 0 && (size_t)errnum < n && errno_offsets[errnum])
		return (const char *)&errno_text + errno_offsets[errnum] - 1;
	return "EUNKNOWN";
}

/**
 * op_utf8_len() - Length of a valid UTF-8 sequence
 * @s:		First byte, a lead byte of 0x80 or more
 * @left:	Bytes available from @s
 *
 * Return: 2 to 4 for a valid, shortest-form sequence, 0 otherwise
 */
static size_t op_utf8_len(const unsigned char *s, size_t left)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;

	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/**
 * op_text_clean() - Make text printable, one-line, valid UTF-8
 * @s:		NUL-terminated text, changed in place
 */
void op_text_clean(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t left = strlen(s), n;

	while (left) {
		if (*p >= 0x80 && (n = op_utf8_len(p, left))) {
			p += n;
			left -= n;
			continue;
		}
		if (*p < 0x20 || *p >= 0x7f)
			*p = '?';
		p++;
		left--;
	}
}

/**
 * op_error_reset() - Clear an error before an op runs
 * @e:		Error
 */
void op_error_reset(struct op_error *e)
{
	e->code = NULL;
	e->errnum = 0;
	e->message[0] = '\0';
	e->extack[0] = '\0';
}

/**
 * op_has_prefix() - Whether text already starts with the op's name
 * @text:	Message text
 * @op:		Op name
 *
 * Return: true if @text is @op, or @op followed by a space or a colon
 */
static bool op_has_prefix(const char *text, const char *op)
{
	size_t n = strlen(op);

	return !strncmp(text, op, n) &&
	       (!text[n] || text[n] == ' ' || text[n] == ':');
}

/**
 * op_append() - Append text to a message, cutting it at OP_MESSAGE_MAX
 * @msg:	Message buffer, OP_MESSAGE_MAX bytes
 * @len:	Its current length
 * @s:		Text to append
 *
 * Return: the new length
 */
static size_t op_append(char *msg, size_t len, const char *s)
{
	while (*s && len < OP_MESSAGE_MAX - 1)
		msg[len++] = *s++;
	msg[len] = '\0';
	return len;
}

/**
 * op_vmessage() - Write an error's message: op name, text, reason
 * @ctx:	Op context; ctx->op may be NULL for request-level errors
 * @fmt:	printf() format of the text
 * @ap:		Its arguments
 * @reason:	Appended after ": " if not NULL (strerror() text)
 */
static void op_vmessage(struct op_ctx *ctx, const char *fmt, va_list ap,
			const char *reason)
{
	char text[OP_MESSAGE_MAX];
	char *msg = ctx->err->message;
	size_t len = 0;

	vsnprintf(text, sizeof(text), fmt, ap);

	msg[0] = '\0';
	if (ctx->op && !op_has_prefix(text, ctx->op)) {
		len = op_append(msg, len, ctx->op);
		if (text[0])
			len = op_append(msg, len, " ");
	}
	len = op_append(msg, len, text);
	if (reason) {
		len = op_append(msg, len, ": ");
		op_append(msg, len, reason);
	}
	op_text_clean(msg);
}

/**
 * op_fail() - Fail with one of the helper's own codes
 * @ctx:	Op context
 * @code:	"ERR_NSDO_..." (static storage)
 * @fmt:	printf() format of the message
 *
 * Return: -1, for "return op_fail(...)"
 */
int op_fail(struct op_ctx *ctx, const char *code, const char *fmt, ...)
{
	va_list ap;

	ctx->err->code = code;
	ctx->err->errnum = 0;
	ctx->err->extack[0] = '\0';

	va_start(ap, fmt);
	op_vmessage(ctx, fmt, ap, NULL);
	va_end(ap);
	return -1;
}

/**
 * op_fail_errno() - Fail with an errno
 * @ctx:	Op context
 * @errnum:	Positive errno (a negative one is turned around)
 * @fmt:	printf() format of what failed: "%s" and a link name, a path
 *
 * Return: -1
 */
int op_fail_errno(struct op_ctx *ctx, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (errnum < 0)
		errnum = -errnum;
	if (!errnum)
		errnum = EIO;
	ctx->err->code = errno_name(errnum);
	ctx->err->errnum = errnum;
	ctx->err->extack[0] = '\0';

	va_start(ap, fmt);
	op_vmessage(ctx, fmt, ap, strerror(errnum));
	va_end(ap);
	return -1;
}

/**
 * op_fail_nl() - Fail with what the kernel said over netlink
 * @ctx:	Op context
 * @e:		The kernel's error, or a malformed reply (e->protocol)
 * @fmt:	printf() format of what failed
 *
 * Return: -1
 */
int op_fail_nl(struct op_ctx *ctx, const struct nl_error *e,
	       const char *fmt, ...)
{
	bool protocol = e->protocol || e->errnum <= 0;
	va_list ap;

	if (protocol) {
		ctx->err->code = "ERR_NSDO_NETLINK";
		ctx->err->errnum = 0;
	} else {
		ctx->err->code = errno_name(e->errnum);
		ctx->err->errnum = e->errnum;
	}

	va_start(ap, fmt);
	op_vmessage(ctx, fmt, ap, protocol ? "malformed netlink reply" :
		    strerror(e->errnum));
	va_end(ap);

	snprintf(ctx->err->extack, OP_MESSAGE_MAX, "%.*s",
		 (int)sizeof(e->extack), e->extack);
	op_text_clean(ctx->err->extack);
	return -1;
}

/**
 * arg_describe() - Describe a value for a message: what came
 * @o:		Value
 * @buf:	Description, NUL-terminated
 * @size:	Size of @buf
 */
void arg_describe(const struct mp_obj *o, char *buf, size_t size)
{
	static const char *const names[] = {
		[MP_NIL] = "nil", [MP_FLOAT] = "a float",
		[MP_BIN] = "binary data", [MP_ARRAY] = "an array",
		[MP_MAP] = "a map",
	};
	uint32_t len;

	switch (o->type) {
	case MP_BOOL:
		snprintf(buf, size, "%s", o->v.b ? "true" : "false");
		break;
	case MP_UINT:
		snprintf(buf, size, "%llu", (unsigned long long)o->v.u);
		break;
	case MP_INT:
		snprintf(buf, size, "%lld", (long long)o->v.i);
		break;
	case MP_STR:
		len = o->v.str.len > 40 ? 40 : o->v.str.len;
		snprintf(buf, size, "\"%.*s%s\"", (int)len, o->v.str.ptr,
			 len < o->v.str.len ? "..." : "");
		break;
	default:
		snprintf(buf, size, "%s", names[o->type]);
	}
}

/**
 * arg_fail() - Fail because an argument has the wrong type or value
 * @ctx:	Op context
 * @key:	Argument name
 * @expected:	What it should have been, "an integer from 1 to 9"
 * @got:	What came
 *
 * Return: -1
 */
static int arg_fail(struct op_ctx *ctx, const char *key, const char *expected,
		    const struct mp_obj *got)
{
	char desc[ARG_DESC_MAX];

	arg_describe(got, desc, sizeof(desc));
	return op_fail(ctx, ARG_BAD, "\"%s\": expected %s, got %s", key,
		       expected, desc);
}

/**
 * arg_find() - Look up a key of a map, through the op's index if it is the
 * op's own map
 * @ctx:	Op context; ctx->args may be NULL
 * @args:	A map
 * @key:	Key
 * @out:	Its value, nil included
 *
 * request.c refused unknown and repeated keys before the op ran, so a key
 * of the op's list that is not marked given is absent from the map.
 *
 * Return: 1 found, 0 absent, -1 when @args is not a map
 */
int arg_find(const struct op_ctx *ctx, const struct mp_obj *args,
	     const char *key, struct mp_obj *out)
{
	const struct op_args *a = ctx->args;
	int i;

	if (!a || args->type != MP_MAP || args->v.agg.first != a->map)
		return mp_map_get(args, key, out);

	for (i = 0; a->keys && a->keys[i] && i < OP_KEYS_MAX; i++) {
		if (a->keys[i] != key && strcmp(a->keys[i], key))
			continue;
		if (!(a->given & 1u << i))
			return 0;
		*out = a->vals[i];
		return 1;
	}
	return mp_map_get(args, key, out);
}

/**
 * arg_get() - Look up an argument
 * @ctx:	Op context
 * @args:	The op's map
 * @key:	Argument name
 * @required:	Whether absence is an error
 * @nil_absent:	Whether a nil value counts as absent
 * @out:	The value, when present
 *
 * Return: 1 present, 0 absent, -1 after op_fail() (missing but required)
 */
static int arg_get(struct op_ctx *ctx, const struct mp_obj *args,
		   const char *key, bool required, bool nil_absent,
		   struct mp_obj *out)
{
	int rc = arg_find(ctx, args, key, out);

	if (rc < 0)
		return op_fail(ctx, ARG_BAD, "arguments: expected a map");
	if (rc && !(nil_absent && out->type == MP_NIL))
		return 1;
	if (required)
		return op_fail(ctx, ARG_BAD, "\"%s\" is required", key);
	return 0;
}

/**
 * arg_str() - Read a string argument into a buffer
 * @ctx:	Op context
 * @args:	The op's map
 * @key:	Argument name
 * @required:	Whether absence is an error
 * @buf:	The string, NUL-terminated
 * @size:	Size of @buf; longer strings are refused
 *
 * Return: 1 present, 0 absent, -1 after op_fail()
 */
int arg_str(struct op_ctx *ctx, const struct mp_obj *args, const char *key,
	    bool required, char *buf, size_t size)
{
	char expected[48];
	struct mp_obj o;
	int rc;

	rc = arg_get(ctx, args, key, required, true, &o);
	if (rc <= 0)
		return rc;

	if (o.type != MP_STR || o.v.str.len >= size) {
		snprintf(expected, sizeof(expected), "a string of at most %zu "
			 "bytes", size ? size - 1 : 0);
		return arg_fail(ctx, key, expected, &o);
	}
	if (memchr(o.v.str.ptr, '\0', o.v.str.len))
		return arg_fail(ctx, key, "a string without NUL bytes", &o);

	memcpy(buf, o.v.str.ptr, o.v.str.len);
	buf[o.v.str.len] = '\0';
	return 1;
}

/**
 * arg_u32() - Read an integer argument within a range
 * @ctx:	Op context
 * @args:	The op's map
 * @key:	Argument name
 * @required:	Whether absence is an error
 * @min:	Smallest value accepted
 * @max:	Largest value accepted
 * @out:	The value
 *
 * Return: 1 present, 0 absent, -1 after op_fail()
 */
int arg_u32(struct op_ctx *ctx, const struct mp_obj *args, const char *key,
	    bool required, uint32_t min, uint32_t max, uint32_t *out)
{
	char expected[48];
	struct mp_obj o;
	int rc;

	rc = arg_get(ctx, args, key, required, true, &o);
	if (rc <= 0)
		return rc;

	if (o.type != MP_UINT || o.v.u < min || o.v.u > max) {
		snprintf(expected, sizeof(expected),
			 "an integer from %u to %u", min, max);
		return arg_fail(ctx, key, expected, &o);
	}
	*out = (uint32_t)o.v.u;
	return 1;
}

/**
 * arg_bool() - Read a boolean argument
 * @ctx:	Op context
 * @args:	The op's map
 * @key:	Argument name
 * @required:	Whether absence is an error
 * @out:	The value
 *
 * Return: 1 present, 0 absent, -1 after op_fail()
 */
int arg_bool(struct op_ctx *ctx, const struct mp_obj *args, const char *key,
	     bool required, bool *out)
{
	struct mp_obj o;
	int rc;

	rc = arg_get(ctx, args, key, required, true, &o);
	if (rc <= 0)
		return rc;

	if (o.type != MP_BOOL)
		return arg_fail(ctx, key, "true or false", &o);
	*out = o.v.b;
	return 1;
}

/**
 * arg_ifname_valid() - Whether a string is a name the kernel takes for a link
 * @s:		Name (not NUL-terminated)
 * @len:	Its length
 *
 * The kernel refuses '/', ':' and whitespace in link names, and "." and
 * ".." (they would clash with /sys/class/net entries).
 *
 * Return: true if valid
 */
static bool arg_ifname_valid(const char *s, size_t len)
{
	size_t i;

	if (!len || len > IFNAME_MAX)
		return false;
	if ((len == 1 && s[0] == '.') || (len == 2 && !memcmp(s, "..", 2)))
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] == '/' || s[i] == ':' || s[i] == ' ' || !s[i] ||
		    (s[i] >= '\t' && s[i] <= '\r'))
			return false;
	}
	return true;
}

/**
 * arg_ifname_obj() - Check a value as a link name and copy it
 * @ctx:	Op context
 * @key:	Argument name, for the message
 * @o:		Value
 * @buf:	Name, NUL-terminated, IFNAMSIZ bytes
 *
 * Return: 1, or -1 after op_fail()
 */
static int arg_ifname_obj(struct op_ctx *ctx, const char *key,
			  const struct mp_obj *o, char *buf)
{
	if (o->type != MP_STR || !arg_ifname_valid(o->v.str.ptr,
						   o->v.str.len))
		return arg_fail(ctx, key, "a link name of 1 to 15 bytes "
				"without '/', ':' or whitespace", o);

	memcpy(buf, o->v.str.ptr, o->v.str.len);
	buf[o->v.str.len] = '\0';
	return 1;
}

/**
 * arg_ifname() - Read a link name argument
 * @ctx:	Op context
 * @args:	The op's map
 * @key:	Argument name
 * @required:	Whether absence is an error
 * @buf:	Name, NUL-terminated, IFNAMSIZ (16) bytes
 *
 * Return: 1 present, 0 absent, -1 after op_fail()
 */
int arg_ifname(struct op_ctx *ctx, const struct mp_obj *args,
	       const char *key, bool required, char *buf)
{
	struct mp_obj o;
	int rc;

	rc = arg_get(ctx, args, key, required, true, &o);
	if (rc <= 0)
		return rc;
	return arg_ifname_obj(ctx, key, &o, buf);
}

/*
 * The last name arg_link() resolved, and in which namespace (by socket):
 * route.add after route.add names the same link, and the ioctl that
 * resolves it would cost a third of each op's system calls. The request
 * layer forgets it at the start of each request and after every op that
 * can add, rename or remove a link (arg_link_forget()).
 */
static struct {
	const struct nl_sock *nl;	/* NULL: nothing remembered */
	int index;
	char name[IFNAME_MAX + 1];
} arg_link_last;

/**
 * arg_link_forget() - Forget the last link name arg_link() resolved
 */
void arg_link_forget(void)
{
	arg_link_last.nl = NULL;
}

/**
 * arg_link_resolve() - Index of a link by name, the last one remembered
 * @ctx:	Op context, its socket resolves the name
 * @name:	Link name
 *
 * Return: the index, or a negative errno
 */
static int arg_link_resolve(struct op_ctx *ctx, const char *name)
{
	int idx;

	if (arg_link_last.nl == ctx->nl && !strcmp(arg_link_last.name, name))
		return arg_link_last.index;

	errno = 0;
	idx = nl_ifindex(ctx->nl, name);
	if (!idx)
		return -ENODEV;
	if (idx == -1 && errno)
		return -errno;
	if (idx > 0) {
		arg_link_last.nl = ctx->nl;
		arg_link_last.index = idx;
		strcpy(arg_link_last.name, name);
	}
	return idx;
}

/**
 * arg_link() - Read a link argument: a name, or a positive index
 * @ctx:	Op context; a name is resolved through ctx->nl
 * @args:	The op's map
 * @key:	Argument name
 * @required:	Whether absence is an error
 * @ifindex:	The link's index
 *
 * Return: 1 present, 0 absent, -1 after op_fail() (ENODEV naming the link
 * when no link has the name)
 */
int arg_link(struct op_ctx *ctx, const struct mp_obj *args, const char *key,
	     bool required, int *ifindex)
{
	char name[IFNAME_MAX + 1];
	struct mp_obj o;
	int rc, idx;

	rc = arg_get(ctx, args, key, required, true, &o);
	if (rc <= 0)
		return rc;

	if (o.type == MP_UINT) {
		if (!o.v.u || o.v.u > INT32_MAX)
			return arg_fail(ctx, key, "a link index from 1 to "
					"2147483647", &o);
		*ifindex = (int)o.v.u;
		return 1;
	}
	if (o.type != MP_STR)
		return arg_fail(ctx, key, "a link name or index", &o);
	if (arg_ifname_obj(ctx, key, &o, name) < 0)
		return -1;
	if (!ctx->nl)
		return op_fail(ctx, ARG_BAD, "\"%s\": no link here", key);

	idx = arg_link_resolve(ctx, name);
	if (idx < 0)
		return op_fail_errno(ctx, -idx, "%s", name);
	*ifindex = idx;
	return 1;
}

/**
 * arg_obj() - Read an argument of any type, nil included
 * @ctx:	Op context
 * @args:	The op's map
 * @key:	Argument name
 * @required:	Whether absence is an error
 * @out:	The value
 *
 * Return: 1 present, 0 absent, -1 after op_fail()
 */
int arg_obj(struct op_ctx *ctx, const struct mp_obj *args, const char *key,
	    bool required, struct mp_obj *out)
{
	return arg_get(ctx, args, key, required, false, out);
}

// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: address ops
 *
 * addr.add and addr.del send RTM_NEWADDR and RTM_DELADDR for one IPv4 or
 * IPv6 address, given as "10.1.0.1/24"; a bare address stands for the full
 * prefix length, and removing it matches only an address with that length.
 * The message carries the address twice, as IFA_LOCAL (the address of the
 * link) and as IFA_ADDRESS (the far end, which is the same address on
 * anything but a point-to-point link). No broadcast address is set.
 *
 * addr.list dumps RTM_GETADDR. With a link given, the kernel filters by
 * index (strict checking is on for every socket), and the same filter is
 * applied again here, so the result never depends on that. Addresses of
 * one link come together, so the name of the last link is kept instead of
 * asking the kernel for it once per address.
 */
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "inet.h"
#include "op.h"

#define ADDR_REQ_SIZE	256
#define BAD_ARGUMENT	"ERR_NSDO_BAD_ARGUMENT"
#define BAD_REPLY	"ERR_NSDO_NETLINK"

/* What addr.add and addr.del send. */
struct addr_spec {
	int index;
	char dev[IFNAMSIZ + 8];		/* the link, as named, for messages */
	char text[INET_TEXT_MAX];	/* the address, as given */
	struct inet_prefix addr;
};

/**
 * addr_scope_name() - Name of an address scope
 * @scope:	RT_SCOPE_* value
 * @buf:	Room for a number, for scopes without a name
 * @size:	Size of @buf
 *
 * Return: "global", "site", "link", "host", "nowhere", or the number
 */
static const char *addr_scope_name(uint8_t scope, char *buf, size_t size)
{
	switch (scope) {
	case RT_SCOPE_UNIVERSE:
		return "global";
	case RT_SCOPE_SITE:
		return "site";
	case RT_SCOPE_LINK:
		return "link";
	case RT_SCOPE_HOST:
		return "host";
	case RT_SCOPE_NOWHERE:
		return "nowhere";
	}
	snprintf(buf, size, "%u", scope);
	return buf;
}

/**
 * addr_default_scope() - The scope an added address gets
 * @p:		The address
 *
 * The kernel takes the scope from the request as it is; like `ip addr
 * add`, an IPv4 loopback address (127.0.0.0/8) is given host scope and any
 * other address global scope.
 *
 * Return: RT_SCOPE_HOST or RT_SCOPE_UNIVERSE
 */
static uint8_t addr_default_scope(const struct inet_prefix *p)
{
	if (p->family == AF_INET && p->bytes[0] == 127)
		return RT_SCOPE_HOST;
	return RT_SCOPE_UNIVERSE;
}

/**
 * addr_spec_parse() - Read dev and address
 * @ctx:	Op context
 * @args:	Op arguments
 * @s:		Filled in
 *
 * Return: 0, or -1 after op_fail()
 */
static int addr_spec_parse(struct op_ctx *ctx, const struct mp_obj *args,
			   struct addr_spec *s)
{
	char why[INET_WHY_MAX];
	struct mp_obj v;

	memset(s, 0, sizeof(*s));
	if (arg_link(ctx, args, "dev", true, &s->index) < 0 ||
	    arg_str(ctx, args, "address", true, s->text, sizeof(s->text)) < 0)
		return -1;

	if (inet_prefix_parse(s->text, false, &s->addr, why, sizeof(why))) {
		op_fail(ctx, BAD_ARGUMENT, "\"address\": %s", why);
		return -1;
	}

	if (arg_find(ctx, args, "dev", &v) == 1 && v.type == MP_STR)
		snprintf(s->dev, sizeof(s->dev), "%.*s", (int)v.v.str.len,
			 v.v.str.ptr);
	else
		snprintf(s->dev, sizeof(s->dev), "%d", s->index);
	return 0;
}

/**
 * addr_change() - Add or remove one address
 * @ctx:	Op context
 * @args:	dev and address
 * @type:	RTM_NEWADDR or RTM_DELADDR
 * @flags:	NLM_F_CREATE | NLM_F_EXCL to add, 0 to remove
 *
 * Return: 0 with nil written, or -1 after op_fail()
 */
static int addr_change(struct op_ctx *ctx, const struct mp_obj *args,
		       uint16_t type, uint16_t flags)
{
	_Alignas(struct nlmsghdr) uint8_t buf[ADDR_REQ_SIZE];
	size_t len;
	struct ifaddrmsg *ifa;
	struct addr_spec s;
	struct nl_error e;
	struct nl_msg m;

	if (addr_spec_parse(ctx, args, &s))
		return -1;

	nl_msg_init(&m, buf, sizeof(buf), type, flags);
	ifa = nl_msg_put(&m, sizeof(*ifa));
	if (ifa) {
		ifa->ifa_family = (uint8_t)s.addr.family;
		ifa->ifa_prefixlen = s.addr.len;
		ifa->ifa_scope = addr_default_scope(&s.addr);
		ifa->ifa_index = (uint32_t)s.index;
	}

	len = inet_family_size(s.addr.family);
	nl_attr_put(&m, IFA_LOCAL, s.addr.bytes, len);
	nl_attr_put(&m, IFA_ADDRESS, s.addr.bytes, len);

	if (nl_request(ctx->nl, &m, &e)) {
		op_fail_nl(ctx, &e, "%s %s", s.dev, s.text);
		return -1;
	}

	mp_put_nil(ctx->out);
	return 0;
}

/**
 * addr_add() - addr.add: add an address to a link
 * @ctx:	Op context
 * @args:	dev and address
 *
 * Return: 0 with nil written, or -1 after op_fail()
 */
static int addr_add(struct op_ctx *ctx, const struct mp_obj *args)
{
	return addr_change(ctx, args, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
}

/**
 * addr_del() - addr.del: remove an address from a link
 * @ctx:	Op context
 * @args:	dev and address, with the prefix length it was added with
 *
 * Return: 0 with nil written, or -1 after op_fail()
 */
static int addr_del(struct op_ctx *ctx, const struct mp_obj *args)
{
	return addr_change(ctx, args, RTM_DELADDR, 0);
}

/* What the dump callback of addr.list works with. */
struct addr_reply {
	struct op_ctx *ctx;
	int index;		/* the link asked for, 0 for all */
	size_t mark;		/* where the items begin */
	uint32_t count;
	bool failed;		/* op_fail() was called */
	int name_index;		/* the link whose name is in name */
	char name[IFNAMSIZ];
};

/**
 * addr_dev_name() - Name of an address's link, remembered between calls
 * @r:		Dump state
 * @index:	The link's index
 *
 * Return: the name, or NULL when the link is gone
 */
static const char *addr_dev_name(struct addr_reply *r, int index)
{
	if (r->name_index != index) {
		r->name_index = 0;
		if (nl_ifname(r->ctx->nl, index, r->name))
			return NULL;
		r->name_index = index;
	}
	return r->name;
}

/**
 * addr_put() - Write one address result
 * @r:		Dump state
 * @ifa:	The message's header
 * @a:		The address: IFA_LOCAL, or IFA_ADDRESS when there is none
 */
static void addr_put(struct addr_reply *r, const struct ifaddrmsg *ifa,
		     const struct nlattr *a)
{
	struct mp_writer *w = r->ctx->out;
	char text[INET_TEXT_MAX], scope[4];

	inet_address_format(ifa->ifa_family, nl_attr_data(a), text,
			    sizeof(text));
	mp_put_map(w, 6);
	mp_kv_str(w, "dev", addr_dev_name(r, (int)ifa->ifa_index));
	mp_kv_uint(w, "index", ifa->ifa_index);
	mp_kv_str(w, "address", text);
	mp_kv_uint(w, "prefixLength", ifa->ifa_prefixlen);
	mp_kv_uint(w, "family", (uint64_t)inet_family_version(ifa->ifa_family));
	mp_kv_str(w, "scope", addr_scope_name(ifa->ifa_scope, scope,
					      sizeof(scope)));
	r->count++;
}

/**
 * addr_reply_item() - nl_dump() callback of addr.list
 * @h:		One message, or NULL when the dump starts over
 * @arg:	struct addr_reply
 *
 * Return: 0, or -1 after op_fail() when a message is malformed
 */
static int addr_reply_item(const struct nlmsghdr *h, void *arg)
{
	struct addr_reply *r = arg;
	const struct nlattr *tb[IFA_MAX + 1], *a;
	const struct ifaddrmsg *ifa;

	if (!h) {
		mp_writer_rewind(r->ctx->out, r->mark);
		r->count = 0;
		return 0;
	}

	ifa = NLMSG_DATA(h);

	if (h->nlmsg_type != RTM_NEWADDR)
		return 0;
	if (nl_msg_parse(h, sizeof(*ifa), tb, IFA_MAX)) {
		r->failed = true;
		return op_fail(r->ctx, BAD_REPLY, "an address message of %u "
			       "bytes", h->nlmsg_len);
	}

	if (!inet_family_size(ifa->ifa_family) ||
	    (r->index && (int)ifa->ifa_index != r->index))
		return 0;

	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || nl_attr_len(a) != inet_family_size(ifa->ifa_family)) {
		r->failed = true;
		return op_fail(r->ctx, BAD_REPLY, "an address message without "
			       "an address");
	}

	addr_put(r, ifa, a);
	return 0;
}

/**
 * addr_list() - addr.list: the addresses of one link, or of all
 * @ctx:	Op context
 * @args:	dev, optional
 *
 * Return: 0 with { items, interrupted } written, or -1 after op_fail()
 */
static int addr_list(struct op_ctx *ctx, const struct mp_obj *args)
{
	_Alignas(struct nlmsghdr) uint8_t buf[ADDR_REQ_SIZE];
	struct addr_reply r = { .ctx = ctx };
	struct ifaddrmsg *ifa;
	struct nl_error e;
	struct nl_msg m;
	bool intr;
	size_t at;

	if (arg_link(ctx, args, "dev", false, &r.index) < 0)
		return -1;

	nl_msg_init(&m, buf, sizeof(buf), RTM_GETADDR, 0);
	ifa = nl_msg_put(&m, sizeof(*ifa));
	if (ifa) {
		ifa->ifa_family = AF_UNSPEC;
		ifa->ifa_index = (uint32_t)r.index;
	}

	mp_put_map(ctx->out, 2);
	mp_put_str(ctx->out, "items");
	at = mp_put_array32(ctx->out);
	r.mark = ctx->out->len;

	if (nl_dump(ctx->nl, &m, addr_reply_item, &r, &intr, &e) < 0) {
		if (!r.failed)
			op_fail_nl(ctx, &e, "%s", ctx->op);
		return -1;
	}

	mp_patch_array32(ctx->out, at, r.count);
	mp_kv_bool(ctx->out, "interrupted", intr);
	return 0;
}

static const char *const addr_change_keys[] = { "dev", "address", NULL };
static const char *const addr_list_keys[] = { "dev", NULL };

const struct op_def addr_ops[] = {
	{ "addr.add", addr_add, addr_change_keys, false },
	{ "addr.del", addr_del, addr_change_keys, false },
	{ "addr.list", addr_list, addr_list_keys, false },
	{ NULL, NULL, NULL, false },
};

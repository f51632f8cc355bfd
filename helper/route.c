// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: route ops
 *
 * route.add, route.replace and route.del send one RTM_NEWROUTE or
 * RTM_DELROUTE for a unicast route; route.list dumps RTM_GETROUTE.
 *
 * A new route is marked RTPROT_BOOT and RTN_UNICAST, as `ip route add`
 * marks it. Its scope, unless the caller gives one, is "link" for an IPv4
 * route that goes out of a link without a gateway (the destination is on
 * that link) and "universe" otherwise; IPv6 has no route scopes and the
 * kernel reports every IPv6 route as "universe".
 *
 * Deleting matches on what the caller gave and nothing else: protocol and
 * type are left unset and the scope is RT_SCOPE_NOWHERE, which the kernel
 * reads as "any", unless a scope was given.
 *
 * The table goes in rtm_table when it fits in the byte, and in RTA_TABLE
 * always, so tables above 255 work.
 *
 * route.list filters by table and family in the kernel (strict checking),
 * and again here. Cached routes (RTM_F_CLONED, the kernel's exceptions
 * for PMTU and redirects) are not asked for and skipped if they come. A
 * table that never held a route does not exist in the kernel, which then
 * answers ENOENT; that is reported as the empty list it is.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/rtnetlink.h>

#include "inet.h"
#include "op.h"

#define ROUTE_REQ_SIZE	512
#define BAD_ARGUMENT	"ERR_NSDO_BAD_ARGUMENT"
#define BAD_REPLY	"ERR_NSDO_NETLINK"

/* A number and its name, for scopes, protocols and tables. */
struct route_name {
	uint32_t value;
	const char *name;
};

static const struct route_name route_scopes[] = {
	{ RT_SCOPE_UNIVERSE, "universe" }, { RT_SCOPE_SITE, "site" },
	{ RT_SCOPE_LINK, "link" }, { RT_SCOPE_HOST, "host" },
	{ RT_SCOPE_NOWHERE, "nowhere" },
};

static const struct route_name route_protocols[] = {
	{ RTPROT_UNSPEC, "unspec" }, { RTPROT_REDIRECT, "redirect" },
	{ RTPROT_KERNEL, "kernel" }, { RTPROT_BOOT, "boot" },
	{ RTPROT_STATIC, "static" }, { RTPROT_GATED, "gated" },
	{ RTPROT_RA, "ra" }, { RTPROT_MRT, "mrt" },
	{ RTPROT_ZEBRA, "zebra" }, { RTPROT_BIRD, "bird" },
	{ RTPROT_DNROUTED, "dnrouted" }, { RTPROT_XORP, "xorp" },
	{ RTPROT_NTK, "ntk" }, { RTPROT_DHCP, "dhcp" },
	{ RTPROT_MROUTED, "mrouted" }, { RTPROT_KEEPALIVED, "keepalived" },
	{ RTPROT_BABEL, "babel" }, { RTPROT_OPENR, "openr" },
	{ RTPROT_BGP, "bgp" }, { RTPROT_ISIS, "isis" },
	{ RTPROT_OSPF, "ospf" }, { RTPROT_RIP, "rip" },
	{ RTPROT_EIGRP, "eigrp" },
};

static const struct route_name route_types[] = {
	{ RTN_UNSPEC, "unspec" }, { RTN_UNICAST, "unicast" },
	{ RTN_LOCAL, "local" }, { RTN_BROADCAST, "broadcast" },
	{ RTN_ANYCAST, "anycast" }, { RTN_MULTICAST, "multicast" },
	{ RTN_BLACKHOLE, "blackhole" }, { RTN_UNREACHABLE, "unreachable" },
	{ RTN_PROHIBIT, "prohibit" }, { RTN_THROW, "throw" },
	{ RTN_NAT, "nat" }, { RTN_XRESOLVE, "xresolve" },
};

static const struct route_name route_tables[] = {
	{ RT_TABLE_MAIN, "main" }, { RT_TABLE_LOCAL, "local" },
};

#define ROUTE_NAMES(t)	(t), sizeof(t) / sizeof(*(t))

/* What route.add, route.replace and route.del send. */
struct route_spec {
	char to_text[INET_TEXT_MAX];	/* as given, for messages */
	struct inet_prefix to;		/* family 0: "default" */
	struct inet_prefix via;		/* family 0: none */
	struct inet_prefix src;		/* family 0: none */
	int family;			/* AF_INET or AF_INET6 */
	int dev;			/* 0: none */
	bool has_metric, has_scope;
	uint32_t metric;
	uint8_t scope;
	uint32_t table;
};

/**
 * route_name_of() - The name of a value, or the value as text
 * @names:	Table
 * @n:		Its length
 * @value:	Value
 * @buf:	Room for the number, at least 11 bytes
 * @size:	Size of @buf
 *
 * Return: the name, or @buf holding the decimal value
 */
static const char *route_name_of(const struct route_name *names, size_t n,
				 uint32_t value, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (names[i].value == value)
			return names[i].name;
	}
	snprintf(buf, size, "%u", value);
	return buf;
}

/**
 * route_number_arg() - Read an argument that is a number or a name
 * @ctx:	Op context
 * @args:	Op arguments
 * @key:	Argument name
 * @names:	The names it may take
 * @n:		How many
 * @max:	Largest number accepted
 * @expected:	What messages say was expected
 * @out:	The value
 *
 * Return: 1 when given, 0 when absent, -1 after op_fail()
 */
static int route_number_arg(struct op_ctx *ctx, const struct mp_obj *args,
			    const char *key, const struct route_name *names,
			    size_t n, uint32_t max, const char *expected,
			    uint32_t *out)
{
	char text[16];
	struct mp_obj v;
	size_t i;

	if (arg_find(ctx, args, key, &v) != 1 || v.type == MP_NIL)
		return 0;
	if (v.type != MP_STR)
		return arg_u32(ctx, args, key, false, 0, max, out);

	if (arg_str(ctx, args, key, false, text, sizeof(text)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!strcmp(text, names[i].name)) {
			*out = names[i].value;
			return 1;
		}
	}

	op_fail(ctx, BAD_ARGUMENT, "\"%s\": expected %s, got \"%s\"", key,
		expected, text);
	return -1;
}

/**
 * route_table_arg() - Read the table: "main" (the default), "local", a
 * number, or for route.list "all"
 * @ctx:	Op context
 * @args:	Op arguments
 * @all:	Whether "all" is accepted; it reads as 0
 * @table:	The table
 *
 * Return: 0, or -1 after op_fail()
 */
static int route_table_arg(struct op_ctx *ctx, const struct mp_obj *args,
			   bool all, uint32_t *table)
{
	struct mp_obj v;

	*table = RT_TABLE_MAIN;
	if (all && arg_find(ctx, args, "table", &v) == 1 &&
	    mp_str_eq(&v, "all")) {
		*table = 0;
		return 0;
	}

	if (route_number_arg(ctx, args, "table", ROUTE_NAMES(route_tables),
			     UINT32_MAX, all ? "main, local, all or a number" :
			     "main, local or a number", table) < 0)
		return -1;

	if (*table == RT_TABLE_UNSPEC) {
		op_fail(ctx, BAD_ARGUMENT, "\"table\": expected a table from "
			"1 to %u, got 0", UINT32_MAX);
		return -1;
	}
	return 0;
}

/**
 * route_family_arg() - Read family: 4 or 6
 * @ctx:	Op context
 * @args:	Op arguments
 * @family:	AF_INET, AF_INET6, or AF_UNSPEC when absent
 *
 * Return: 0, or -1 after op_fail()
 */
static int route_family_arg(struct op_ctx *ctx, const struct mp_obj *args,
			    int *family)
{
	uint32_t v;
	int rc = arg_u32(ctx, args, "family", false, 4, 6, &v);

	*family = AF_UNSPEC;
	if (rc <= 0)
		return rc;

	if (v == 5) {
		op_fail(ctx, BAD_ARGUMENT, "\"family\": expected 4 or 6, "
			"got 5");
		return -1;
	}
	*family = v == 4 ? AF_INET : AF_INET6;
	return 0;
}

/**
 * route_addr_arg() - Read an address argument
 * @ctx:	Op context
 * @args:	Op arguments
 * @key:	"to", "via" or "src"
 * @is_to:	"to" takes a prefix length and "default"; the others a bare
 *		address
 * @text:	The text, as given
 * @p:		The address; family 0 when absent (or "default")
 *
 * Return: 0, or -1 after op_fail()
 */
static int route_addr_arg(struct op_ctx *ctx, const struct mp_obj *args,
			  const char *key, bool is_to,
			  char text[INET_TEXT_MAX], struct inet_prefix *p)
{
	char why[INET_WHY_MAX];
	int rc;

	memset(p, 0, sizeof(*p));
	rc = arg_str(ctx, args, key, is_to, text, INET_TEXT_MAX);
	if (rc <= 0)
		return rc;

	if (is_to)
		rc = inet_prefix_parse(text, true, p, why, sizeof(why));
	else
		rc = inet_address_parse(text, p, why, sizeof(why));

	if (rc) {
		op_fail(ctx, BAD_ARGUMENT, "\"%s\": %s", key, why);
		return -1;
	}
	return 0;
}

/**
 * route_family_join() - Check that one more address agrees on the family
 * @ctx:	Op context
 * @family:	The family so far, AF_UNSPEC if none yet; set if so
 * @from:	The argument that set @family, updated with it
 * @key:	The argument now checked
 * @p_family:	Its family, AF_UNSPEC when it is absent
 *
 * Return: 0, or -1 after op_fail() when the families differ
 */
static int route_family_join(struct op_ctx *ctx, int *family,
			     const char **from, const char *key, int p_family)
{
	if (p_family == AF_UNSPEC)
		return 0;

	if (*family == AF_UNSPEC) {
		*family = p_family;
		*from = key;
		return 0;
	}

	if (*family == p_family)
		return 0;

	op_fail(ctx, BAD_ARGUMENT, "\"%s\": expected IPv%d as \"%s\" is, got "
		"IPv%d (a route over both families is not supported)", key,
		inet_family_version(*family), *from,
		inet_family_version(p_family));
	return -1;
}

/**
 * route_family_settle() - Find the route's family from its addresses
 * @ctx:	Op context
 * @args:	Op arguments, for family
 * @s:		The route, its addresses read; its family is set
 *
 * Return: 0, or -1 after op_fail()
 */
static int route_family_settle(struct op_ctx *ctx, const struct mp_obj *args,
			       struct route_spec *s)
{
	const char *from = "family";
	int family;

	if (route_family_arg(ctx, args, &family) ||
	    route_family_join(ctx, &family, &from, "to", s->to.family) ||
	    route_family_join(ctx, &family, &from, "via", s->via.family) ||
	    route_family_join(ctx, &family, &from, "src", s->src.family))
		return -1;

	if (family == AF_UNSPEC) {
		op_fail(ctx, BAD_ARGUMENT, "\"family\" is required for a "
			"default route without \"via\" or \"src\"");
		return -1;
	}

	s->family = family;
	return 0;
}

/**
 * route_spec_parse() - Read the arguments of a route change
 * @ctx:	Op context
 * @args:	Op arguments
 * @s:		Filled in
 *
 * Return: 0, or -1 after op_fail()
 */
static int route_spec_parse(struct op_ctx *ctx, const struct mp_obj *args,
			    struct route_spec *s)
{
	char text[INET_TEXT_MAX];
	uint32_t scope;
	int rc;

	memset(s, 0, sizeof(*s));
	if (route_addr_arg(ctx, args, "to", true, s->to_text, &s->to) ||
	    route_addr_arg(ctx, args, "via", false, text, &s->via) ||
	    route_addr_arg(ctx, args, "src", false, text, &s->src) ||
	    route_family_settle(ctx, args, s) ||
	    arg_link(ctx, args, "dev", false, &s->dev) < 0 ||
	    route_table_arg(ctx, args, false, &s->table))
		return -1;

	rc = arg_u32(ctx, args, "metric", false, 0, UINT32_MAX, &s->metric);
	if (rc < 0)
		return -1;
	s->has_metric = rc;

	rc = route_number_arg(ctx, args, "scope", ROUTE_NAMES(route_scopes),
			      UINT8_MAX, "universe, site, link, host, "
			      "nowhere or a number", &scope);
	if (rc < 0)
		return -1;
	s->has_scope = rc;
	s->scope = (uint8_t)scope;
	return 0;
}

/**
 * route_header_fill() - Fill the struct rtmsg of a route change
 * @rtm:	Header, zeroed
 * @s:		The route
 * @type:	RTM_NEWROUTE or RTM_DELROUTE
 */
static void route_header_fill(struct rtmsg *rtm, const struct route_spec *s,
			      uint16_t type)
{
	bool add = type == RTM_NEWROUTE;

	rtm->rtm_family = (uint8_t)s->family;
	rtm->rtm_dst_len = s->to.len;
	rtm->rtm_table = s->table < 256 ? (uint8_t)s->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = add ? RTPROT_BOOT : RTPROT_UNSPEC;
	rtm->rtm_type = add ? RTN_UNICAST : RTN_UNSPEC;

	if (s->has_scope)
		rtm->rtm_scope = s->scope;
	else if (!add)
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	else if (s->family == AF_INET && s->dev && !s->via.family)
		rtm->rtm_scope = RT_SCOPE_LINK;
	else
		rtm->rtm_scope = RT_SCOPE_UNIVERSE;
}

/**
 * route_msg_build() - Build a route change
 * @m:		Message, just initialised
 * @s:		The route
 */
static void route_msg_build(struct nl_msg *m, const struct route_spec *s)
{
	size_t len = inet_family_size(s->family);
	struct rtmsg *rtm = nl_msg_put(m, sizeof(*rtm));

	if (rtm)
		route_header_fill(rtm, s, m->hdr->nlmsg_type);

	if (s->to.family)
		nl_attr_put(m, RTA_DST, s->to.bytes, len);
	if (s->via.family)
		nl_attr_put(m, RTA_GATEWAY, s->via.bytes, len);
	if (s->src.family)
		nl_attr_put(m, RTA_PREFSRC, s->src.bytes, len);
	if (s->dev)
		nl_attr_put_u32(m, RTA_OIF, (uint32_t)s->dev);
	if (s->has_metric)
		nl_attr_put_u32(m, RTA_PRIORITY, s->metric);
	nl_attr_put_u32(m, RTA_TABLE, s->table);
}

/**
 * route_change() - Add, replace or delete one route
 * @ctx:	Op context
 * @args:	The route, as PROTOCOL.md lists
 * @type:	RTM_NEWROUTE or RTM_DELROUTE
 * @flags:	NLM_F_CREATE with NLM_F_EXCL or NLM_F_REPLACE, or 0
 *
 * Return: 0 with nil written, or -1 after op_fail()
 */
static int route_change(struct op_ctx *ctx, const struct mp_obj *args,
			uint16_t type, uint16_t flags)
{
	_Alignas(struct nlmsghdr) uint8_t buf[ROUTE_REQ_SIZE];
	struct route_spec s;
	struct nl_error e;
	struct nl_msg m;

	if (route_spec_parse(ctx, args, &s))
		return -1;

	nl_msg_init(&m, buf, sizeof(buf), type, flags);
	route_msg_build(&m, &s);
	if (nl_request(ctx->nl, &m, &e)) {
		op_fail_nl(ctx, &e, "%s", s.to_text);
		return -1;
	}

	mp_put_nil(ctx->out);
	return 0;
}

/**
 * route_add() - route.add: add a route that must not exist yet
 * @ctx:	Op context
 * @args:	The route
 *
 * Return: 0 with nil written, or -1 after op_fail()
 */
static int route_add(struct op_ctx *ctx, const struct mp_obj *args)
{
	return route_change(ctx, args, RTM_NEWROUTE,
			    NLM_F_CREATE | NLM_F_EXCL);
}

/**
 * route_replace() - route.replace: add a route, or replace the one with
 * the same destination, table and metric
 * @ctx:	Op context
 * @args:	The route
 *
 * Return: 0 with nil written, or -1 after op_fail()
 */
static int route_replace(struct op_ctx *ctx, const struct mp_obj *args)
{
	return route_change(ctx, args, RTM_NEWROUTE,
			    NLM_F_CREATE | NLM_F_REPLACE);
}

/**
 * route_del() - route.del: delete the first route that matches
 * @ctx:	Op context
 * @args:	The route; only what is given has to match
 *
 * Return: 0 with nil written, or -1 after op_fail()
 */
static int route_del(struct op_ctx *ctx, const struct mp_obj *args)
{
	return route_change(ctx, args, RTM_DELROUTE, 0);
}

/* What the dump callback of route.list works with. */
struct route_reply {
	struct op_ctx *ctx;
	uint32_t table;		/* 0 for all */
	int family;		/* AF_UNSPEC for both */
	size_t mark;		/* where the items begin */
	uint32_t count;
	bool failed;		/* op_fail() was called */
};

/**
 * route_put_addr() - Write an address attribute, nil when absent
 * @w:		Writer
 * @key:	Result key
 * @family:	The route's family
 * @a:		The attribute, or NULL
 */
static void route_put_addr(struct mp_writer *w, const char *key, int family,
			   const struct nlattr *a)
{
	char text[INET_TEXT_MAX];

	if (!a || nl_attr_len(a) != inet_family_size(family)) {
		mp_kv_nil(w, key);
		return;
	}

	inet_address_format(family, nl_attr_data(a), text, sizeof(text));
	mp_kv_str(w, key, text);
}

/**
 * route_put_via() - Write the gateway: RTA_GATEWAY, or RTA_VIA for a
 * gateway of the other family
 * @w:		Writer
 * @family:	The route's family
 * @tb:		The route's attributes
 */
static void route_put_via(struct mp_writer *w, int family,
			  const struct nlattr *const *tb)
{
	const struct nlattr *via = tb[RTA_VIA];
	const struct rtvia *v;
	char text[INET_TEXT_MAX];
	size_t len;

	if (tb[RTA_GATEWAY] || !via || nl_attr_len(via) < sizeof(*v)) {
		route_put_addr(w, "via", family, tb[RTA_GATEWAY]);
		return;
	}

	v = nl_attr_data(via);
	len = inet_family_size(v->rtvia_family);
	if (!len || nl_attr_len(via) != sizeof(*v) + len) {
		mp_kv_nil(w, "via");
		return;
	}

	inet_address_format(v->rtvia_family, v->rtvia_addr, text,
			    sizeof(text));
	mp_kv_str(w, "via", text);
}

/**
 * route_put_to() - Write the destination: "default" or "address/length"
 * @w:		Writer
 * @rtm:	The route's header
 * @dst:	RTA_DST, or NULL
 */
static void route_put_to(struct mp_writer *w, const struct rtmsg *rtm,
			 const struct nlattr *dst)
{
	char addr[INET_TEXT_MAX], text[INET_TEXT_MAX + 8];
	uint8_t zero[16] = { 0 };

	if (!rtm->rtm_dst_len) {
		mp_kv_str(w, "to", "default");
		return;
	}

	inet_address_format(rtm->rtm_family, dst && nl_attr_len(dst) ==
			    inet_family_size(rtm->rtm_family) ?
			    nl_attr_data(dst) : zero, addr, sizeof(addr));
	snprintf(text, sizeof(text), "%s/%u", addr, rtm->rtm_dst_len);
	mp_kv_str(w, "to", text);
}

/**
 * route_put_dev() - Write the output link's name, nil when there is none
 * @r:		Dump state
 * @oif:	RTA_OIF, or NULL
 */
static void route_put_dev(struct route_reply *r, const struct nlattr *oif)
{
	char name[IFNAMSIZ];
	uint32_t index = oif ? nl_attr_u32(oif) : 0;

	if (index && nl_ifname(r->ctx->nl, (int)index, name) == 0)
		mp_kv_str(r->ctx->out, "dev", name);
	else
		mp_kv_nil(r->ctx->out, "dev");
}

/**
 * route_put() - Write one route result
 * @r:		Dump state
 * @rtm:	The route's header
 * @tb:		Its attributes
 * @table:	Its table
 */
static void route_put(struct route_reply *r, const struct rtmsg *rtm,
		      const struct nlattr *const *tb, uint32_t table)
{
	struct mp_writer *w = r->ctx->out;
	char num[12];

	mp_put_map(w, 10);
	route_put_to(w, rtm, tb[RTA_DST]);
	route_put_via(w, rtm->rtm_family, tb);
	route_put_dev(r, tb[RTA_OIF]);
	mp_kv_uint(w, "table", table);
	mp_kv_uint(w, "metric",
		   tb[RTA_PRIORITY] ? nl_attr_u32(tb[RTA_PRIORITY]) : 0);
	mp_kv_uint(w, "family",
		   (uint64_t)inet_family_version(rtm->rtm_family));
	mp_kv_str(w, "scope", route_name_of(ROUTE_NAMES(route_scopes),
					    rtm->rtm_scope, num, sizeof(num)));
	mp_kv_str(w, "protocol", route_name_of(ROUTE_NAMES(route_protocols),
					       rtm->rtm_protocol, num,
					       sizeof(num)));
	mp_kv_str(w, "type", route_name_of(ROUTE_NAMES(route_types),
					   rtm->rtm_type, num, sizeof(num)));
	route_put_addr(w, "src", rtm->rtm_family, tb[RTA_PREFSRC]);
	r->count++;
}

/**
 * route_reply_item() - nl_dump() callback of route.list
 * @h:		One message, or NULL when the dump starts over
 * @arg:	struct route_reply
 *
 * Return: 0, or -1 after op_fail() when a message is malformed
 */
static int route_reply_item(const struct nlmsghdr *h, void *arg)
{
	struct route_reply *r = arg;
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	uint32_t table;

	if (!h) {
		mp_writer_rewind(r->ctx->out, r->mark);
		r->count = 0;
		return 0;
	}

	if (h->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if (nl_msg_parse(h, sizeof(*rtm), tb, RTA_MAX)) {
		r->failed = true;
		return op_fail(r->ctx, BAD_REPLY, "a route message of %u "
			       "bytes", h->nlmsg_len);
	}

	rtm = NLMSG_DATA(h);
	table = tb[RTA_TABLE] ? nl_attr_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (!inet_family_size(rtm->rtm_family) ||
	    (r->family && rtm->rtm_family != r->family) ||
	    (r->table && table != r->table) ||
	    (rtm->rtm_flags & RTM_F_CLONED))
		return 0;

	route_put(r, rtm, tb, table);
	return 0;
}

/**
 * route_list_build() - Build the RTM_GETROUTE dump request
 * @m:		Message, just initialised
 * @r:		The filter: table and family
 */
static void route_list_build(struct nl_msg *m, const struct route_reply *r)
{
	struct rtmsg *rtm = nl_msg_put(m, sizeof(*rtm));

	if (rtm)
		rtm->rtm_family = (uint8_t)r->family;
	if (r->table)
		nl_attr_put_u32(m, RTA_TABLE, r->table);
}

/**
 * route_list() - route.list: the routes of a table, or of all
 * @ctx:	Op context
 * @args:	table (default main, or all) and family, both optional
 *
 * Return: 0 with { items, interrupted } written, or -1 after op_fail()
 */
static int route_list(struct op_ctx *ctx, const struct mp_obj *args)
{
	_Alignas(struct nlmsghdr) uint8_t buf[ROUTE_REQ_SIZE];
	struct route_reply r = { .ctx = ctx };
	struct nl_error e;
	struct nl_msg m;
	bool intr;
	size_t at;

	if (route_table_arg(ctx, args, true, &r.table) ||
	    route_family_arg(ctx, args, &r.family))
		return -1;

	nl_msg_init(&m, buf, sizeof(buf), RTM_GETROUTE, 0);
	route_list_build(&m, &r);

	mp_put_map(ctx->out, 2);
	mp_put_str(ctx->out, "items");
	at = mp_put_array32(ctx->out);
	r.mark = ctx->out->len;

	if (nl_dump(ctx->nl, &m, route_reply_item, &r, &intr, &e) < 0) {
		if (r.failed)
			return -1;
		if (!(r.table && !e.protocol && e.errnum == ENOENT)) {
			op_fail_nl(ctx, &e, "%s", ctx->op);
			return -1;
		}
		route_reply_item(NULL, &r);
	}

	mp_patch_array32(ctx->out, at, r.count);
	mp_kv_bool(ctx->out, "interrupted", intr);
	return 0;
}

static const char *const route_change_keys[] = {
	"to", "via", "dev", "metric", "table", "scope", "src", "family", NULL,
};
static const char *const route_list_keys[] = { "table", "family", NULL };

const struct op_def route_ops[] = {
	{ "route.add", route_add, route_change_keys, false },
	{ "route.replace", route_replace, route_change_keys, false },
	{ "route.del", route_del, route_change_keys, false },
	{ "route.list", route_list, route_list_keys, false },
	{ NULL, NULL, NULL, false },
};

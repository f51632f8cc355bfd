// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: link ops
 *
 * link.add, link.set, link.del, link.get and link.list, each one rtnetlink
 * message: RTM_NEWLINK (with NLM_F_CREATE | NLM_F_EXCL to create, without
 * to change), RTM_DELLINK, RTM_GETLINK.
 *
 * link.add puts everything the kernel accepts at creation into the one
 * message: MTU, MAC, master, the up flag, the number of queues and the
 * kind's own settings (IFLA_LINKINFO). A veth's peer is a second struct
 * ifinfomsg nested in VETH_INFO_PEER, with its own name, MAC, MTU, queues
 * and namespace; the kernel creates it directly in that namespace. Unless
 * told otherwise the peer gets the queue counts asked for the link: a
 * veth's kernel default is one queue per possible CPU, most of them
 * unused, and shrinking them costs two RCU grace periods. A kind this file has no settings
 * for goes out as a bare IFLA_INFO_KIND, so whatever the kernel says about
 * it (an unknown kind, a missing setting) reaches the caller unchanged.
 * Such a kind may still take a parent link ("link", sent as IFLA_LINK),
 * which is all that ipvlan or macvtap need.
 *
 * An argument that belongs to another kind (a port for a bridge) is
 * refused rather than ignored, in keeping with the rule that nothing a
 * caller sends passes silently.
 *
 * link.get asks the kernel for one link by index or by name (IFLA_IFNAME,
 * or IFLA_ALT_IFNAME for a longer alternative name) rather than dumping
 * the table. Both it and link.list ask the kernel to leave the statistics
 * out (RTEXT_FILTER_SKIP_STATS): they are most of a link message's bytes
 * and no result field uses them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "inet.h"
#include "ns.h"
#include "op.h"

#define LINK_REQ_SIZE	1024
#define LINK_KIND_MAX	32	/* longest type name accepted */
#define LINK_LABEL_MAX	64	/* a link as named in messages */
#define LINK_VXLAN_PORT	4789	/* IANA's port; the kernel's is 8472 */
#define LINK_VNI_MAX	0xffffff
#define LINK_VLAN_MAX	4094
#define LINK_ALTNAME_MAX 128	/* ALTIFNAMSIZ */

#define BAD_ARGUMENT	"ERR_NSDO_BAD_ARGUMENT"
#define BAD_REPLY	"ERR_NSDO_NETLINK"

/* The kinds this file knows settings for; any other is LINK_OTHER. */
enum link_kind {
	LINK_OTHER,
	LINK_VETH,
	LINK_BRIDGE,
	LINK_VXLAN,
	LINK_DUMMY,
	LINK_VLAN,
	LINK_MACVLAN,
};

static const char *const link_kind_names[] = {
	[LINK_VETH] = "veth",
	[LINK_BRIDGE] = "bridge",
	[LINK_VXLAN] = "vxlan",
	[LINK_DUMMY] = "dummy",
	[LINK_VLAN] = "vlan",
	[LINK_MACVLAN] = "macvlan",
};

/* An argument of link.add that belongs to some kinds only. */
struct link_kind_key {
	const char *key;
	unsigned int kinds;	/* bit (1 << enum link_kind) per kind */
};

#define KIND(k)	(1U << (k))

static const struct link_kind_key link_kind_keys[] = {
	{ "peer", KIND(LINK_VETH) },
	{ "id", KIND(LINK_VXLAN) | KIND(LINK_VLAN) },
	{ "link", KIND(LINK_VLAN) | KIND(LINK_MACVLAN) | KIND(LINK_OTHER) },
	{ "mode", KIND(LINK_MACVLAN) },
	{ "port", KIND(LINK_VXLAN) },
	{ "local", KIND(LINK_VXLAN) },
	{ "remote", KIND(LINK_VXLAN) },
	{ "group", KIND(LINK_VXLAN) },
	{ "dev", KIND(LINK_VXLAN) },
};

static const struct {
	const char *name;
	uint32_t mode;
} link_macvlan_modes[] = {
	{ "private", MACVLAN_MODE_PRIVATE },
	{ "vepa", MACVLAN_MODE_VEPA },
	{ "bridge", MACVLAN_MODE_BRIDGE },
	{ "passthru", MACVLAN_MODE_PASSTHRU },
	{ "source", MACVLAN_MODE_SOURCE },
};

/* IFLA_OPERSTATE values, RFC 2863 order (IF_OPER_UNKNOWN ... IF_OPER_UP) */
static const char *const link_operstates[] = {
	"unknown", "notpresent", "down", "lowerlayerdown", "testing",
	"dormant", "up",
};

/* Settings link.add and link.set share, and a veth peer has some of. */
struct link_attrs {
	bool has_mtu, has_mac, has_up, has_master;
	bool up;
	uint32_t mtu;
	uint8_t mac[INET_MAC_LEN];
	int master;		/* 0 detaches (link.set) */
};

/*
 * How many transmit and receive queues a link is created with, 0 for the
 * kernel's default. They can only be chosen at creation.
 */
struct link_queues {
	uint32_t tx, rx;
};

/* A veth's other end. */
struct link_peer {
	bool given;
	char name[IFNAMSIZ];	/* "" lets the kernel name it */
	struct link_attrs attrs;
	struct link_queues queues;
	bool has_namespace;
	struct mp_obj namespace;	/* path or pid, for ns_open() */
	char namespace_id[NS_ID_LEN];	/* the id it must have, or "" */
	int ns_fd;			/* open while the request is built */
};

/* Everything link.add sends. */
struct link_spec {
	char name[IFNAMSIZ];
	char type[LINK_KIND_MAX];
	enum link_kind kind;
	struct link_attrs attrs;
	struct link_queues queues;
	int parent;			/* IFLA_LINK, 0 for none */
	struct link_peer peer;		/* veth */
	uint32_t id;			/* vxlan VNI, vlan id */
	uint16_t port;			/* vxlan, host byte order */
	struct inet_prefix local;	/* vxlan; family 0 when not given */
	struct inet_prefix remote;	/* vxlan remote or group */
	int dev;			/* vxlan underlying link, 0 for none */
	bool has_mode;
	uint32_t mode;			/* macvlan */
};

/**
 * link_label() - Describe the link an argument names, for messages
 * @args:	Op arguments
 * @key:	The argument, a name or an index
 * @buf:	Filled with the name, the index, or "?"
 * @size:	Size of @buf
 *
 * Return: @buf
 */
static const char *link_label(const struct mp_obj *args, const char *key,
			      char *buf, size_t size)
{
	struct mp_obj v;
	size_t n;

	if (mp_map_get(args, key, &v) != 1 ||
	    (v.type != MP_STR && v.type != MP_UINT)) {
		snprintf(buf, size, "?");
	} else if (v.type == MP_UINT) {
		snprintf(buf, size, "%llu", (unsigned long long)v.v.u);
	} else {
		/* A plain copy: this runs for every op, on success too. */
		n = v.v.str.len < size - 1 ? v.v.str.len : size - 1;
		memcpy(buf, v.v.str.ptr, n);
		buf[n] = '\0';
	}
	return buf;
}

/**
 * link_kind_of() - The kind a type name stands for
 * @type:	Type name from the request
 *
 * Return: the kind, LINK_OTHER for a name this file has no settings for
 */
static enum link_kind link_kind_of(const char *type)
{
	size_t i;

	for (i = 1; i < sizeof(link_kind_names) / sizeof(*link_kind_names);
	     i++) {
		if (!strcmp(type, link_kind_names[i]))
			return (enum link_kind)i;
	}
	return LINK_OTHER;
}

/**
 * link_kind_keys_check() - Refuse arguments that belong to other kinds
 * @ctx:	Op context
 * @args:	Op arguments
 * @s:		The link being added, its name and kind known
 *
 * Return: 0, or -1 after op_fail()
 */
static int link_kind_keys_check(struct op_ctx *ctx, const struct mp_obj *args,
				const struct link_spec *s)
{
	const struct link_kind_key *k;
	struct mp_obj v;
	size_t i;

	for (i = 0; i < sizeof(link_kind_keys) / sizeof(*link_kind_keys);
	     i++) {
		k = &link_kind_keys[i];
		if (arg_find(ctx, args, k->key, &v) != 1 || v.type == MP_NIL ||
		    (k->kinds & KIND(s->kind)))
			continue;

		op_fail(ctx, BAD_ARGUMENT, "%s %s: \"%s\" does not apply to "
			"type \"%s\"", ctx->op, s->name, k->key, s->type);
		return -1;
	}
	return 0;
}

/**
 * link_mac_arg() - Read a MAC address argument
 * @ctx:	Op context
 * @args:	Arguments to look in
 * @key:	Argument name, as messages show it
 * @label:	The link, for messages
 * @mac:	Filled with the address
 *
 * Return: 1 when given, 0 when absent, -1 after op_fail()
 */
static int link_mac_arg(struct op_ctx *ctx, const struct mp_obj *args,
			const char *key, const char *label,
			uint8_t mac[INET_MAC_LEN])
{
	char text[INET_HWADDR_TEXT], why[INET_WHY_MAX];
	int rc = arg_str(ctx, args, key, false, text, sizeof(text));

	if (rc <= 0)
		return rc;

	if (inet_mac_parse(text, mac, why, sizeof(why))) {
		op_fail(ctx, BAD_ARGUMENT, "%s %s: \"%s\": %s",
			ctx->op, label, key, why);
		return -1;
	}
	return 1;
}

/**
 * link_attrs_parse() - Read mtu, mac and up
 * @ctx:	Op context
 * @args:	Arguments to look in
 * @label:	The link, for messages
 * @a:		Filled in; master is read by the caller
 *
 * Return: 0, or -1 after op_fail()
 */
static int link_attrs_parse(struct op_ctx *ctx, const struct mp_obj *args,
			    const char *label, struct link_attrs *a)
{
	int rc;

	memset(a, 0, sizeof(*a));
	rc = arg_u32(ctx, args, "mtu", false, 0, UINT32_MAX, &a->mtu);
	if (rc < 0)
		return -1;
	a->has_mtu = rc;

	rc = link_mac_arg(ctx, args, "mac", label, a->mac);
	if (rc < 0)
		return -1;
	a->has_mac = rc;

	rc = arg_bool(ctx, args, "up", false, &a->up);
	if (rc < 0)
		return -1;
	a->has_up = rc;
	return 0;
}

/**
 * link_attrs_put() - Add mtu, mac, master and the up flag to a message
 * @m:		Message whose family header is @ifi
 * @ifi:	The link's struct ifinfomsg
 * @a:		Settings; only those given are sent
 */
static void link_attrs_put(struct nl_msg *m, struct ifinfomsg *ifi,
			   const struct link_attrs *a)
{
	if (a->has_up) {
		ifi->ifi_change |= IFF_UP;
		ifi->ifi_flags |= a->up ? IFF_UP : 0;
	}

	if (a->has_mtu)
		nl_attr_put_u32(m, IFLA_MTU, a->mtu);
	if (a->has_mac)
		nl_attr_put(m, IFLA_ADDRESS, a->mac, INET_MAC_LEN);
	if (a->has_master)
		nl_attr_put_u32(m, IFLA_MASTER, (uint32_t)a->master);
}

/**
 * link_queues_parse() - Read txQueues and rxQueues
 * @ctx:	Op context
 * @args:	Arguments to look in
 * @q:		Filled in where given, left as it was where not
 *
 * Return: 0, or -1 after op_fail()
 */
static int link_queues_parse(struct op_ctx *ctx, const struct mp_obj *args,
			     struct link_queues *q)
{
	if (arg_u32(ctx, args, "txQueues", false, 1, UINT32_MAX, &q->tx) < 0)
		return -1;
	return arg_u32(ctx, args, "rxQueues", false, 1, UINT32_MAX,
		       &q->rx) < 0 ? -1 : 0;
}

/**
 * link_queues_put() - Add the queue counts that were asked for
 * @m:		Message whose family header was just put
 * @q:		The counts
 */
static void link_queues_put(struct nl_msg *m, const struct link_queues *q)
{
	if (q->tx)
		nl_attr_put_u32(m, IFLA_NUM_TX_QUEUES, q->tx);
	if (q->rx)
		nl_attr_put_u32(m, IFLA_NUM_RX_QUEUES, q->rx);
}

/**
 * link_peer_keys_check() - Refuse keys of the peer map that it cannot have
 * @ctx:	Op context
 * @peer:	The peer map
 * @label:	The link being added, for messages
 *
 * Return: 0, or -1 after op_fail()
 */
static int link_peer_keys_check(struct op_ctx *ctx, const struct mp_obj *peer,
				const char *label)
{
	static const char *const keys[] = { "name", "namespace",
					    "namespaceId", "mac", "mtu",
					    "txQueues", "rxQueues" };
	struct mp_obj k, v;
	struct mp_iter it;
	size_t i;

	mp_iter_init(&it, peer);
	while (mp_iter_next_pair(&it, &k, &v) > 0) {
		for (i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
			if (mp_str_eq(&k, keys[i]))
				break;
		}
		if (i < sizeof(keys) / sizeof(*keys))
			continue;

		op_fail(ctx, BAD_ARGUMENT, "%s %s: unknown argument "
			"\"peer.%.*s\"", ctx->op, label,
			k.type == MP_STR ? (int)k.v.str.len : 1,
			k.type == MP_STR ? k.v.str.ptr : "?");
		return -1;
	}
	return 0;
}

/**
 * link_peer_fail() - Name a peer argument "peer.KEY" in the failure message
 * @ctx:	Op context, after op_fail() about the key
 * @key:	The key inside the peer map, which messages quote as "KEY"
 *
 * The arg_*() readers name a key as it appears in the map they read; for
 * the caller, who wrote { peer: { name } }, it is "peer.name".
 *
 * Return: -1
 */
static int link_peer_fail(struct op_ctx *ctx, const char *key)
{
	char *msg = ctx->err->message;
	char quoted[16], text[OP_MESSAGE_MAX];
	const char *at;

	snprintf(quoted, sizeof(quoted), "\"%s\"", key);
	/* strncmp() in a loop: libc's strstr() is a kilobyte of code. */
	for (at = msg; *at && strncmp(at, quoted, strlen(quoted)); at++)
		;
	if (!*at)
		return -1;

	snprintf(text, sizeof(text), "%.*s\"peer.%s%s", (int)(at - msg), msg,
		 key, at + strlen(quoted) - 1);
	snprintf(msg, OP_MESSAGE_MAX, "%s", text);
	return -1;
}

/**
 * link_peer_parse() - Read the peer map of a veth
 * @ctx:	Op context
 * @args:	Op arguments
 * @s:		The link being added, its own queues read; its peer is filled
 *		in, with the link's queue counts unless the peer has its own
 *
 * Return: 0 (also when there is no peer map: the kernel then names the
 * peer), or -1 after op_fail()
 */
static int link_peer_parse(struct op_ctx *ctx, const struct mp_obj *args,
			   struct link_spec *s)
{
	struct link_peer *p = &s->peer;
	struct mp_obj peer;
	int rc;

	p->ns_fd = -1;
	p->queues = s->queues;
	rc = arg_obj(ctx, args, "peer", false, &peer);
	if (rc <= 0 || peer.type == MP_NIL)
		return rc < 0 ? -1 : 0;

	if (peer.type != MP_MAP) {
		op_fail(ctx, BAD_ARGUMENT, "%s %s: \"peer\": expected a map "
			"like { name: \"veth1\" }", ctx->op, s->name);
		return -1;
	}

	if (link_peer_keys_check(ctx, &peer, s->name))
		return -1;
	if (arg_ifname(ctx, &peer, "name", true, p->name) < 0)
		return link_peer_fail(ctx, "name");

	rc = arg_u32(ctx, &peer, "mtu", false, 0, UINT32_MAX, &p->attrs.mtu);
	if (rc < 0)
		return link_peer_fail(ctx, "mtu");
	p->attrs.has_mtu = rc;

	rc = link_mac_arg(ctx, &peer, "mac", s->name, p->attrs.mac);
	if (rc < 0)
		return link_peer_fail(ctx, "mac");
	p->attrs.has_mac = rc;

	if (link_queues_parse(ctx, &peer, &p->queues)) {
		/* The message quotes one of the two; the other call finds
		 * nothing to rename. */
		link_peer_fail(ctx, "txQueues");
		return link_peer_fail(ctx, "rxQueues");
	}

	p->given = true;
	p->has_namespace = mp_map_get(&peer, "namespace", &p->namespace) == 1 &&
			   p->namespace.type != MP_NIL;
	if (p->has_namespace && !ns_target_valid(&p->namespace)) {
		char desc[64];

		arg_describe(&p->namespace, desc, sizeof(desc));
		return op_fail(ctx, BAD_ARGUMENT, "%s %s: \"peer.namespace\": "
			       "expected a path or a pid, got %s", ctx->op,
			       s->name, desc);
	}
	if (arg_str(ctx, &peer, "namespaceId", false, p->namespace_id,
		    sizeof(p->namespace_id)) < 0)
		return link_peer_fail(ctx, "namespaceId");
	return 0;
}

/**
 * link_vxlan_addr_arg() - Read a vxlan address argument
 * @ctx:	Op context
 * @args:	Op arguments
 * @key:	"local", "remote" or "group"
 * @s:		The link being added, for messages
 * @p:		Filled with the address; family 0 when absent
 *
 * Return: 1 when given, 0 when absent, -1 after op_fail()
 */
static int link_vxlan_addr_arg(struct op_ctx *ctx, const struct mp_obj *args,
			       const char *key, const struct link_spec *s,
			       struct inet_prefix *p)
{
	char text[INET_TEXT_MAX], why[INET_WHY_MAX];
	int rc = arg_str(ctx, args, key, false, text, sizeof(text));

	memset(p, 0, sizeof(*p));
	if (rc <= 0)
		return rc;

	if (inet_address_parse(text, p, why, sizeof(why))) {
		op_fail(ctx, BAD_ARGUMENT, "%s %s: \"%s\": %s",
			ctx->op, s->name, key, why);
		return -1;
	}
	return 1;
}

/**
 * link_addr_is_multicast() - Whether an address is a multicast group
 * @p:		Address
 *
 * Return: true for 224.0.0.0/4 and ff00::/8
 */
static bool link_addr_is_multicast(const struct inet_prefix *p)
{
	if (p->family == AF_INET)
		return (p->bytes[0] & 0xf0) == 0xe0;
	return p->family == AF_INET6 && p->bytes[0] == 0xff;
}

/**
 * link_vxlan_remote_parse() - Read remote or group, which share a place
 * @ctx:	Op context
 * @args:	Op arguments
 * @s:		The link being added; its remote is filled in
 *
 * The kernel keeps a unicast remote and a multicast group in the same
 * attribute and tells them apart by the address; the two names exist so
 * that the caller says which one is meant, and a mix-up is refused here.
 *
 * Return: 0, or -1 after op_fail()
 */
static int link_vxlan_remote_parse(struct op_ctx *ctx,
				   const struct mp_obj *args,
				   struct link_spec *s)
{
	struct inet_prefix group;
	int has_remote, has_group;

	has_remote = link_vxlan_addr_arg(ctx, args, "remote", s, &s->remote);
	if (has_remote < 0)
		return -1;
	has_group = link_vxlan_addr_arg(ctx, args, "group", s, &group);
	if (has_group < 0)
		return -1;

	if (has_remote && has_group) {
		op_fail(ctx, BAD_ARGUMENT, "%s %s: \"remote\" and \"group\" "
			"exclude each other", ctx->op, s->name);
		return -1;
	}

	if (has_remote && link_addr_is_multicast(&s->remote)) {
		op_fail(ctx, BAD_ARGUMENT, "%s %s: \"remote\": expected a "
			"unicast address, got a multicast one (see \"group\")",
			ctx->op, s->name);
		return -1;
	}

	if (has_group && !link_addr_is_multicast(&group)) {
		op_fail(ctx, BAD_ARGUMENT, "%s %s: \"group\": expected a "
			"multicast address, got a unicast one (see \"remote\")",
			ctx->op, s->name);
		return -1;
	}

	if (has_group)
		s->remote = group;
	return 0;
}

/**
 * link_vxlan_parse() - Read the settings of a vxlan link
 * @ctx:	Op context
 * @args:	Op arguments
 * @s:		The link being added
 *
 * Return: 0, or -1 after op_fail()
 */
static int link_vxlan_parse(struct op_ctx *ctx, const struct mp_obj *args,
			    struct link_spec *s)
{
	uint32_t port = LINK_VXLAN_PORT;

	if (arg_u32(ctx, args, "id", true, 0, LINK_VNI_MAX, &s->id) < 0 ||
	    arg_u32(ctx, args, "port", false, 1, UINT16_MAX, &port) < 0 ||
	    link_vxlan_addr_arg(ctx, args, "local", s, &s->local) < 0 ||
	    link_vxlan_remote_parse(ctx, args, s) ||
	    arg_link(ctx, args, "dev", false, &s->dev) < 0)
		return -1;

	s->port = (uint16_t)port;
	return 0;
}

/**
 * link_macvlan_mode_parse() - Read the mode of a macvlan link
 * @ctx:	Op context
 * @args:	Op arguments
 * @s:		The link being added
 *
 * Return: 0, or -1 after op_fail()
 */
static int link_macvlan_mode_parse(struct op_ctx *ctx,
				   const struct mp_obj *args,
				   struct link_spec *s)
{
	char mode[16];
	size_t i;
	int rc = arg_str(ctx, args, "mode", false, mode, sizeof(mode));

	if (rc <= 0)
		return rc;

	for (i = 0; i < sizeof(link_macvlan_modes) /
			sizeof(*link_macvlan_modes); i++) {
		if (!strcmp(mode, link_macvlan_modes[i].name)) {
			s->has_mode = true;
			s->mode = link_macvlan_modes[i].mode;
			return 0;
		}
	}

	op_fail(ctx, BAD_ARGUMENT, "%s %s: \"mode\": expected private, vepa, "
		"bridge, passthru or source, got \"%s\"", ctx->op,
		s->name, mode);
	return -1;
}

/**
 * link_kind_parse() - Read the settings that belong to the link's kind
 * @ctx:	Op context
 * @args:	Op arguments
 * @s:		The link being added, its kind known
 *
 * Return: 0, or -1 after op_fail()
 */
static int link_kind_parse(struct op_ctx *ctx, const struct mp_obj *args,
			   struct link_spec *s)
{
	bool parent_required = s->kind == LINK_VLAN ||
			       s->kind == LINK_MACVLAN;

	if (link_kind_keys_check(ctx, args, s) ||
	    arg_link(ctx, args, "link", parent_required, &s->parent) < 0)
		return -1;

	switch (s->kind) {
	case LINK_VETH:
		return link_peer_parse(ctx, args, s);
	case LINK_VXLAN:
		return link_vxlan_parse(ctx, args, s);
	case LINK_VLAN:
		return arg_u32(ctx, args, "id", true, 0, LINK_VLAN_MAX,
			       &s->id) < 0 ? -1 : 0;
	case LINK_MACVLAN:
		return link_macvlan_mode_parse(ctx, args, s);
	default:
		return 0;
	}
}

/**
 * link_spec_parse() - Read all arguments of link.add
 * @ctx:	Op context
 * @args:	Op arguments
 * @s:		Filled in
 *
 * Return: 0, or -1 after op_fail()
 */
static int link_spec_parse(struct op_ctx *ctx, const struct mp_obj *args,
			   struct link_spec *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->peer.ns_fd = -1;
	if (arg_ifname(ctx, args, "name", true, s->name) < 0 ||
	    arg_str(ctx, args, "type", true, s->type, sizeof(s->type)) < 0)
		return -1;

	s->kind = link_kind_of(s->type);
	if (link_attrs_parse(ctx, args, s->name, &s->attrs))
		return -1;

	rc = arg_link(ctx, args, "master", false, &s->attrs.master);
	if (rc < 0)
		return -1;
	s->attrs.has_master = rc;

	if (link_queues_parse(ctx, args, &s->queues))
		return -1;
	return link_kind_parse(ctx, args, s);
}

/**
 * link_veth_put() - Add the peer of a veth to IFLA_INFO_DATA
 * @m:		Message, inside IFLA_INFO_DATA
 * @p:		The peer; its namespace is open in @p->ns_fd if it has one
 */
static void link_veth_put(struct nl_msg *m, const struct link_peer *p)
{
	struct nlattr *nest = nl_nest_start(m, VETH_INFO_PEER);
	struct ifinfomsg *ifi = nl_msg_put(m, sizeof(*ifi));

	if (!ifi)
		return;

	ifi->ifi_family = AF_UNSPEC;
	if (p->name[0])
		nl_attr_put_str(m, IFLA_IFNAME, p->name);
	link_attrs_put(m, ifi, &p->attrs);
	link_queues_put(m, &p->queues);
	if (p->ns_fd >= 0)
		nl_attr_put_u32(m, IFLA_NET_NS_FD, (uint32_t)p->ns_fd);
	nl_nest_end(m, nest);
}

/**
 * link_vxlan_put() - Add a vxlan's settings to IFLA_INFO_DATA
 * @m:		Message, inside IFLA_INFO_DATA
 * @s:		The link
 */
static void link_vxlan_put(struct nl_msg *m, const struct link_spec *s)
{
	size_t len;

	nl_attr_put_u32(m, IFLA_VXLAN_ID, s->id);
	nl_attr_put_u16(m, IFLA_VXLAN_PORT, htons(s->port));

	len = inet_family_size(s->local.family);
	if (len)
		nl_attr_put(m, s->local.family == AF_INET ?
			    IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6,
			    s->local.bytes, len);

	len = inet_family_size(s->remote.family);
	if (len)
		nl_attr_put(m, s->remote.family == AF_INET ?
			    IFLA_VXLAN_GROUP : IFLA_VXLAN_GROUP6,
			    s->remote.bytes, len);

	if (s->dev)
		nl_attr_put_u32(m, IFLA_VXLAN_LINK, (uint32_t)s->dev);
}

/**
 * link_info_put() - Add IFLA_LINKINFO: the kind and its settings
 * @m:		Message
 * @s:		The link
 */
static void link_info_put(struct nl_msg *m, const struct link_spec *s)
{
	struct nlattr *info = nl_nest_start(m, IFLA_LINKINFO);
	struct nlattr *data = NULL;

	nl_attr_put_str(m, IFLA_INFO_KIND, s->type);
	if ((s->kind == LINK_VETH &&
	     (s->peer.given || s->queues.tx || s->queues.rx)) ||
	    s->kind == LINK_VXLAN || s->kind == LINK_VLAN ||
	    (s->kind == LINK_MACVLAN && s->has_mode))
		data = nl_nest_start(m, IFLA_INFO_DATA);

	if (s->kind == LINK_VETH && data)
		link_veth_put(m, &s->peer);
	else if (s->kind == LINK_VXLAN)
		link_vxlan_put(m, s);
	else if (s->kind == LINK_VLAN)
		nl_attr_put_u16(m, IFLA_VLAN_ID, (uint16_t)s->id);
	else if (s->kind == LINK_MACVLAN && data)
		nl_attr_put_u32(m, IFLA_MACVLAN_MODE, s->mode);

	nl_nest_end(m, data);
	nl_nest_end(m, info);
}

/**
 * link_add_send() - Build and send the RTM_NEWLINK that creates a link
 * @ctx:	Op context
 * @s:		The link; its peer's namespace is open if it has one
 *
 * Return: 0, or -1 after op_fail()
 */
static int link_add_send(struct op_ctx *ctx, const struct link_spec *s)
{
	_Alignas(struct nlmsghdr) uint8_t buf[LINK_REQ_SIZE];
	struct ifinfomsg *ifi;
	struct nl_error e;
	struct nl_msg m;

	nl_msg_init(&m, buf, sizeof(buf), RTM_NEWLINK,
		    NLM_F_CREATE | NLM_F_EXCL);
	ifi = nl_msg_put(&m, sizeof(*ifi));
	if (!ifi) {
		op_fail_errno(ctx, EMSGSIZE, "%s %s", ctx->op, s->name);
		return -1;
	}

	ifi->ifi_family = AF_UNSPEC;
	nl_attr_put_str(&m, IFLA_IFNAME, s->name);
	link_attrs_put(&m, ifi, &s->attrs);
	link_queues_put(&m, &s->queues);
	if (s->parent)
		nl_attr_put_u32(&m, IFLA_LINK, (uint32_t)s->parent);
	link_info_put(&m, s);

	if (nl_request(ctx->nl, &m, &e)) {
		op_fail_nl(ctx, &e, "%s %s", ctx->op, s->name);
		return -1;
	}
	return 0;
}

/**
 * link_add() - link.add: create a link
 * @ctx:	Op context
 * @args:	name, type and the settings in PROTOCOL.md
 *
 * Return: 0 with nil written, or -1 after op_fail()
 */
static int link_add(struct op_ctx *ctx, const struct mp_obj *args)
{
	struct link_spec s;
	struct ns_id id;
	int rc;

	if (link_spec_parse(ctx, args, &s))
		return -1;

	if (s.peer.has_namespace &&
	    ns_open(ctx, &s.peer.namespace, s.peer.namespace_id,
		    &s.peer.ns_fd, &id) < 0)
		return -1;

	rc = link_add_send(ctx, &s);
	if (s.peer.ns_fd >= 0)
		close(s.peer.ns_fd);
	if (rc)
		return -1;

	mp_put_nil(ctx->out);
	return 0;
}

/**
 * link_master_arg() - Read the master of link.set: a link, or nil
 * @ctx:	Op context
 * @args:	Op arguments
 * @a:		Its master is filled in; 0 for nil, which detaches
 *
 * Return: 0, or -1 after op_fail()
 */
static int link_master_arg(struct op_ctx *ctx, const struct mp_obj *args,
			   struct link_attrs *a)
{
	struct mp_obj v;
	int rc;

	if (arg_find(ctx, args, "master", &v) == 1 && v.type == MP_NIL) {
		a->has_master = true;
		a->master = 0;
		return 0;
	}

	rc = arg_link(ctx, args, "master", false, &a->master);
	if (rc < 0)
		return -1;
	a->has_master = rc;
	return 0;
}

/**
 * link_namespace_put() - Add the namespace a link moves to
 * @ctx:	Op context
 * @args:	Op arguments
 * @label:	The link, for messages
 * @m:		Message
 * @fd:		Set to the namespace's fd when one was opened, for the
 *		caller to close after sending; -1 otherwise
 *
 * A pid goes to the kernel as it is (IFLA_NET_NS_PID); a path, or a pid
 * whose namespace must have the id in namespaceId, is opened and checked by
 * ns_open() and passed as an fd (IFLA_NET_NS_FD).
 *
 * Return: 0, or -1 after op_fail()
 */
static int link_namespace_put(struct op_ctx *ctx, const struct mp_obj *args,
			      const char *label, struct nl_msg *m, int *fd)
{
	char expect[NS_ID_LEN] = "";
	struct ns_id id;
	struct mp_obj v;

	*fd = -1;
	if (arg_str(ctx, args, "namespaceId", false, expect,
		    sizeof(expect)) < 0)
		return -1;
	if (arg_find(ctx, args, "namespace", &v) != 1 || v.type == MP_NIL)
		return 0;

	if (!ns_target_valid(&v)) {
		op_fail(ctx, BAD_ARGUMENT, "%s %s: \"namespace\": expected a "
			"path or a pid", ctx->op, label);
		return -1;
	}

	if (v.type == MP_UINT && !*expect) {
		nl_attr_put_u32(m, IFLA_NET_NS_PID, (uint32_t)v.v.u);
		return 0;
	}

	if (ns_open(ctx, &v, expect, fd, &id) < 0)
		return -1;
	nl_attr_put_u32(m, IFLA_NET_NS_FD, (uint32_t)*fd);
	return 0;
}

/**
 * link_set_build() - Read link.set's arguments into an RTM_NEWLINK
 * @ctx:	Op context
 * @args:	Op arguments
 * @label:	The link, for messages
 * @m:		Message, just initialised
 * @fd:		As for link_namespace_put()
 *
 * Return: 0, or -1 after op_fail()
 */
static int link_set_build(struct op_ctx *ctx, const struct mp_obj *args,
			  const char *label, struct nl_msg *m, int *fd)
{
	struct link_attrs a;
	struct ifinfomsg *ifi;
	char name[IFNAMSIZ];
	int index, rc;

	*fd = -1;
	if (arg_link(ctx, args, "link", true, &index) < 0 ||
	    link_attrs_parse(ctx, args, label, &a) ||
	    link_master_arg(ctx, args, &a))
		return -1;

	rc = arg_ifname(ctx, args, "name", false, name);
	if (rc < 0)
		return -1;

	ifi = nl_msg_put(m, sizeof(*ifi));
	if (!ifi) {
		op_fail_errno(ctx, EMSGSIZE, "%s %s", ctx->op, label);
		return -1;
	}

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	if (rc)
		nl_attr_put_str(m, IFLA_IFNAME, name);
	link_attrs_put(m, ifi, &a);
	return link_namespace_put(ctx, args, label, m, fd);
}

/**
 * link_set() - link.set: change a link
 * @ctx:	Op context
 * @args:	link and the settings in PROTOCOL.md
 *
 * The kernel applies a new namespace first, then the name, the other
 * settings, and the up flag last, so a down link can be renamed and
 * brought up in one op.
 *
 * Return: 0 with nil written, or -1 after op_fail()
 */
static int link_set(struct op_ctx *ctx, const struct mp_obj *args)
{
	_Alignas(struct nlmsghdr) uint8_t buf[LINK_REQ_SIZE];
	char label[LINK_LABEL_MAX];
	struct nl_error e;
	struct nl_msg m;
	int fd, rc;

	link_label(args, "link", label, sizeof(label));
	nl_msg_init(&m, buf, sizeof(buf), RTM_NEWLINK, 0);
	if (link_set_build(ctx, args, label, &m, &fd))
		return -1;

	rc = nl_request(ctx->nl, &m, &e);
	if (fd >= 0)
		close(fd);
	if (rc) {
		op_fail_nl(ctx, &e, "%s %s", ctx->op, label);
		return -1;
	}

	mp_put_nil(ctx->out);
	return 0;
}

/**
 * link_del() - link.del: delete a link (a veth takes its peer along)
 * @ctx:	Op context
 * @args:	link
 *
 * Return: 0 with nil written, or -1 after op_fail()
 */
static int link_del(struct op_ctx *ctx, const struct mp_obj *args)
{
	_Alignas(struct nlmsghdr) uint8_t buf[LINK_REQ_SIZE];
	char label[LINK_LABEL_MAX];
	struct ifinfomsg *ifi;
	struct nl_error e;
	struct nl_msg m;
	int index;

	link_label(args, "link", label, sizeof(label));
	if (arg_link(ctx, args, "link", true, &index) < 0)
		return -1;

	nl_msg_init(&m, buf, sizeof(buf), RTM_DELLINK, 0);
	ifi = nl_msg_put(&m, sizeof(*ifi));
	if (ifi) {
		ifi->ifi_family = AF_UNSPEC;
		ifi->ifi_index = index;
	}

	if (nl_request(ctx->nl, &m, &e)) {
		op_fail_nl(ctx, &e, "%s %s", ctx->op, label);
		return -1;
	}

	mp_put_nil(ctx->out);
	return 0;
}

/**
 * link_type_name() - The type a link result shows
 * @ifi:	The link's header
 * @linkinfo:	Its IFLA_LINKINFO, or NULL
 *
 * Return: the kind it was created with, else a name for its hardware
 * type: "loopback", "ether", or "none" for anything else
 */
static const char *link_type_name(const struct ifinfomsg *ifi,
				  const struct nlattr *linkinfo)
{
	const struct nlattr *tb[IFLA_INFO_MAX + 1];
	const char *kind;

	if (linkinfo) {
		nl_attr_parse(nl_attr_data(linkinfo), nl_attr_len(linkinfo),
			      tb, IFLA_INFO_MAX);
		kind = nl_attr_str(tb[IFLA_INFO_KIND]);
		if (kind && kind[0])
			return kind;
	}

	if (ifi->ifi_type == ARPHRD_LOOPBACK)
		return "loopback";
	if (ifi->ifi_type == ARPHRD_ETHER)
		return "ether";
	return "none";
}

/**
 * link_operstate_name() - Name of an RFC 2863 operational state
 * @a:		IFLA_OPERSTATE, or NULL
 *
 * Return: "up", "down", ... ; "unknown" when absent or out of range
 */
static const char *link_operstate_name(const struct nlattr *a)
{
	uint8_t v = a ? nl_attr_u8(a) : 0;

	if (v >= sizeof(link_operstates) / sizeof(*link_operstates))
		v = 0;
	return link_operstates[v];
}

/**
 * link_put_index() - Write an index attribute, nil when absent or 0
 * @w:		Writer
 * @key:	Result key
 * @a:		The attribute, or NULL
 */
static void link_put_index(struct mp_writer *w, const char *key,
			   const struct nlattr *a)
{
	uint32_t v = a ? nl_attr_u32(a) : 0;

	if (v)
		mp_kv_uint(w, key, v);
	else
		mp_kv_nil(w, key);
}

/**
 * link_put_mac() - Write the link-layer address, nil when there is none
 * @w:		Writer
 * @a:		IFLA_ADDRESS, or NULL
 */
static void link_put_mac(struct mp_writer *w, const struct nlattr *a)
{
	char text[INET_HWADDR_TEXT];

	if (!a || !nl_attr_len(a) || nl_attr_len(a) > INET_HWADDR_MAX) {
		mp_kv_nil(w, "mac");
		return;
	}

	inet_hwaddr_format(nl_attr_data(a), nl_attr_len(a), text,
			   sizeof(text));
	mp_kv_str(w, "mac", text);
}

/**
 * link_put_master() - Write master (by name) and masterIndex
 * @ctx:	Op context; names resolve through its socket
 * @a:		IFLA_MASTER, or NULL
 */
static void link_put_master(struct op_ctx *ctx, const struct nlattr *a)
{
	uint32_t index = a ? nl_attr_u32(a) : 0;
	char name[IFNAMSIZ];

	if (index && nl_ifname(ctx->nl, (int)index, name) == 0)
		mp_kv_str(ctx->out, "master", name);
	else
		mp_kv_nil(ctx->out, "master");
	link_put_index(ctx->out, "masterIndex", a);
}

/**
 * link_put() - Write one link result from an RTM_NEWLINK message
 * @ctx:	Op context
 * @h:		The message
 *
 * Return: 0, or -1 after op_fail() when the message is malformed
 */
static int link_put(struct op_ctx *ctx, const struct nlmsghdr *h)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct nlattr *tb[IFLA_MAX + 1];
	struct mp_writer *w = ctx->out;

	if (nl_msg_parse(h, sizeof(*ifi), tb, IFLA_MAX) ||
	    !nl_attr_str(tb[IFLA_IFNAME])) {
		op_fail(ctx, BAD_REPLY, "%s: a link message without a name",
			ctx->op);
		return -1;
	}

	mp_put_map(w, 11);
	mp_kv_uint(w, "index", (uint32_t)ifi->ifi_index);
	mp_kv_str(w, "name", nl_attr_str(tb[IFLA_IFNAME]));
	mp_kv_str(w, "type", link_type_name(ifi, tb[IFLA_LINKINFO]));
	mp_kv_uint(w, "mtu", tb[IFLA_MTU] ? nl_attr_u32(tb[IFLA_MTU]) : 0);
	mp_kv_bool(w, "up", ifi->ifi_flags & IFF_UP);
	mp_kv_bool(w, "carrier",
		   tb[IFLA_CARRIER] && nl_attr_u8(tb[IFLA_CARRIER]));
	mp_kv_str(w, "operstate", link_operstate_name(tb[IFLA_OPERSTATE]));
	link_put_mac(w, tb[IFLA_ADDRESS]);
	link_put_master(ctx, tb[IFLA_MASTER]);
	link_put_index(w, "parentIndex", tb[IFLA_LINK]);
	return 0;
}

/* What the reply callbacks of link.get and link.list work with. */
struct link_reply {
	struct op_ctx *ctx;
	size_t mark;		/* where the items begin */
	uint32_t count;
	bool failed;		/* op_fail() was called */
};

/**
 * link_reply_one() - nl_get() callback of link.get
 * @h:		The kernel's answer
 * @arg:	struct link_reply
 *
 * Return: 0, or -1 after op_fail()
 */
static int link_reply_one(const struct nlmsghdr *h, void *arg)
{
	struct link_reply *r = arg;

	if (h->nlmsg_type != RTM_NEWLINK) {
		op_fail(r->ctx, BAD_REPLY, "%s: a message of type %u instead "
			"of a link", r->ctx->op, h->nlmsg_type);
		r->failed = true;
		return -1;
	}

	if (link_put(r->ctx, h)) {
		r->failed = true;
		return -1;
	}
	return 0;
}

/**
 * link_get_build() - Build the RTM_GETLINK of link.get
 * @ctx:	Op context
 * @args:	Op arguments
 * @m:		Message, just initialised
 *
 * A name goes to the kernel as it is, so the lookup and the answer come
 * from the same moment; a name longer than IFNAMSIZ can only be an
 * alternative name.
 *
 * Return: 0, or -1 after op_fail()
 */
static int link_get_build(struct op_ctx *ctx, const struct mp_obj *args,
			  struct nl_msg *m)
{
	char name[LINK_ALTNAME_MAX];
	struct ifinfomsg *ifi;
	struct mp_obj v;
	int index = 0;

	ifi = nl_msg_put(m, sizeof(*ifi));
	if (!ifi) {
		op_fail_errno(ctx, EMSGSIZE, "%s", ctx->op);
		return -1;
	}

	if (arg_find(ctx, args, "link", &v) == 1 && v.type == MP_STR &&
	    v.v.str.len > 0) {
		if (arg_str(ctx, args, "link", true, name, sizeof(name)) < 0)
			return -1;
		nl_attr_put_str(m, strlen(name) < IFNAMSIZ ?
				IFLA_IFNAME : IFLA_ALT_IFNAME, name);
	} else if (arg_link(ctx, args, "link", true, &index) < 0) {
		return -1;
	}

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	nl_attr_put_u32(m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return 0;
}

/**
 * link_get() - link.get: one link, by name or index
 * @ctx:	Op context
 * @args:	link
 *
 * Return: 0 with the link written, or -1 after op_fail()
 */
static int link_get(struct op_ctx *ctx, const struct mp_obj *args)
{
	_Alignas(struct nlmsghdr) uint8_t buf[LINK_REQ_SIZE];
	struct link_reply r = { .ctx = ctx };
	char label[LINK_LABEL_MAX];
	struct nl_error e;
	struct nl_msg m;

	nl_msg_init(&m, buf, sizeof(buf), RTM_GETLINK, 0);
	if (link_get_build(ctx, args, &m))
		return -1;

	if (nl_get(ctx->nl, &m, link_reply_one, &r, &e) < 0) {
		link_label(args, "link", label, sizeof(label));
		if (!r.failed)
			op_fail_nl(ctx, &e, "%s %s", ctx->op, label);
		return -1;
	}
	return 0;
}

/**
 * link_reply_item() - nl_dump() callback of link.list
 * @h:		One message, or NULL when the dump starts over
 * @arg:	struct link_reply
 *
 * Return: 0, or -1 after op_fail()
 */
static int link_reply_item(const struct nlmsghdr *h, void *arg)
{
	struct link_reply *r = arg;

	if (!h) {
		mp_writer_rewind(r->ctx->out, r->mark);
		r->count = 0;
		return 0;
	}

	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;

	if (link_put(r->ctx, h)) {
		r->failed = true;
		return -1;
	}
	r->count++;
	return 0;
}

/**
 * link_list() - link.list: every link of the namespace
 * @ctx:	Op context
 * @args:	None
 *
 * Return: 0 with { items, interrupted } written, or -1 after op_fail()
 */
static int link_list(struct op_ctx *ctx, const struct mp_obj *args)
{
	_Alignas(struct nlmsghdr) uint8_t buf[LINK_REQ_SIZE];
	struct link_reply r = { .ctx = ctx };
	struct ifinfomsg *ifi;
	struct nl_error e;
	struct nl_msg m;
	bool intr;
	size_t at;

	(void)args;
	nl_msg_init(&m, buf, sizeof(buf), RTM_GETLINK, 0);
	ifi = nl_msg_put(&m, sizeof(*ifi));
	if (ifi)
		ifi->ifi_family = AF_UNSPEC;
	nl_attr_put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);

	mp_put_map(ctx->out, 2);
	mp_put_str(ctx->out, "items");
	at = mp_put_array32(ctx->out);
	r.mark = ctx->out->len;

	if (nl_dump(ctx->nl, &m, link_reply_item, &r, &intr, &e) < 0) {
		if (!r.failed)
			op_fail_nl(ctx, &e, "%s", ctx->op);
		return -1;
	}

	mp_patch_array32(ctx->out, at, r.count);
	mp_kv_bool(ctx->out, "interrupted", intr);
	return 0;
}

static const char *const link_add_keys[] = {
	"name", "type", "mtu", "mac", "up", "master", "peer", "id", "link",
	"mode", "port", "local", "remote", "group", "dev", "txQueues",
	"rxQueues", NULL,
};
static const char *const link_set_keys[] = {
	"link", "up", "mtu", "name", "mac", "master", "namespace",
	"namespaceId", NULL,
};
static const char *const link_one_keys[] = { "link", NULL };
static const char *const link_no_keys[] = { NULL };

const struct op_def link_ops[] = {
	{ "link.add", link_add, link_add_keys, false },
	{ "link.set", link_set, link_set_keys, false },
	{ "link.del", link_del, link_one_keys, false },
	{ "link.get", link_get, link_one_keys, false },
	{ "link.list", link_list, link_no_keys, false },
	{ NULL, NULL, NULL, false },
};

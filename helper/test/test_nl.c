// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: unit tests for nl.c's message building and attribute parsing
 *
 * No socket is opened here: talking to the kernel is tested end to end,
 * inside a namespace of its own. What is checked is the byte layout of
 * built messages, the sticky overflow flag, and that parsing never reads
 * past a malformed attribute.
 */
#include <stdio.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include "nl.h"
#include "tap.h"

/**
 * test_build_parse() - A message with a nest parses back to what was put
 */
static int test_build_parse(void)
{
	_Alignas(struct nlmsghdr) uint8_t buf[256];
	const struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	struct ifinfomsg *ifi;
	struct nlattr *nest;
	struct nl_msg m;

	nl_msg_init(&m, buf, sizeof(buf), RTM_NEWLINK, NLM_F_CREATE);
	CHECK(m.hdr->nlmsg_flags == (NLM_F_REQUEST | NLM_F_CREATE));
	ifi = nl_msg_put(&m, sizeof(*ifi));
	CHECK(ifi != NULL);
	ifi->ifi_index = 7;
	nl_attr_put_str(&m, IFLA_IFNAME, "b0");
	nl_attr_put_u32(&m, IFLA_MTU, 1400);
	nl_attr_put_u8(&m, IFLA_CARRIER, 1);
	nest = nl_nest_start(&m, IFLA_LINKINFO);
	nl_attr_put_str(&m, IFLA_INFO_KIND, "bridge");
	nl_nest_end(&m, nest);

	CHECK(!m.overflow);
	CHECK(m.hdr->nlmsg_len % NLMSG_ALIGNTO == 0);
	CHECK(nest->nla_len == NLA_HDRLEN + NLA_HDRLEN + 8);

	CHECK(nl_msg_parse(m.hdr, sizeof(*ifi), tb, IFLA_MAX) == 0);
	CHECK(tb[IFLA_IFNAME] && !strcmp(nl_attr_str(tb[IFLA_IFNAME]), "b0"));
	CHECK(tb[IFLA_MTU] && nl_attr_u32(tb[IFLA_MTU]) == 1400);
	CHECK(tb[IFLA_CARRIER] && nl_attr_u8(tb[IFLA_CARRIER]) == 1);
	CHECK(tb[IFLA_ADDRESS] == NULL);
	CHECK(tb[IFLA_LINKINFO] != NULL);

	nl_attr_parse(nl_attr_data(tb[IFLA_LINKINFO]),
		      nl_attr_len(tb[IFLA_LINKINFO]), info, IFLA_INFO_MAX);
	CHECK(info[IFLA_INFO_KIND] &&
	      !strcmp(nl_attr_str(info[IFLA_INFO_KIND]), "bridge"));
	return 0;
}

/**
 * test_overflow() - Running out of room is sticky and harmless
 */
static int test_overflow(void)
{
	_Alignas(struct nlmsghdr) uint8_t buf[40];
	struct nl_msg m;
	uint32_t len;

	nl_msg_init(&m, buf, sizeof(buf), RTM_NEWLINK, 0);
	CHECK(nl_msg_put(&m, sizeof(struct ifinfomsg)) != NULL);
	len = m.hdr->nlmsg_len;

	nl_attr_put_str(&m, IFLA_IFNAME, "a-name-too-long");
	CHECK(m.overflow);
	CHECK(m.hdr->nlmsg_len == len);

	nl_attr_put_u8(&m, IFLA_CARRIER, 1);
	CHECK(m.hdr->nlmsg_len == len);
	CHECK(nl_nest_start(&m, IFLA_LINKINFO) == NULL);
	nl_nest_end(&m, NULL);

	nl_msg_init(&m, buf, 8, RTM_NEWLINK, 0);
	CHECK(m.overflow);
	CHECK(nl_msg_put(&m, 4) == NULL);
	return 0;
}

/**
 * test_malformed() - Parsing stops at an attribute that overruns
 */
static int test_malformed(void)
{
	_Alignas(struct nlattr) uint8_t buf[32];
	const struct nlattr *tb[4];
	struct nlattr *a = (struct nlattr *)buf;
	struct nlattr *b = (struct nlattr *)(buf + 8);

	memset(buf, 0, sizeof(buf));
	a->nla_len = 8;
	a->nla_type = 1;
	memcpy(buf + NLA_HDRLEN, "abcd", 4);
	b->nla_len = 200;
	b->nla_type = 2;

	nl_attr_parse(buf, sizeof(buf), tb, 3);
	CHECK(tb[1] == a);
	CHECK(tb[2] == NULL);
	CHECK(nl_attr_str(tb[1]) == NULL);
	CHECK(nl_attr_str(NULL) == NULL);

	b->nla_len = 2;
	nl_attr_parse(buf, sizeof(buf), tb, 3);
	CHECK(tb[2] == NULL);

	a->nla_len = 6;
	nl_attr_parse(buf, sizeof(buf), tb, 3);
	CHECK(tb[1] == a && nl_attr_u32(a) == 0);
	return 0;
}

int main(void)
{
	run("a message with a nest parses back to what was put",
	    test_build_parse);
	run("running out of room is sticky and harmless", test_overflow);
	run("parsing stops at an attribute that overruns", test_malformed);

	return tap_done();
}

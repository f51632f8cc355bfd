/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DOC: rtnetlink, the careful way
 *
 * One struct nl_sock is a NETLINK_ROUTE socket. It stays bound to the
 * namespace it was created in for its whole life, which is what lets the
 * helper keep one per namespace and skip setns() for plain netlink work.
 * Every socket is opened with NETLINK_EXT_ACK (readable errors),
 * NETLINK_CAP_ACK (acks without the echoed request) and
 * NETLINK_GET_STRICT_CHK (the kernel validates dump requests).
 *
 * Every reply is checked: it must come from the kernel (port 0), carry the
 * sequence number of the request, and fit the buffer (MSG_TRUNC). A dump
 * that the kernel marks NLM_F_DUMP_INTR is started again, a bounded number
 * of times, after telling the caller to forget what it collected.
 *
 * Messages are built in a caller's buffer with struct nl_msg; running out
 * of room sets a sticky flag checked once when sending.
 */
#ifndef NSDO_NL_H
#define NSDO_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#define NL_DUMP_TRIES 4		/* the first try and three retries */

struct nl_sock {
	int fd;
	uint32_t seq;
};

struct nl_error {
	int errnum;		/* positive errno */
	bool protocol;		/* the reply itself was malformed */
	char extack[256];
};

struct nl_msg {
	struct nlmsghdr *hdr;
	size_t cap;
	bool overflow;
};

int nl_open(struct nl_sock *nl);
void nl_close(struct nl_sock *nl);

void nl_msg_init(struct nl_msg *m, void *buf, size_t cap, uint16_t type,
		 uint16_t flags);
void *nl_msg_put(struct nl_msg *m, size_t len);
void nl_attr_put(struct nl_msg *m, uint16_t type, const void *data,
		 size_t len);
void nl_attr_put_u8(struct nl_msg *m, uint16_t type, uint8_t v);
void nl_attr_put_u16(struct nl_msg *m, uint16_t type, uint16_t v);
void nl_attr_put_u32(struct nl_msg *m, uint16_t type, uint32_t v);
void nl_attr_put_str(struct nl_msg *m, uint16_t type, const char *s);
struct nlattr *nl_nest_start(struct nl_msg *m, uint16_t type);
void nl_nest_end(struct nl_msg *m, struct nlattr *nest);

/* Called once per message of a reply; NULL before a dump starts again. */
typedef int (*nl_msg_fn)(const struct nlmsghdr *h, void *arg);

int nl_request(struct nl_sock *nl, struct nl_msg *m, struct nl_error *e);
int nl_get(struct nl_sock *nl, struct nl_msg *m, nl_msg_fn fn, void *arg,
	   struct nl_error *e);
int nl_dump(struct nl_sock *nl, struct nl_msg *m, nl_msg_fn fn, void *arg,
	    bool *interrupted, struct nl_error *e);

/* Attributes of a received message, indexed by type (0..max). */
void nl_attr_parse(const void *start, size_t len, const struct nlattr **tb,
		   int max);
const void *nl_attr_data(const struct nlattr *a);
size_t nl_attr_len(const struct nlattr *a);
uint32_t nl_attr_u32(const struct nlattr *a);
uint8_t nl_attr_u8(const struct nlattr *a);
const char *nl_attr_str(const struct nlattr *a);
int nl_msg_parse(const struct nlmsghdr *h, size_t hdrlen,
		 const struct nlattr **tb, int max);

/* Interface names through the socket's namespace (SIOCGIF*). */
int nl_ifindex(struct nl_sock *nl, const char *name);
int nl_ifname(struct nl_sock *nl, int ifindex, char name[16]);

#endif /* NSDO_NL_H */

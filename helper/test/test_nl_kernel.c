// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: unit tests for nl.c's receive path, against the real kernel
 *
 * The program moves itself into a network namespace of its own first, so
 * what it creates dies with it and the machine's network is never touched.
 * Checked here is what nl.c must do when a reply is not what it asked for:
 *
 *  - a datagram from another netlink socket (a second socket of the test
 *    sends it) is refused, not read as the kernel's answer;
 *  - a reply to an older request (sent past nl.c, with a sequence number
 *    nl.c never used) is refused;
 *  - a datagram larger than the receive buffer is refused, not cut;
 *  - a dump whose table changes under it (the callback adds a bridge while
 *    the kernel is still producing the dump) is read again, and flagged
 *    when it never comes back clean.
 *
 * After each refusal the same socket must answer the next request: the
 * rest of the bad answer was drained. Without the privilege to unshare the
 * network namespace, every test reports itself skipped.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "nl.h"
#include "tap.h"

#define BRIDGES		100	/* links enough for a dump of several parts */
#define BIG_DATAGRAM	40000	/* more than nl.c's 32 KiB receive buffer */

static struct nl_sock sock;	/* the socket under test, nl.c's own */
static int other = -1;		/* a second netlink socket, the test's */

/**
 * port_of() - The netlink port a socket is bound to
 * @fd:		Bound netlink socket
 *
 * Return: the port id, or 0 when it cannot be read
 */
static uint32_t port_of(int fd)
{
	struct sockaddr_nl sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &len))
		return 0;
	return sa.nl_pid;
}

/**
 * send_to() - Send a message to a netlink port, the kernel's being 0
 * @fd:		Sending socket
 * @port:	Destination port
 * @h:		Message, nlmsg_len bytes
 *
 * Return: 0, or -1 with errno set
 */
static int send_to(int fd, uint32_t port, const struct nlmsghdr *h)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = port };

	if (sendto(fd, h, h->nlmsg_len, 0, (struct sockaddr *)&to,
		   sizeof(to)) != (ssize_t)h->nlmsg_len)
		return -1;
	return 0;
}

/* The answer to a link query: its index. */
static int link_index(const struct nlmsghdr *h, void *arg)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);

	(void)arg;
	return ifi->ifi_index;
}

/**
 * get_lo() - Ask for lo (index 1 in a new namespace) through nl.c
 * @e:		Filled on failure
 *
 * Return: 1, or -1 with @e filled
 */
static int get_lo(struct nl_error *e)
{
	_Alignas(struct nlmsghdr) uint8_t buf[64];
	struct ifinfomsg *ifi;
	struct nl_msg m;

	nl_msg_init(&m, buf, sizeof(buf), RTM_GETLINK, 0);
	ifi = nl_msg_put(&m, sizeof(*ifi));
	if (!ifi)
		return -1;
	ifi->ifi_index = 1;
	return nl_get(&sock, &m, link_index, NULL, e);
}

/**
 * bridge_add() - Create a bridge through the test's own socket
 * @name:	Its name
 *
 * The test's socket and buffer, not nl.c's: this also runs inside a dump
 * callback, while nl.c's receive buffer holds the dump.
 *
 * Return: 0, or the kernel's negative errno
 */
static int bridge_add(const char *name)
{
	_Alignas(struct nlmsghdr) uint8_t buf[256];
	_Alignas(struct nlmsghdr) uint8_t ack[1024];
	const struct nlmsgerr *err;
	struct ifinfomsg *ifi;
	struct nlattr *info;
	struct nl_msg m;

	nl_msg_init(&m, buf, sizeof(buf), RTM_NEWLINK,
		    NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	ifi = nl_msg_put(&m, sizeof(*ifi));
	if (!ifi)
		return -EMSGSIZE;
	ifi->ifi_family = AF_UNSPEC;
	nl_attr_put_str(&m, IFLA_IFNAME, name);
	info = nl_nest_start(&m, IFLA_LINKINFO);
	nl_attr_put_str(&m, IFLA_INFO_KIND, "bridge");
	nl_nest_end(&m, info);

	if (m.overflow || send_to(other, 0, m.hdr) ||
	    recv(other, ack, sizeof(ack), 0) < (ssize_t)NLMSG_LENGTH(sizeof(*err)))
		return -EIO;
	err = NLMSG_DATA((struct nlmsghdr *)ack);
	return err->error;
}

/**
 * test_foreign_sender() - A datagram from another socket is not an answer
 */
static int test_foreign_sender(void)
{
	struct nlmsghdr fake = {
		.nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_DONE,
		.nlmsg_seq = sock.seq + 1,	/* the next request's */
	};
	char want[64];
	struct nl_error e;

	CHECK(send_to(other, port_of(sock.fd), &fake) == 0);
	CHECK(get_lo(&e) == -1);
	CHECK(e.protocol && e.errnum == EPROTO);
	snprintf(want, sizeof(want), "port %u, not the kernel", port_of(other));
	CHECK(strstr(e.extack, want) != NULL);

	CHECK(get_lo(&e) == 1);
	return 0;
}

/**
 * test_stale_reply() - A reply to a request nl.c did not send is refused
 */
static int test_stale_reply(void)
{
	_Alignas(struct nlmsghdr) uint8_t buf[64];
	struct ifinfomsg *ifi;
	struct nl_error e;
	struct nl_msg m;

	nl_msg_init(&m, buf, sizeof(buf), RTM_GETLINK, 0);
	ifi = nl_msg_put(&m, sizeof(*ifi));
	CHECK(ifi != NULL);
	ifi->ifi_index = 1;
	m.hdr->nlmsg_seq = sock.seq + 100;
	CHECK(send_to(sock.fd, 0, m.hdr) == 0);

	CHECK(get_lo(&e) == -1);
	CHECK(e.protocol);
	CHECK(strstr(e.extack, "sequence number") != NULL);

	CHECK(get_lo(&e) == 1);
	return 0;
}

/**
 * test_oversized() - A datagram larger than the buffer is refused, not cut
 */
static int test_oversized(void)
{
	static _Alignas(struct nlmsghdr) uint8_t big[BIG_DATAGRAM];
	struct nlmsghdr *h = (struct nlmsghdr *)big;
	struct nl_error e;

	h->nlmsg_len = sizeof(big);
	h->nlmsg_type = NLMSG_NOOP;
	h->nlmsg_seq = sock.seq + 1;
	CHECK(send_to(other, port_of(sock.fd), h) == 0);

	CHECK(get_lo(&e) == -1);
	CHECK(e.protocol);
	CHECK(strstr(e.extack, "larger than") != NULL);

	CHECK(get_lo(&e) == 1);
	return 0;
}

/* What the dump callback keeps: links seen, restarts, bridges to add. */
struct dump_state {
	int links;
	int restarts;
	int adds;	/* how many of the tries still add a bridge */
	int added;
};

/*
 * Counts the links of a dump; on the first link of a try it adds a bridge
 * while it may, which changes the table under the kernel's running dump.
 */
static int dump_count(const struct nlmsghdr *h, void *arg)
{
	struct dump_state *s = arg;
	char name[IFNAMSIZ];

	if (!h) {
		s->links = 0;
		s->restarts++;
		return 0;
	}
	if (s->links++ == 0 && s->adds > 0) {
		s->adds--;
		snprintf(name, sizeof(name), "late%d", s->added++);
		if (bridge_add(name))
			return -1;
	}
	return 0;
}

/**
 * dump_links() - Dump every link through nl.c
 * @s:		Callback state
 * @interrupted: Set as nl_dump() sets it
 *
 * Return: what nl_dump() returned
 */
static int dump_links(struct dump_state *s, bool *interrupted)
{
	_Alignas(struct nlmsghdr) uint8_t buf[64];
	struct nl_error e;
	struct nl_msg m;

	nl_msg_init(&m, buf, sizeof(buf), RTM_GETLINK, 0);
	if (!nl_msg_put(&m, sizeof(struct ifinfomsg)))
		return -1;
	return nl_dump(&sock, &m, dump_count, s, interrupted, &e);
}

/**
 * test_dump_changed_once() - A dump interrupted once is read again, whole
 */
static int test_dump_changed_once(void)
{
	struct dump_state s = { .adds = 1 };
	bool interrupted = true;

	CHECK(dump_links(&s, &interrupted) == 0);
	CHECK(s.added == 1);
	CHECK(s.restarts == 1);
	CHECK(!interrupted);
	CHECK(s.links == 1 + BRIDGES + 1);	/* lo, the bridges, late0 */

	CHECK(get_lo(&(struct nl_error){ 0 }) == 1);
	return 0;
}

/**
 * test_dump_never_clean() - A dump that never comes back clean is flagged
 */
static int test_dump_never_clean(void)
{
	struct dump_state s = { .adds = NL_DUMP_TRIES, .added = 1 };
	bool interrupted = false;

	CHECK(dump_links(&s, &interrupted) == 0);
	CHECK(s.restarts == NL_DUMP_TRIES - 1);
	CHECK(interrupted);
	CHECK(s.links > 0);

	CHECK(get_lo(&(struct nl_error){ 0 }) == 1);
	return 0;
}

/**
 * setup() - Enter a new network namespace, open both sockets, add bridges
 *
 * Return: 0, 1 when the privilege to unshare is missing, -1 on failure
 */
static int setup(void)
{
	char name[IFNAMSIZ];
	int i;

	if (unshare(CLONE_NEWNET))
		return errno == EPERM ? 1 : -1;
	if (nl_open(&sock))
		return -1;

	other = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (other < 0 || bind(other, (struct sockaddr *)&(struct sockaddr_nl){
		.nl_family = AF_NETLINK }, sizeof(struct sockaddr_nl)))
		return -1;

	for (i = 0; i < BRIDGES; i++) {
		snprintf(name, sizeof(name), "br%d", i);
		if (bridge_add(name))
			return -1;
	}
	return 0;
}

int main(void)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} tests[] = {
		{ "a datagram from another netlink socket is refused",
		  test_foreign_sender },
		{ "a reply with an old sequence number is refused",
		  test_stale_reply },
		{ "a datagram larger than the buffer is refused, not cut",
		  test_oversized },
		{ "a link dump changed under it is read again, whole",
		  test_dump_changed_once },
		{ "a dump that never comes back clean is flagged interrupted",
		  test_dump_never_clean },
	};
	size_t i;
	int rc = setup();

	if (rc < 0) {
		fprintf(stderr, "setup: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < sizeof(tests) / sizeof(*tests); i++) {
		if (rc == 1) {
			printf("ok %zu - %s # skip no privilege to unshare "
			       "the network namespace\n", i + 1, tests[i].name);
			tests_run++;
			continue;
		}
		run(tests[i].name, tests[i].fn);
	}
	nl_close(&sock);
	if (other >= 0)
		close(other);
	return tap_done();
}

// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: rtnetlink sockets, requests and dumps
 *
 * The helper talks to the kernel one request at a time, so one static
 * receive buffer serves every socket. 32 KiB is what the kernel itself
 * caps a dump chunk at, so a well-formed reply always fits; MSG_TRUNC
 * says when one did not, and that is a protocol error, never a silent cut.
 *
 * Three ways to talk, all synchronous:
 *
 * - nl_request() sends a change with NLM_F_ACK and waits for the ack, whose
 *   error code and extended-ack text end up in a struct nl_error;
 * - nl_get() sends a query that the kernel answers with one message;
 * - nl_dump() sends a dump request and hands every message to a callback.
 *   When any message of the dump carries NLM_F_DUMP_INTR the table changed
 *   under it: the callback is told to forget (a NULL message) and the dump
 *   runs again, at most NL_DUMP_TRIES times in all.
 *
 * Every datagram must come from the kernel (port 0) and every message must
 * carry the sequence number of the request in flight. When a request ends
 * early (a malformed reply, a callback that gave up) the rest of the
 * kernel's answer is drained, so the socket is clean for the next request.
 *
 * Interface names are resolved with SIOCGIFINDEX and SIOCGIFNAME on the
 * netlink socket itself: the ioctl resolves in the namespace the socket
 * belongs to, and it can run in the middle of a dump, where a netlink
 * request on the same socket could not.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <net/if.h>

#include "nl.h"

#define NL_RECV_SIZE	32768
#define NL_RCVBUF	(256 * 1024)
#define NL_SNDBUF	(32 * 1024)

/* The one receive buffer, aligned for struct nlmsghdr. */
static union {
	struct nlmsghdr hdr;
	uint8_t bytes[NL_RECV_SIZE];
} nl_rx;

/* What one pass over a reply's messages concluded. */
enum nl_step {
	NL_STEP_MORE,		/* keep receiving */
	NL_STEP_DONE,		/* the reply is complete */
	NL_STEP_FAIL,		/* failed, e filled */
};

/**
 * nl_sockopt_int() - Set one integer socket option
 * @fd:		Socket
 * @level:	SOL_SOCKET, SOL_NETLINK
 * @name:	Option
 * @value:	Value to set
 *
 * Return: 0, or -1 with errno set
 */
static int nl_sockopt_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

/**
 * nl_open() - Open a NETLINK_ROUTE socket in the calling thread's namespace
 * @nl:		Socket to fill in
 *
 * Extended acks, capped acks and strict checking of dump requests are
 * required: without them errors are unreadable and dump filters are
 * ignored, so a kernel older than 4.20 is refused here.
 *
 * Return: 0, or a negative errno (errno is set too); @nl->fd is -1 then
 */
int nl_open(struct nl_sock *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, saved;

	nl->fd = -1;
	nl->seq = 0;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;

	if (nl_sockopt_int(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1) ||
	    nl_sockopt_int(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1) ||
	    nl_sockopt_int(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1) ||
	    nl_sockopt_int(fd, SOL_SOCKET, SO_RCVBUF, NL_RCVBUF) ||
	    nl_sockopt_int(fd, SOL_SOCKET, SO_SNDBUF, NL_SNDBUF) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;

	nl->fd = fd;
	return 0;

fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -saved;
}

/**
 * nl_close() - Close a socket opened by nl_open()
 * @nl:		Socket; closing one that is already closed does nothing
 */
void nl_close(struct nl_sock *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

/**
 * nl_msg_init() - Start a request in a caller's buffer
 * @m:		Message to set up
 * @buf:	Buffer, aligned for struct nlmsghdr
 * @cap:	Size of @buf
 * @type:	Message type, RTM_NEWLINK ...
 * @flags:	NLM_F_* flags beside NLM_F_REQUEST, which is always set
 */
void nl_msg_init(struct nl_msg *m, void *buf, size_t cap, uint16_t type,
		 uint16_t flags)
{
	m->hdr = buf;
	m->cap = cap;
	m->overflow = cap < NLMSG_HDRLEN;
	if (m->overflow)
		return;

	memset(m->hdr, 0, NLMSG_HDRLEN);
	m->hdr->nlmsg_len = NLMSG_HDRLEN;
	m->hdr->nlmsg_type = type;
	m->hdr->nlmsg_flags = NLM_F_REQUEST | flags;
}

/**
 * nl_msg_put() - Append zeroed room to a message
 * @m:		Message
 * @len:	Bytes wanted; the message grows by @len aligned to 4
 *
 * Return: the room, or NULL (and the overflow flag set) when it does not
 * fit
 */
void *nl_msg_put(struct nl_msg *m, size_t len)
{
	size_t room = NLMSG_ALIGN(len);
	uint8_t *p;

	if (m->overflow || room > m->cap - m->hdr->nlmsg_len) {
		m->overflow = true;
		return NULL;
	}

	p = (uint8_t *)m->hdr + m->hdr->nlmsg_len;
	memset(p, 0, room);
	m->hdr->nlmsg_len += room;
	return p;
}

/**
 * nl_attr_put() - Append an attribute to a message
 * @m:		Message; on overflow only its flag changes
 * @type:	Attribute type
 * @data:	Payload, may be NULL when @len is 0
 * @len:	Payload length
 */
void nl_attr_put(struct nl_msg *m, uint16_t type, const void *data,
		 size_t len)
{
	struct nlattr *a;

	if (len > UINT16_MAX - NLA_HDRLEN) {
		m->overflow = true;
		return;
	}

	a = nl_msg_put(m, NLA_HDRLEN + len);
	if (!a)
		return;

	a->nla_len = NLA_HDRLEN + len;
	a->nla_type = type;
	if (len)
		memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
}

/**
 * nl_attr_put_u8() - Append an 8-bit attribute
 * @m:		Message
 * @type:	Attribute type
 * @v:		Value
 */
void nl_attr_put_u8(struct nl_msg *m, uint16_t type, uint8_t v)
{
	nl_attr_put(m, type, &v, sizeof(v));
}

/**
 * nl_attr_put_u16() - Append a 16-bit attribute in host byte order
 * @m:		Message
 * @type:	Attribute type
 * @v:		Value; convert it first where the kernel wants network order
 */
void nl_attr_put_u16(struct nl_msg *m, uint16_t type, uint16_t v)
{
	nl_attr_put(m, type, &v, sizeof(v));
}

/**
 * nl_attr_put_u32() - Append a 32-bit attribute in host byte order
 * @m:		Message
 * @type:	Attribute type
 * @v:		Value
 */
void nl_attr_put_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	nl_attr_put(m, type, &v, sizeof(v));
}

/**
 * nl_attr_put_str() - Append a string attribute with its terminating NUL
 * @m:		Message
 * @type:	Attribute type
 * @s:		String
 */
void nl_attr_put_str(struct nl_msg *m, uint16_t type, const char *s)
{
	nl_attr_put(m, type, s, strlen(s) + 1);
}

/**
 * nl_nest_start() - Open a nested attribute
 * @m:		Message
 * @type:	Attribute type; NLA_F_NESTED is not added, as the older
 *		rtnetlink nests (IFLA_LINKINFO, VETH_INFO_PEER) do not use it
 *
 * Return: the nest to pass to nl_nest_end(), NULL on overflow
 */
struct nlattr *nl_nest_start(struct nl_msg *m, uint16_t type)
{
	struct nlattr *nest = nl_msg_put(m, NLA_HDRLEN);

	if (nest)
		nest->nla_type = type;
	return nest;
}

/**
 * nl_nest_end() - Close a nested attribute: its length covers what follows
 * @m:		Message
 * @nest:	From nl_nest_start(); NULL (an overflow) is ignored
 */
void nl_nest_end(struct nl_msg *m, struct nlattr *nest)
{
	size_t len;

	if (!nest || m->overflow)
		return;

	len = (uint8_t *)m->hdr + m->hdr->nlmsg_len - (uint8_t *)nest;
	if (len > UINT16_MAX) {
		m->overflow = true;
		return;
	}
	nest->nla_len = len;
}

/**
 * nl_error_set() - Record a kernel or system error
 * @e:		Error to fill
 * @errnum:	Positive errno
 */
static void nl_error_set(struct nl_error *e, int errnum)
{
	e->errnum = errnum;
	e->protocol = false;
	e->extack[0] = '\0';
}

/**
 * nl_error_protocol() - Record a malformed reply, and what was wrong
 * @e:		Error to fill; the description goes to @e->extack
 * @fmt:	printf format of the description
 */
__attribute__((format(printf, 2, 3)))
static void nl_error_protocol(struct nl_error *e, const char *fmt, ...)
{
	va_list ap;

	e->errnum = EPROTO;
	e->protocol = true;
	va_start(ap, fmt);
	vsnprintf(e->extack, sizeof(e->extack), fmt, ap);
	va_end(ap);
}

/**
 * nl_drain() - Throw away whatever is left of the kernel's answer
 * @nl:		Socket
 *
 * Each read lets the kernel queue the next part of an unfinished dump
 * before it returns, so reading until the queue is empty also finishes
 * any dump that was abandoned half-way.
 */
static void nl_drain(struct nl_sock *nl)
{
	ssize_t n;

	do {
		n = recv(nl->fd, nl_rx.bytes, sizeof(nl_rx.bytes),
			 MSG_DONTWAIT | MSG_TRUNC);
	} while (n >= 0 || errno == EINTR);
}

/**
 * nl_send() - Send a built message with the next sequence number
 * @nl:		Socket
 * @m:		Message
 * @e:		Filled on failure
 *
 * Return: 0, or -1 with @e filled (EMSGSIZE when the message overflowed)
 */
static int nl_send(struct nl_sock *nl, struct nl_msg *m, struct nl_error *e)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t n;

	if (m->overflow) {
		nl_error_set(e, EMSGSIZE);
		return -1;
	}

	m->hdr->nlmsg_seq = ++nl->seq;
	do {
		n = sendto(nl->fd, m->hdr, m->hdr->nlmsg_len, 0,
			   (struct sockaddr *)&kernel, sizeof(kernel));
	} while (n < 0 && errno == EINTR);

	if (n < 0) {
		nl_error_set(e, errno);
		return -1;
	}
	return 0;
}

/**
 * nl_recv() - Receive one datagram into the receive buffer and vet it
 * @nl:		Socket
 * @e:		Filled on failure
 *
 * Return: the datagram's length, or -1 with @e filled: a system error, a
 * sender other than the kernel, or a datagram larger than the buffer
 */
static int nl_recv(struct nl_sock *nl, struct nl_error *e)
{
	struct sockaddr_nl from;
	struct iovec iov = { nl_rx.bytes, sizeof(nl_rx.bytes) };
	struct msghdr mh = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t n;

	do {
		n = recvmsg(nl->fd, &mh, 0);
	} while (n < 0 && errno == EINTR);

	if (n < 0) {
		nl_error_set(e, errno);
		return -1;
	}

	/* A cut datagram is refused whoever sent it: nothing in it counts. */
	if (mh.msg_flags & MSG_TRUNC) {
		nl_error_protocol(e, "a reply larger than %d bytes",
				  NL_RECV_SIZE);
		return -1;
	}

	if (mh.msg_namelen != sizeof(from) || from.nl_family != AF_NETLINK ||
	    from.nl_pid != 0) {
		nl_error_protocol(e, "a reply from netlink port %u, not the "
				  "kernel", from.nl_pid);
		return -1;
	}
	return (int)n;
}

/**
 * nl_extack_parse() - Copy the extended-ack text that follows an error
 * @h:		NLMSG_ERROR or NLMSG_DONE message
 * @off:	Offset of the TLVs from the start of the payload
 * @e:		Its extack is filled, or left empty
 */
static void nl_extack_parse(const struct nlmsghdr *h, size_t off,
			    struct nl_error *e)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t len = h->nlmsg_len - NLMSG_HDRLEN;
	const char *msg;

	e->extack[0] = '\0';
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || off > len)
		return;

	nl_attr_parse((const uint8_t *)NLMSG_DATA(h) + off, len - off, tb,
		      NLMSGERR_ATTR_MAX);
	msg = nl_attr_str(tb[NLMSGERR_ATTR_MSG]);
	if (msg)
		snprintf(e->extack, sizeof(e->extack), "%s", msg);
}

/**
 * nl_ack_parse() - Read the error code and text of an NLMSG_ERROR message
 * @h:		The message, its sequence number already checked
 * @e:		Filled when the kernel reports an error
 *
 * With NETLINK_CAP_ACK the kernel echoes only the request's header, and
 * says so with NLM_F_CAPPED; otherwise the whole request sits before the
 * extended-ack attributes.
 *
 * Return: 0 for a positive ack, -1 with @e filled otherwise
 */
static int nl_ack_parse(const struct nlmsghdr *h, struct nl_error *e)
{
	const struct nlmsgerr *err = NLMSG_DATA(h);
	size_t off = sizeof(*err);

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*err))) {
		nl_error_protocol(e, "an error message of %u bytes",
				  h->nlmsg_len);
		return -1;
	}

	if (err->error == 0)
		return 0;
	if (err->error > 0 || err->error < -4095) {
		nl_error_protocol(e, "an error code of %d", err->error);
		return -1;
	}

	if (!(h->nlmsg_flags & NLM_F_CAPPED) &&
	    err->msg.nlmsg_len >= NLMSG_HDRLEN)
		off += NLMSG_ALIGN(err->msg.nlmsg_len - NLMSG_HDRLEN);
	nl_error_set(e, -err->error);
	nl_extack_parse(h, off, e);
	return -1;
}

/**
 * nl_done_parse() - Read the status that ends a dump
 * @h:		NLMSG_DONE message
 * @e:		Filled when the dump failed part-way
 *
 * Return: 0 for a complete dump, -1 with @e filled otherwise
 */
static int nl_done_parse(const struct nlmsghdr *h, struct nl_error *e)
{
	int status;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(status)))
		return 0;

	memcpy(&status, NLMSG_DATA(h), sizeof(status));
	if (status == 0)
		return 0;
	if (status > 0 || status < -4095) {
		nl_error_protocol(e, "a dump status of %d", status);
		return -1;
	}

	nl_error_set(e, -status);
	nl_extack_parse(h, sizeof(status), e);
	return -1;
}

/**
 * nl_check_seq() - Check that a message answers the request in flight
 * @nl:		Socket, its seq being the request's
 * @h:		Message
 * @e:		Filled on a mismatch
 *
 * Return: 0, or -1 with @e filled
 */
static int nl_check_seq(const struct nl_sock *nl, const struct nlmsghdr *h,
			struct nl_error *e)
{
	if (h->nlmsg_seq == nl->seq)
		return 0;

	nl_error_protocol(e, "a reply with sequence number %u, expected %u",
			  h->nlmsg_seq, nl->seq);
	return -1;
}

/* What the callbacks of a query or a dump work with. */
struct nl_reply {
	nl_msg_fn fn;
	void *arg;
	bool intr;		/* a message carried NLM_F_DUMP_INTR */
	int ret;		/* what fn returned last */
};

/* Handles one message of a reply; see nl_receive(). */
typedef enum nl_step (*nl_step_fn)(struct nl_sock *nl,
				   const struct nlmsghdr *h,
				   struct nl_reply *r, struct nl_error *e);

/**
 * nl_receive_datagram() - Walk the messages of one received datagram
 * @nl:		Socket
 * @len:	Length of the datagram in the receive buffer
 * @step:	Called for every message until it returns something other
 *		than NL_STEP_MORE
 * @r:		Passed to @step
 * @e:		Filled on failure
 *
 * Return: what the last @step returned, or NL_STEP_FAIL with @e filled
 * when a message's length does not fit the datagram
 */
static enum nl_step nl_receive_datagram(struct nl_sock *nl, size_t len,
					nl_step_fn step, struct nl_reply *r,
					struct nl_error *e)
{
	enum nl_step s = NL_STEP_MORE;
	const struct nlmsghdr *h;
	size_t off = 0;

	while (s == NL_STEP_MORE && off < len) {
		h = (const struct nlmsghdr *)(nl_rx.bytes + off);
		if (len - off < NLMSG_HDRLEN || h->nlmsg_len < NLMSG_HDRLEN ||
		    h->nlmsg_len > len - off) {
			nl_error_protocol(e, "a message that overruns its "
					  "datagram (%zu of %zu bytes left)",
					  len - off, len);
			return NL_STEP_FAIL;
		}

		s = step(nl, h, r, e);
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	return s;
}

/**
 * nl_receive() - Read a reply, message by message, until a step ends it
 * @nl:		Socket
 * @step:	Called for every message
 * @r:		Passed to @step
 * @e:		Filled on failure
 *
 * Return: NL_STEP_DONE, or NL_STEP_FAIL (@e filled, unless @step failed
 * for a reason of its own); the socket is drained after a malformed reply
 */
static enum nl_step nl_receive(struct nl_sock *nl, nl_step_fn step,
			       struct nl_reply *r, struct nl_error *e)
{
	enum nl_step s = NL_STEP_MORE;
	int n;

	e->protocol = false;
	while (s == NL_STEP_MORE) {
		n = nl_recv(nl, e);
		if (n < 0)
			break;

		s = nl_receive_datagram(nl, (size_t)n, step, r, e);
	}

	if (s == NL_STEP_DONE)
		return s;
	if (e->protocol)
		nl_drain(nl);
	return NL_STEP_FAIL;
}

/**
 * nl_ack_step() - Handle one message while waiting for an ack
 * @nl:		Socket
 * @h:		Message
 * @r:		Unused
 * @e:		Filled on failure
 *
 * Return: NL_STEP_DONE on the ack, NL_STEP_MORE to keep waiting,
 * NL_STEP_FAIL with @e filled
 */
static enum nl_step nl_ack_step(struct nl_sock *nl, const struct nlmsghdr *h,
				struct nl_reply *r, struct nl_error *e)
{
	(void)r;
	if (nl_check_seq(nl, h, e))
		return NL_STEP_FAIL;

	if (h->nlmsg_type == NLMSG_NOOP)
		return NL_STEP_MORE;

	if (h->nlmsg_type != NLMSG_ERROR) {
		nl_error_protocol(e, "a message of type %u instead of an ack",
				  h->nlmsg_type);
		return NL_STEP_FAIL;
	}

	return nl_ack_parse(h, e) ? NL_STEP_FAIL : NL_STEP_DONE;
}

/**
 * nl_request() - Send a change and wait for the kernel's ack
 * @nl:		Socket
 * @m:		Message; NLM_F_ACK is added
 * @e:		Filled on failure
 *
 * Return: 0 when the kernel acknowledged, -1 with @e filled otherwise
 */
int nl_request(struct nl_sock *nl, struct nl_msg *m, struct nl_error *e)
{
	if (!m->overflow)
		m->hdr->nlmsg_flags |= NLM_F_ACK;
	if (nl_send(nl, m, e))
		return -1;

	return nl_receive(nl, nl_ack_step, NULL, e) == NL_STEP_DONE ? 0 : -1;
}

/**
 * nl_get_step() - Handle one message of a query's answer
 * @nl:		Socket
 * @h:		Message
 * @r:		The callback, which sees the answer; its return in @r->ret
 * @e:		Filled on failure
 *
 * Return: NL_STEP_DONE once the callback saw the answer, NL_STEP_MORE to
 * keep waiting, NL_STEP_FAIL with @e filled
 */
static enum nl_step nl_get_step(struct nl_sock *nl, const struct nlmsghdr *h,
				struct nl_reply *r, struct nl_error *e)
{
	if (nl_check_seq(nl, h, e))
		return NL_STEP_FAIL;

	switch (h->nlmsg_type) {
	case NLMSG_NOOP:
		return NL_STEP_MORE;
	case NLMSG_ERROR:
		if (nl_ack_parse(h, e))
			return NL_STEP_FAIL;
		nl_error_protocol(e, "an ack without an answer");
		return NL_STEP_FAIL;
	case NLMSG_DONE:
	case NLMSG_OVERRUN:
		nl_error_protocol(e, "a message of type %u instead of an "
				  "answer", h->nlmsg_type);
		return NL_STEP_FAIL;
	}

	r->ret = r->fn(h, r->arg);
	return NL_STEP_DONE;
}

/**
 * nl_get() - Send a query that the kernel answers with one message
 * @nl:		Socket
 * @m:		Message, without NLM_F_ACK: the answer is the ack
 * @fn:		Called once, with the answer
 * @arg:	Passed to @fn
 * @e:		Filled on failure
 *
 * Return: what @fn returned, or -1 with @e filled when the kernel refused
 * the query or its answer was malformed
 */
int nl_get(struct nl_sock *nl, struct nl_msg *m, nl_msg_fn fn, void *arg,
	   struct nl_error *e)
{
	struct nl_reply r = { .fn = fn, .arg = arg };

	if (nl_send(nl, m, e))
		return -1;

	if (nl_receive(nl, nl_get_step, &r, e) != NL_STEP_DONE)
		return -1;
	return r.ret;
}

/**
 * nl_dump_step() - Handle one message of a dump
 * @nl:		Socket
 * @h:		Message
 * @r:		The callback; NLM_F_DUMP_INTR is noted in @r->intr
 * @e:		Filled on failure
 *
 * Return: NL_STEP_DONE at NLMSG_DONE, NL_STEP_MORE to go on, NL_STEP_FAIL
 * with @e filled or, when the callback gave up, with @r->ret negative
 */
static enum nl_step nl_dump_step(struct nl_sock *nl,
				 const struct nlmsghdr *h,
				 struct nl_reply *r, struct nl_error *e)
{
	if (nl_check_seq(nl, h, e))
		return NL_STEP_FAIL;

	if (h->nlmsg_flags & NLM_F_DUMP_INTR)
		r->intr = true;

	switch (h->nlmsg_type) {
	case NLMSG_NOOP:
		return NL_STEP_MORE;
	case NLMSG_DONE:
		return nl_done_parse(h, e) ? NL_STEP_FAIL : NL_STEP_DONE;
	case NLMSG_ERROR:
		if (nl_ack_parse(h, e))
			return NL_STEP_FAIL;
		nl_error_protocol(e, "an ack in the middle of a dump");
		return NL_STEP_FAIL;
	case NLMSG_OVERRUN:
		nl_error_protocol(e, "an overrun message in a dump");
		return NL_STEP_FAIL;
	}

	r->ret = r->fn(h, r->arg);
	return r->ret < 0 ? NL_STEP_FAIL : NL_STEP_MORE;
}

/**
 * nl_dump_once() - Run one try of a dump
 * @nl:		Socket
 * @m:		Dump request
 * @r:		Callback; intr and ret are reset here
 * @e:		Filled on failure
 *
 * Return: 0 after NLMSG_DONE, -1 with @e filled, or the callback's
 * negative value when it gave up (the rest of the dump is drained)
 */
static int nl_dump_once(struct nl_sock *nl, struct nl_msg *m,
			struct nl_reply *r, struct nl_error *e)
{
	r->intr = false;
	r->ret = 0;
	if (nl_send(nl, m, e))
		return -1;

	if (nl_receive(nl, nl_dump_step, r, e) == NL_STEP_DONE)
		return 0;

	if (r->ret < 0) {
		nl_drain(nl);
		return r->ret;
	}
	return -1;
}

/**
 * nl_dump() - Dump a table, again when the kernel marks it interrupted
 * @nl:		Socket
 * @m:		Request; NLM_F_DUMP is added
 * @fn:		Called for every message; with NULL before a dump starts
 *		over, to drop what it collected. A negative return stops.
 * @arg:	Passed to @fn
 * @interrupted: Set when the last try was still interrupted, so the data
 *		@fn saw may be inconsistent
 * @e:		Filled on failure
 *
 * Return: 0, -1 with @e filled, or the negative value @fn stopped with
 */
int nl_dump(struct nl_sock *nl, struct nl_msg *m, nl_msg_fn fn, void *arg,
	    bool *interrupted, struct nl_error *e)
{
	struct nl_reply r = { .fn = fn, .arg = arg };
	int tries, ret;

	*interrupted = false;
	if (!m->overflow)
		m->hdr->nlmsg_flags |= NLM_F_DUMP;

	for (tries = 1; ; tries++) {
		ret = nl_dump_once(nl, m, &r, e);
		if (ret)
			return ret;
		if (!r.intr)
			return 0;
		if (tries == NL_DUMP_TRIES)
			break;

		ret = fn(NULL, arg);
		if (ret < 0)
			return ret;
	}

	*interrupted = true;
	return 0;
}

/**
 * nl_attr_parse() - Index a run of attributes by type
 * @start:	First attribute
 * @len:	Bytes of attributes
 * @tb:		Table of @max + 1 entries; absent types are NULL
 * @max:	Highest type of interest; higher types are skipped
 *
 * A malformed tail (a length that overruns @len) ends the run there.
 */
void nl_attr_parse(const void *start, size_t len, const struct nlattr **tb,
		   int max)
{
	const uint8_t *p = start;
	const struct nlattr *a;
	size_t step;
	int type;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (len >= NLA_HDRLEN) {
		a = (const struct nlattr *)p;
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return;

		type = a->nla_type & NLA_TYPE_MASK;
		if (type <= max)
			tb[type] = a;

		step = NLA_ALIGN(a->nla_len);
		if (step >= len)
			return;
		p += step;
		len -= step;
	}
}

/**
 * nl_msg_parse() - Index the attributes that follow a message's family
 * header (struct ifinfomsg, ifaddrmsg, rtmsg ...)
 * @h:		Message
 * @hdrlen:	Size of the family header
 * @tb:		Table of @max + 1 entries
 * @max:	Highest type of interest
 *
 * Return: 0, or -1 when the message is too short for its header
 */
int nl_msg_parse(const struct nlmsghdr *h, size_t hdrlen,
		 const struct nlattr **tb, int max)
{
	size_t off = NLMSG_ALIGN(hdrlen);

	if (h->nlmsg_len < NLMSG_HDRLEN + off)
		return -1;

	nl_attr_parse((const uint8_t *)NLMSG_DATA(h) + off,
		      h->nlmsg_len - NLMSG_HDRLEN - off, tb, max);
	return 0;
}

/**
 * nl_attr_data() - Payload of an attribute
 * @a:		Attribute
 *
 * Return: pointer to the payload, nl_attr_len() bytes long
 */
const void *nl_attr_data(const struct nlattr *a)
{
	return (const uint8_t *)a + NLA_HDRLEN;
}

/**
 * nl_attr_len() - Payload length of an attribute
 * @a:		Attribute
 *
 * Return: length in bytes
 */
size_t nl_attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/**
 * nl_attr_u32() - Value of a 32-bit attribute
 * @a:		Attribute
 *
 * Return: the value, or 0 when the payload is shorter than 4 bytes
 */
uint32_t nl_attr_u32(const struct nlattr *a)
{
	uint32_t v = 0;

	if (nl_attr_len(a) >= sizeof(v))
		memcpy(&v, nl_attr_data(a), sizeof(v));
	return v;
}

/**
 * nl_attr_u8() - Value of an 8-bit attribute
 * @a:		Attribute
 *
 * Return: the value, or 0 when the payload is empty
 */
uint8_t nl_attr_u8(const struct nlattr *a)
{
	return nl_attr_len(a) ? *(const uint8_t *)nl_attr_data(a) : 0;
}

/**
 * nl_attr_str() - Payload of a string attribute, if it is one
 * @a:		Attribute, may be NULL
 *
 * Return: the NUL-terminated string, or NULL when @a is NULL or its
 * payload holds no NUL
 */
const char *nl_attr_str(const struct nlattr *a)
{
	if (!a || !memchr(nl_attr_data(a), '\0', nl_attr_len(a)))
		return NULL;
	return nl_attr_data(a);
}

/**
 * nl_ifindex() - Index of an interface, by name, in the socket's namespace
 * @nl:		Socket
 * @name:	Interface name (an alternative name works too)
 *
 * Return: the index, or a negative errno: -ENODEV when there is no such
 * interface or the name cannot be one
 */
int nl_ifindex(struct nl_sock *nl, const char *name)
{
	struct ifreq ifr;
	size_t len = strlen(name);

	if (len == 0 || len >= sizeof(ifr.ifr_name))
		return -ENODEV;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, len);
	if (ioctl(nl->fd, SIOCGIFINDEX, &ifr) < 0)
		return -errno;
	return ifr.ifr_ifindex;
}

/**
 * nl_ifname() - Name of an interface, by index, in the socket's namespace
 * @nl:		Socket
 * @ifindex:	Interface index
 * @name:	Filled with the NUL-terminated name
 *
 * Return: 0, or a negative errno (-ENODEV for no such interface)
 */
int nl_ifname(struct nl_sock *nl, int ifindex, char name[16])
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = ifindex;
	if (ioctl(nl->fd, SIOCGIFNAME, &ifr) < 0)
		return -errno;

	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	return 0;
}

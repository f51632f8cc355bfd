// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: frame I/O
 *
 * Reads and writes loop until the whole count has moved: a pipe gives short
 * reads and takes short writes, and a signal can interrupt either (EINTR).
 * The fds are expected to be blocking; should a driver hand over a
 * non-blocking one, EAGAIN is met by waiting in poll(), never by spinning.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "frame.h"

#define FRAME_DISCARD_CHUNK 4096

/**
 * frame_wait() - Wait until an fd is ready, after EAGAIN
 * @fd:		File descriptor
 * @events:	POLLIN or POLLOUT
 *
 * Return: 0 when ready (or hung up: the next call reports it), -1 on error
 */
static int frame_wait(int fd, short events)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	while (poll(&pfd, 1, -1) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

/**
 * frame_read_full() - Read exactly @len bytes unless input ends first
 * @fd:		File descriptor
 * @buf:	Destination
 * @len:	Bytes wanted
 *
 * Return: bytes read, less than @len only at end of input, or -1 on error
 */
static ssize_t frame_read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (uint8_t *)buf + done, len - done);
		if (n > 0) {
			done += (size_t)n;
		} else if (!n) {
			break;
		} else if (errno == EAGAIN) {
			if (frame_wait(fd, POLLIN))
				return -1;
		} else if (errno != EINTR) {
			return -1;
		}
	}
	return (ssize_t)done;
}

/**
 * frame_reader_init() - Set up a reader on an fd
 * @r:		Reader
 * @fd:		File descriptor to read frames from
 * @max:	Longest payload accepted
 */
void frame_reader_init(struct frame_reader *r, int fd, uint32_t max)
{
	r->fd = fd;
	r->buf = NULL;
	r->cap = 0;
	r->start = 0;
	r->end = 0;
	r->len = 0;
	r->max = max;
}

/**
 * frame_room() - Make the buffer hold @need bytes from r->start on
 * @r:		Reader
 * @need:	Bytes, at most r->max
 *
 * The bytes buffered already move to the front, or to a larger buffer.
 *
 * Return: 0, or -1 if memory ran out (the buffer is unchanged)
 */
static int frame_room(struct frame_reader *r, size_t need)
{
	size_t have = r->end - r->start, cap;
	uint8_t *buf;

	if (r->cap - r->start >= need)
		return 0;

	if (r->cap >= need) {
		memmove(r->buf, r->buf + r->start, have);
	} else {
		/* Up to FRAME_KEEP, grow to the size kept: once is enough. */
		cap = need <= FRAME_READ_SIZE ? FRAME_READ_SIZE :
		      need <= FRAME_KEEP ? FRAME_KEEP : need;
		buf = malloc(cap);
		if (!buf)
			return -1;
		if (have)
			memcpy(buf, r->buf + r->start, have);
		free(r->buf);
		r->buf = buf;
		r->cap = cap;
	}
	r->start = 0;
	r->end = have;
	return 0;
}

/**
 * frame_fill() - Read until @need bytes from r->start on are buffered
 * @r:		Reader; frame_room() made room for them
 * @need:	Bytes wanted
 *
 * Each read() takes whatever the fd has, up to the end of the buffer.
 *
 * Return: 1 when they are, 0 if input ended first, -1 on a read error
 */
static int frame_fill(struct frame_reader *r, size_t need)
{
	ssize_t n;

	while (r->end - r->start < need) {
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n > 0) {
			r->end += (size_t)n;
		} else if (!n) {
			return 0;
		} else if (errno == EAGAIN) {
			if (frame_wait(r->fd, POLLIN))
				return -1;
		} else if (errno != EINTR) {
			return -1;
		}
	}
	return 1;
}

/**
 * frame_discard() - Drop a payload that will not be kept
 * @r:		Reader, just past the payload's length
 * @len:	Payload length
 * @status:	What to report once it is gone
 *
 * What is buffered of it goes first; the rest is read in small pieces of
 * exactly the size still due, so not a byte of the next frame is lost.
 *
 * Return: @status, or FRAME_TRUNCATED or FRAME_ERROR if reading failed
 */
static enum frame_status frame_discard(struct frame_reader *r, uint32_t len,
				       enum frame_status status)
{
	uint8_t chunk[FRAME_DISCARD_CHUNK];
	size_t have = r->end - r->start, want;
	ssize_t n;

	want = have < len ? have : len;
	r->start += want;
	len -= (uint32_t)want;

	while (len) {
		want = len < sizeof(chunk) ? len : sizeof(chunk);
		n = frame_read_full(r->fd, chunk, want);
		if (n < 0)
			return FRAME_ERROR;
		if ((size_t)n < want)
			return FRAME_TRUNCATED;
		len -= (uint32_t)n;
	}
	return status;
}

/**
 * frame_read() - Read the next frame
 * @r:		Reader
 * @payload:	Set to the payload on FRAME_OK; valid until the next call
 * @len:	Set to its length on FRAME_OK
 *
 * Return: FRAME_OK, or the status that says why there is no payload
 * (FRAME_ERROR with errno ENOMEM when not even a small buffer was had)
 */
enum frame_status frame_read(struct frame_reader *r, const uint8_t **payload,
			     size_t *len)
{
	const uint8_t *head;
	int rc;

	if (r->start == r->end)
		r->start = r->end = 0;
	if (frame_room(r, 4))
		return FRAME_ERROR;
	rc = frame_fill(r, 4);
	if (rc <= 0)
		return rc < 0 ? FRAME_ERROR : r->start == r->end ?
		       FRAME_EOF : FRAME_TRUNCATED;

	head = r->buf + r->start;
	r->len = (uint32_t)head[0] << 24 | (uint32_t)head[1] << 16 |
		 (uint32_t)head[2] << 8 | head[3];
	r->start += 4;
	if (!r->len)
		return FRAME_EMPTY;
	if (r->len > r->max)
		return frame_discard(r, r->len, FRAME_TOO_LARGE);
	if (frame_room(r, r->len))
		return frame_discard(r, r->len, FRAME_NO_MEMORY);

	rc = frame_fill(r, r->len);
	if (rc <= 0)
		return rc < 0 ? FRAME_ERROR : FRAME_TRUNCATED;

	*payload = r->buf + r->start;
	*len = r->len;
	r->start += r->len;
	return FRAME_OK;
}

/**
 * frame_reader_buffered() - Whether bytes of a next frame wait in the buffer
 * @r:		Reader
 *
 * Return: true if frame_read() has bytes to start from without reading
 */
bool frame_reader_buffered(const struct frame_reader *r)
{
	return r->end > r->start;
}

/**
 * frame_reader_trim() - Release a read buffer that grew for a large frame
 * @r:		Reader; a buffer that still holds bytes is kept
 */
void frame_reader_trim(struct frame_reader *r)
{
	if (r->cap > FRAME_KEEP && r->start == r->end)
		frame_reader_free(r);
}

/**
 * frame_reader_free() - Release the read buffer
 * @r:		Reader, still usable; bytes it held are lost
 */
void frame_reader_free(struct frame_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
	r->start = 0;
	r->end = 0;
}

/**
 * frame_iov_advance() - Drop @n written bytes from the front of an iovec
 * @iov:	Array of two entries
 * @cnt:	Entries left, updated
 * @n:		Bytes written
 *
 * Return: the first entry still to write
 */
static struct iovec *frame_iov_advance(struct iovec *iov, int *cnt, size_t n)
{
	while (*cnt && n >= iov->iov_len) {
		n -= iov->iov_len;
		iov++;
		(*cnt)--;
	}
	if (*cnt) {
		iov->iov_base = (uint8_t *)iov->iov_base + n;
		iov->iov_len -= n;
	}
	return iov;
}

/**
 * frame_write() - Write one frame: the length, then the payload
 * @fd:		File descriptor
 * @payload:	Payload
 * @len:	Its length: 1 to UINT32_MAX
 *
 * Return: 0, or -1 with errno set (EINVAL for a bad length, EPIPE when the
 * reader has gone)
 */
int frame_write(int fd, const void *payload, size_t len)
{
	uint8_t head[4] = {
		(uint8_t)(len >> 24), (uint8_t)(len >> 16),
		(uint8_t)(len >> 8), (uint8_t)len,
	};
	struct iovec iov[2] = {
		{ .iov_base = head, .iov_len = sizeof(head) },
		{ .iov_base = (void *)payload, .iov_len = len },
	};
	struct iovec *p = iov;
	int cnt = 2;
	ssize_t n;

	if (!len || len > UINT32_MAX) {
		errno = EINVAL;
		return -1;
	}

	while (cnt) {
		n = writev(fd, p, cnt);
		if (n >= 0)
			p = frame_iov_advance(p, &cnt, (size_t)n);
		else if (errno == EAGAIN && frame_wait(fd, POLLOUT))
			return -1;
		else if (errno != EAGAIN && errno != EINTR)
			return -1;
	}
	return 0;
}

// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: unit tests of frame I/O
 *
 * Frames go through real pipes and socketpairs. A forked child plays the
 * other side where the test needs the two ends to run at once: writing in
 * tiny pieces, slowly, or more than a pipe holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "tap.h"

/**
 * write_all() - Write every byte, in pieces of at most @piece bytes
 * @fd:		File descriptor
 * @buf:	Bytes
 * @len:	Their number
 * @piece:	Largest write
 * @pause_us:	Sleep between pieces
 */
static void write_all(int fd, const void *buf, size_t len, size_t piece,
		      long pause_us)
{
	const uint8_t *p = buf;
	struct timespec ts = { 0, pause_us * 1000 };
	ssize_t n;

	while (len) {
		n = write(fd, p, len < piece ? len : piece);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(3);
		p += n;
		len -= (size_t)n;
		if (pause_us)
			nanosleep(&ts, NULL);
	}
}

/**
 * put_head() - Write a frame length prefix
 * @fd:		File descriptor
 * @len:	Length
 */
static void put_head(int fd, uint32_t len)
{
	uint8_t h[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16),
			 (uint8_t)(len >> 8), (uint8_t)len };

	write_all(fd, h, 4, 4, 0);
}

/**
 * reap() - Wait for a child and check it exited 0
 * @pid:	Child
 *
 * Return: 0 if it did
 */
static int reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

static int test_round_trip(void)
{
	struct frame_reader r;
	const uint8_t *p;
	size_t len;
	int fds[2];

	CHECK(!pipe(fds));
	CHECK(!frame_write(fds[1], "hello", 5));
	CHECK(!frame_write(fds[1], "\x90", 1));
	close(fds[1]);

	frame_reader_init(&r, fds[0], FRAME_MAX);
	CHECK(frame_read(&r, &p, &len) == FRAME_OK);
	CHECK(len == 5 && !memcmp(p, "hello", 5));
	CHECK(frame_read(&r, &p, &len) == FRAME_OK);
	CHECK(len == 1 && p[0] == 0x90);
	CHECK(frame_read(&r, &p, &len) == FRAME_EOF);
	frame_reader_free(&r);
	close(fds[0]);
	return 0;
}

static int test_several_per_read(void)
{
	static uint8_t big[20000];
	struct frame_reader r;
	const uint8_t *p;
	size_t len;
	int fds[2];

	/* All in the pipe before the first read: one read() takes them. */
	CHECK(!pipe(fds));
	CHECK(!frame_write(fds[1], "one", 3));
	CHECK(!frame_write(fds[1], "two", 3));
	CHECK(!frame_write(fds[1], big, sizeof(big)));
	CHECK(!frame_write(fds[1], "three", 5));
	close(fds[1]);

	frame_reader_init(&r, fds[0], FRAME_MAX);
	CHECK(!frame_reader_buffered(&r));
	CHECK(frame_read(&r, &p, &len) == FRAME_OK);
	CHECK(len == 3 && !memcmp(p, "one", 3));
	CHECK(frame_reader_buffered(&r));
	CHECK(frame_read(&r, &p, &len) == FRAME_OK);
	CHECK(len == 3 && !memcmp(p, "two", 3));
	/* Larger than the first buffer: it grows, and keeps what came. */
	CHECK(frame_read(&r, &p, &len) == FRAME_OK && len == sizeof(big));
	CHECK(frame_read(&r, &p, &len) == FRAME_OK);
	CHECK(len == 5 && !memcmp(p, "three", 5));
	CHECK(!frame_reader_buffered(&r));
	CHECK(frame_read(&r, &p, &len) == FRAME_EOF);
	frame_reader_free(&r);
	close(fds[0]);
	return 0;
}

static int test_short_reads(void)
{
	static uint8_t payload[3000];
	struct frame_reader r;
	const uint8_t *p;
	size_t len, i;
	int fds[2];
	pid_t pid;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	CHECK(!pipe(fds));
	pid = fork();
	if (!pid) {
		close(fds[0]);
		put_head(fds[1], sizeof(payload));
		write_all(fds[1], payload, sizeof(payload), 7, 50);
		_exit(0);
	}
	close(fds[1]);

	frame_reader_init(&r, fds[0], FRAME_MAX);
	CHECK(frame_read(&r, &p, &len) == FRAME_OK);
	CHECK(len == sizeof(payload) && !memcmp(p, payload, len));
	CHECK(frame_read(&r, &p, &len) == FRAME_EOF);
	frame_reader_free(&r);
	close(fds[0]);
	return reap(pid);
}

static int test_short_writes(void)
{
	size_t big = 3u << 20, i;
	uint8_t *payload = malloc(big);
	struct frame_reader r;
	const uint8_t *p;
	int fds[2], sz = 4096;
	size_t len;
	pid_t pid;
	int ok;

	for (i = 0; i < big; i++)
		payload[i] = (uint8_t)(i >> 3);
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
	setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));

	pid = fork();
	if (!pid) {
		close(fds[1]);
		_exit(frame_write(fds[0], payload, big) ? 1 : 0);
	}
	close(fds[0]);

	frame_reader_init(&r, fds[1], FRAME_MAX);
	ok = frame_read(&r, &p, &len) == FRAME_OK && len == big &&
	     !memcmp(p, payload, big);
	frame_reader_free(&r);
	close(fds[1]);
	free(payload);
	CHECK(ok);
	return reap(pid);
}

static int test_oversized_discarded(void)
{
	static uint8_t junk[10000];
	struct frame_reader r;
	const uint8_t *p;
	size_t len;
	int fds[2];
	pid_t pid;

	CHECK(!pipe(fds));
	pid = fork();
	if (!pid) {
		close(fds[0]);
		put_head(fds[1], sizeof(junk));
		write_all(fds[1], junk, sizeof(junk), 999, 0);
		frame_write(fds[1], "next", 4);
		_exit(0);
	}
	close(fds[1]);

	frame_reader_init(&r, fds[0], 1000);
	CHECK(frame_read(&r, &p, &len) == FRAME_TOO_LARGE);
	CHECK(r.len == sizeof(junk));
	/* Nothing was allocated for the payload. */
	CHECK(r.cap <= FRAME_READ_SIZE);
	CHECK(frame_read(&r, &p, &len) == FRAME_OK);
	CHECK(len == 4 && !memcmp(p, "next", 4));
	CHECK(frame_read(&r, &p, &len) == FRAME_EOF);
	frame_reader_free(&r);
	close(fds[0]);
	return reap(pid);
}

static int test_over_4mib_refused(void)
{
	struct frame_reader r;
	const uint8_t *p;
	size_t len;
	int fds[2];

	/* The announced length alone decides: the payload never comes. */
	CHECK(!pipe(fds));
	put_head(fds[1], FRAME_MAX + 1);
	close(fds[1]);
	frame_reader_init(&r, fds[0], FRAME_MAX);
	CHECK(frame_read(&r, &p, &len) == FRAME_TRUNCATED);
	CHECK(r.cap <= FRAME_READ_SIZE);
	frame_reader_free(&r);
	close(fds[0]);
	return 0;
}

static int test_eof_cases(void)
{
	static const uint8_t cases[][6] = {
		{ 0 }, { 0, 0 }, { 0, 0, 0 },			/* in head */
		{ 0, 0, 0, 5, 'a', 'b' },			/* in body */
	};
	static const size_t lens[] = { 1, 2, 3, 6 };
	struct frame_reader r;
	const uint8_t *p;
	size_t len, i;
	int fds[2];

	for (i = 0; i < 4; i++) {
		CHECK(!pipe(fds));
		write_all(fds[1], cases[i], lens[i], 6, 0);
		close(fds[1]);
		frame_reader_init(&r, fds[0], FRAME_MAX);
		CHECK(frame_read(&r, &p, &len) == FRAME_TRUNCATED);
		frame_reader_free(&r);
		close(fds[0]);
	}

	/* Cut inside a payload that is being discarded. */
	CHECK(!pipe(fds));
	put_head(fds[1], 5000);
	write_all(fds[1], "abc", 3, 3, 0);
	close(fds[1]);
	frame_reader_init(&r, fds[0], 100);
	CHECK(frame_read(&r, &p, &len) == FRAME_TRUNCATED);
	frame_reader_free(&r);
	close(fds[0]);
	return 0;
}

static int test_empty_frame(void)
{
	struct frame_reader r;
	const uint8_t *p;
	size_t len;
	int fds[2];

	CHECK(!pipe(fds));
	put_head(fds[1], 0);
	CHECK(!frame_write(fds[1], "x", 1));
	close(fds[1]);
	frame_reader_init(&r, fds[0], FRAME_MAX);
	CHECK(frame_read(&r, &p, &len) == FRAME_EMPTY);
	CHECK(frame_read(&r, &p, &len) == FRAME_OK && len == 1);
	CHECK(frame_read(&r, &p, &len) == FRAME_EOF);
	frame_reader_free(&r);
	close(fds[0]);

	errno = 0;
	CHECK(frame_write(1, "", 0) == -1 && errno == EINVAL);
	return 0;
}

static int test_trim(void)
{
	static uint8_t payload[200000];
	struct frame_reader r;
	const uint8_t *p;
	size_t len;
	int fds[2];
	pid_t pid;

	CHECK(!pipe(fds));
	pid = fork();
	if (!pid) {
		close(fds[0]);
		frame_write(fds[1], "s", 1);
		frame_write(fds[1], payload, sizeof(payload));
		_exit(0);
	}
	close(fds[1]);

	frame_reader_init(&r, fds[0], FRAME_MAX);
	CHECK(frame_read(&r, &p, &len) == FRAME_OK);
	frame_reader_trim(&r);
	CHECK(r.buf && r.cap <= FRAME_KEEP);	/* a small buffer stays */
	CHECK(frame_read(&r, &p, &len) == FRAME_OK && len == sizeof(payload));
	CHECK(r.cap >= sizeof(payload));
	frame_reader_trim(&r);
	CHECK(!r.buf && !r.cap);
	close(fds[0]);
	return reap(pid);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static int test_eintr_and_nonblocking(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no restart */
	struct itimerval tv = { { 0, 5000 }, { 0, 5000 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	struct frame_reader r;
	const uint8_t *p;
	size_t len;
	int fds[2];
	pid_t pid;
	int st;

	CHECK(!pipe(fds));
	pid = fork();
	if (!pid) {
		close(fds[0]);
		put_head(fds[1], 10);
		write_all(fds[1], "0123456789", 10, 1, 20000);
		_exit(0);
	}
	close(fds[1]);

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &tv, NULL);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	frame_reader_init(&r, fds[0], FRAME_MAX);
	st = frame_read(&r, &p, &len);
	setitimer(ITIMER_REAL, &off, NULL);

	CHECK(st == FRAME_OK && len == 10 && !memcmp(p, "0123456789", 10));
	CHECK(frame_read(&r, &p, &len) == FRAME_EOF);
	frame_reader_free(&r);
	close(fds[0]);
	return reap(pid);
}

static int test_write_to_closed_pipe(void)
{
	int fds[2];

	signal(SIGPIPE, SIG_IGN);
	CHECK(!pipe(fds));
	close(fds[0]);
	errno = 0;
	CHECK(frame_write(fds[1], "x", 1) == -1 && errno == EPIPE);
	close(fds[1]);
	return 0;
}

int main(void)
{
	run("frames round-trip, EOF at a boundary", test_round_trip);
	run("several frames in one read, one larger than the buffer",
	    test_several_per_read);
	run("a payload arriving 7 bytes at a time", test_short_reads);
	run("a 3 MiB frame through a 4 KiB socket buffer", test_short_writes);
	run("oversized payload discarded, the next frame read",
	    test_oversized_discarded);
	run("over 4 MiB refused before allocating", test_over_4mib_refused);
	run("EOF inside the head, the body, a discarded body",
	    test_eof_cases);
	run("length 0 reported, the next frame read", test_empty_frame);
	run("trim frees a buffer grown for a big frame", test_trim);
	run("EINTR and a non-blocking fd", test_eintr_and_nonblocking);
	run("writing to a closed pipe: EPIPE, no signal",
	    test_write_to_closed_pipe);

	return tap_done();
}

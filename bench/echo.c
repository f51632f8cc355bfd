// SPDX-License-Identifier: Apache-2.0
/*
 * The floor of a Node-to-helper round trip: a program that answers every
 * length-prefixed frame on stdin with the same frame on stdout, doing no
 * work at all. bench/echo-floor.mjs times it through Node's child_process
 * pipes, as the nsdo client talks to its helper.
 *
 * It waits for input the way the helper does (helper/main.c): while frames
 * come within ECHO_SPIN_NS of the last answer it polls without sleeping for
 * that long, yielding the CPU between tries, and sleeps in poll() after a
 * longer gap. So the floor is what the helper's I/O costs without its work.
 */
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#define ECHO_MAX	65536
#define ECHO_SPIN_NS	100000

static bool hot;		/* the last frame came soon after an answer */
static uint64_t answered;	/* when the last answer was written, in ns */

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Waits until stdin is readable, as the helper's main_wait() does. */
static void echo_wait(void)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };

	while (hot && now_ns() - answered < ECHO_SPIN_NS) {
		if (poll(&pfd, 1, 0) > 0)
			return;
		sched_yield();
	}
	poll(&pfd, 1, -1);
	hot = now_ns() - answered < ECHO_SPIN_NS;
}

/* Reads exactly @len bytes; returns 0, or -1 at end of input or on error. */
static int echo_read(unsigned char *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(STDIN_FILENO, buf + done, len - done);
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

int main(void)
{
	static unsigned char buf[ECHO_MAX + 4];
	uint32_t len;

	for (;;) {
		echo_wait();
		if (echo_read(buf, 4))
			return 0;
		len = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
		      (uint32_t)buf[2] << 8 | buf[3];
		if (len > ECHO_MAX || echo_read(buf + 4, len))
			return 1;
		if (write(STDOUT_FILENO, buf, len + 4) != (ssize_t)(len + 4))
			return 1;
		answered = now_ns();
	}
}

// SPDX-License-Identifier: Apache-2.0
/*
 * The floor of a Node-to-helper round trip: a program that answers every
 * length-prefixed frame on stdin with the same frame on stdout, doing no
 * work at all. bench/echo-floor.mjs times it through Node's child_process
 * pipes, as the nsdo client talks to its helper.
 */
#include <stdint.h>
#include <unistd.h>

#define ECHO_MAX 65536

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

	while (!echo_read(buf, 4)) {
		len = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
		      (uint32_t)buf[2] << 8 | buf[3];
		if (len > ECHO_MAX || echo_read(buf + 4, len))
			return 1;
		if (write(STDOUT_FILENO, buf, len + 4) != (ssize_t)(len + 4))
			return 1;
	}
	return 0;
}

// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: logging
 *
 * A log line is formatted into a buffer on the stack and written to stderr
 * with a single write(), so that lines from several helpers sharing one
 * stderr never interleave mid-line. Text that came from a request (a path,
 * a link name) may hold any byte: control characters are replaced, so one
 * event is always exactly one line. A line that does not fit is cut.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX 1024

static bool log_debug_on;
static pid_t log_pid;

static const char *const log_level_names[] = {
	[LOG_DEBUG] = "debug",
	[LOG_INFO] = "info",
	[LOG_WARN] = "warn",
	[LOG_ERROR] = "error",
};

/**
 * log_init() - Read the debug switch and remember the pid for the prefix
 */
void log_init(void)
{
	log_debug_on = getenv("NSDO_HELPER_DEBUG") != NULL;
	log_pid = getpid();
}

/**
 * log_clean() - Replace control characters, so the text stays one line
 * @s:		Text
 * @len:	Its length
 */
static void log_clean(char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = '?';
	}
}

/**
 * log_write() - Write a whole buffer to stderr, ignoring failures
 * @buf:	Bytes
 * @len:	Their number
 *
 * A log line that cannot be written is lost: there is nowhere to report it.
 */
static void log_write(const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(STDERR_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/**
 * log_line() - Write one line to stderr
 * @level:	Severity; LOG_DEBUG lines only with NSDO_HELPER_DEBUG set
 * @fmt:	printf() format of the text
 */
void log_line(enum log_level level, const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	int saved = errno;
	va_list ap;
	int head, n;
	size_t len;

	if (level == LOG_DEBUG && !log_debug_on)
		return;
	if ((unsigned int)level > LOG_ERROR)
		level = LOG_ERROR;

	head = snprintf(buf, sizeof(buf), "nsdo-helper[%d] %s: ",
			(int)(log_pid ? log_pid : getpid()),
			log_level_names[level]);
	if (head < 0)
		head = 0;

	va_start(ap, fmt);
	n = vsnprintf(buf + head, sizeof(buf) - (size_t)head - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;

	len = (size_t)head + (size_t)n;
	if (len > sizeof(buf) - 2)
		len = sizeof(buf) - 2;
	log_clean(buf + head, len - (size_t)head);
	buf[len++] = '\n';
	log_write(buf, len);
	errno = saved;
}

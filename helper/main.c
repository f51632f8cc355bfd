// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: the helper's life
 *
 * Start: tie the helper's life to its parent's, close every fd it did not
 * ask for, remember the home namespace, say hello. Then serve: one frame
 * in, one frame out, in order, until stdin ends. The helper stays single-
 * threaded for its whole life: setns() moves only the calling thread, and
 * with one thread "the thread" and "the process" are the same.
 *
 * While idle the helper waits in poll(), no longer than until the next
 * cached namespace is due to expire (ns.c): a cached entry keeps its
 * namespace alive, and one that nsdo did not delete itself (`ip netns del`,
 * a temporary one that a process held) must be let go even when no further
 * request comes.
 *
 * A driver that sends its next request as soon as it has read a reply (one
 * call at a time) would otherwise wake the helper from sleep every time,
 * and on a virtual machine a sleeping CPU takes tens of microseconds to
 * wake: more than the helper's own work on a request. So while requests
 * keep coming within MAIN_SPIN_NS of the last reply, the helper looks for
 * the next one for up to that long before it sleeps, yielding the CPU to
 * anything else that wants it. A gap longer than that stops the looking
 * until requests come close together again: an idle helper spends at most
 * one such spell before it sleeps.
 *
 * Before it reads anything the helper gives up the privilege it does not
 * need (privilege.c): every capability but the three its ops use. It also
 * stops being dumpable when its parent holds CAP_SYS_PTRACE, which keeps
 * /proc/HELPER/fd/N, the path of every temporary namespace, open to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "log.h"
#include "mp.h"
#include "ns.h"
#include "privilege.h"
#include "request.h"

#ifndef NSDO_VERSION
#define NSDO_VERSION "0.0.0"
#endif
#ifndef NSDO_BUILD
#define NSDO_BUILD "unknown"
#endif

#define PROTOCOL_VERSION 1
#define MAIN_SPIN_NS	100000	/* how long to look for a next request */

/* main_answer()'s reply to an oversized frame names the cap as text. */
_Static_assert(FRAME_MAX == 4194304, "the frame-too-large message names the cap");

/* Whether the last request came within MAIN_SPIN_NS of the reply before. */
static bool main_hot;
/* When the last reply was written, in ns of CLOCK_MONOTONIC. */
static uint64_t main_replied;

/**
 * main_parent_watch() - Die with the parent, and at once if it is gone
 *
 * Return: 0, or -1 if the parent died before the watch was in place
 */
static int main_parent_watch(void)
{
	pid_t parent = getppid();

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		return 0;	/* not fatal: stdin's EOF still ends us */

	/* The parent may have died just before the prctl(). */
	return getppid() == parent ? 0 : -1;
}

/**
 * main_std_fds() - Make sure fds 0, 1 and 2 are open
 *
 * A closed stderr would let the next open() take fd 2, and log lines would
 * then land in whatever file that was; /dev/null takes its place instead.
 *
 * Return: 0, or -1 if stdin or stdout is closed (no one to talk to)
 */
static int main_std_fds(void)
{
	int fd;

	if (fcntl(STDIN_FILENO, F_GETFD) < 0 ||
	    fcntl(STDOUT_FILENO, F_GETFD) < 0)
		return -1;
	if (fcntl(STDERR_FILENO, F_GETFD) >= 0)
		return 0;

	fd = open("/dev/null", O_WRONLY);
	if (fd >= 0 && fd != STDERR_FILENO)
		close(fd);
	return 0;
}

/**
 * main_close_fds() - Close every inherited fd above 2
 *
 * close_range() where the kernel has it (5.9), else each fd up to the
 * limit on open files, which bounds every fd the helper can have inherited.
 */
static void main_close_fds(void)
{
	struct rlimit lim;
	unsigned int fd, max = 65536;

	if (!syscall(SYS_close_range, 3U, ~0U, 0U))
		return;

	if (!getrlimit(RLIMIT_NOFILE, &lim) && lim.rlim_cur < max)
		max = (unsigned int)lim.rlim_cur;
	for (fd = 3; fd < max; fd++)
		close((int)fd);
}

/**
 * main_hello() - Write the hello frame
 * @w:		Writer
 *
 * Return: 0, or -1 if it could not be written
 */
static int main_hello(struct mp_writer *w)
{
	char ns[NS_ID_LEN];

	ns_id_format(ns_home_id(), ns, sizeof(ns));
	mp_writer_reset(w);
	mp_put_map(w, 7);
	mp_kv_str(w, "hello", "nsdo");
	mp_kv_uint(w, "protocol", PROTOCOL_VERSION);
	mp_kv_str(w, "version", NSDO_VERSION);
	mp_kv_str(w, "build", NSDO_BUILD);
	mp_kv_uint(w, "pid", (uint64_t)getpid());
	mp_kv_uint(w, "maxFrame", FRAME_MAX);
	mp_kv_str(w, "namespace", ns);
	if (w->err)
		return -1;
	return frame_write(STDOUT_FILENO, w->buf, w->len);
}

/* A monotonic clock in nanoseconds. */
static uint64_t main_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/**
 * main_spin() - Look for input for a while without sleeping
 * @pfd:	stdin's pollfd
 *
 * Return: true when input came (or stdin hung up) within MAIN_SPIN_NS of
 * the last reply
 */
static bool main_spin(struct pollfd *pfd)
{
	while (main_now_ns() - main_replied < MAIN_SPIN_NS) {
		if (poll(pfd, 1, 0) > 0)
			return true;
		sched_yield();
	}
	return false;
}

/**
 * main_wait() - Wait for the next frame, letting cached namespaces expire
 * @r:		Reader; a frame it holds already is not waited for
 *
 * Return: 0 when a frame can be read (or stdin is at its end), -1 on a
 * poll() error
 */
static int main_wait(const struct frame_reader *r)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	int rc;

	if (frame_reader_buffered(r))
		return 0;
	if (main_hot && main_spin(&pfd))
		return 0;
	for (;;) {
		rc = poll(&pfd, 1, ns_cache_timeout());
		if (rc > 0) {
			main_hot = main_now_ns() - main_replied < MAIN_SPIN_NS;
			return 0;
		}
		if (!rc)
			ns_cache_expire();
		else if (errno != EINTR)
			return -1;
	}
}

/**
 * main_answer() - Build the reply to what frame_read() gave
 * @status:	What frame_read() returned
 * @r:		Reader, for the frame's length
 * @payload:	The payload, on FRAME_OK
 * @len:	Its length
 * @w:		Writer for the reply
 *
 * Return: 0 with a reply in @w, or -1 if none could be written (memory)
 */
static int main_answer(enum frame_status status, const struct frame_reader *r,
		       const uint8_t *payload, size_t len, struct mp_writer *w)
{
	switch (status) {
	case FRAME_OK:
		return request_handle(payload, len, w);
	case FRAME_EMPTY:
		warn("refused a frame of length 0");
		return request_reply_error(w, "ERR_NSDO_BAD_FRAME", 0,
					   "frame: a length of 0 is invalid");
	case FRAME_TOO_LARGE:
		warn("discarded a frame of %u bytes", r->len);
		return request_reply_error(w, "ERR_NSDO_FRAME_TOO_LARGE", 0,
					   "frame: longer than 4194304 bytes; "
					   "its payload was discarded");
	default:
		warn("no memory for a frame of %u bytes", r->len);
		return request_reply_error(w, "ENOMEM", ENOMEM, "frame: no "
					   "memory to read it; its payload was "
					   "discarded");
	}
}

/**
 * main_serve() - Answer frames until stdin ends
 *
 * Return: the exit status: 0 at a clean end of input, 1 otherwise
 */
static int main_serve(void)
{
	struct frame_reader r;
	struct mp_writer w;
	enum frame_status status;
	const uint8_t *payload = NULL;
	size_t len = 0;
	int rc = 1;

	frame_reader_init(&r, STDIN_FILENO, FRAME_MAX);
	mp_writer_init(&w, FRAME_MAX);
	if (main_hello(&w)) {
		err("cannot write the hello: %s", strerror(errno));
		return 1;
	}

	while (!main_wait(&r)) {
		status = frame_read(&r, &payload, &len);
		if (status == FRAME_EOF) {
			rc = 0;
			break;
		}
		if (status == FRAME_TRUNCATED || status == FRAME_ERROR) {
			err("stdin: %s", status == FRAME_TRUNCATED ?
			    "ended inside a frame" : strerror(errno));
			break;
		}

		if (main_answer(status, &r, payload, len, &w) < 0) {
			err("out of memory writing a reply");
			break;
		}
		if (frame_write(STDOUT_FILENO, w.buf, w.len)) {
			err("stdout: %s", strerror(errno));
			break;
		}
		main_replied = main_now_ns();
		frame_reader_trim(&r);
		mp_writer_reset(&w);
	}

	frame_reader_free(&r);
	mp_writer_free(&w);
	return rc;
}

/**
 * main() - Start the helper and serve until stdin ends
 *
 * Return: 0 at a clean end of input, 1 on any failure
 */
int main(void)
{
	if (main_parent_watch() || main_std_fds())
		return 1;
	signal(SIGPIPE, SIG_IGN);
	main_close_fds();

	log_init();
	if (privilege_drop() || ns_init())
		return 1;
	debug("started in namespace %llu:%llu",
	      (unsigned long long)ns_home_id()->dev,
	      (unsigned long long)ns_home_id()->ino);

	return main_serve();
}

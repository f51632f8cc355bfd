// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: fuzz target: requests, end to end
 *
 * Each input is one frame payload, handed to request_handle() as main.c
 * hands it: checked, decoded, validated, and its ops run for real against
 * the kernel. Whatever the input, the reply must be one well-formed
 * MessagePack map with an "id", and nothing may crash.
 *
 * Running the ops for real is the point: most argument checks live inside
 * the op handlers, next to the netlink calls they guard, and a target that
 * stopped at validation would miss them and the result encoders. It is only
 * safe in a sandbox the kernel enforces, so scripts/fuzz.mjs starts this
 * target as an unprivileged user inside a user namespace of its own, with
 * new network and mount namespaces and private tmpfs mounts on every
 * directory that user could write to. There the target is root over the
 * sandbox and nothing else: namespaces outside it, other processes' /proc
 * files and other users' files are refused by the kernel. The target
 * checks at start that it is not in the initial user namespace, and stops
 * if it is.
 *
 * After an input that could have made them, the target removes what would
 * otherwise pile up over millions of runs, through the helper's own ops:
 * temporary namespaces (namespace.release), namespace files
 * (namespace.delete) and links in the home namespace (link.del).
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "log.h"
#include "mp.h"
#include "ns.h"
#include "request.h"

#define FUZZ_FDS_MAX	2048
#define FUZZ_DIR_DEPTH	3

/* Where an unprivileged user can write, each a private tmpfs here. */
static const char *const fuzz_writable[] = {
	"/run", "/tmp", "/var/tmp", "/dev/shm",
};

static struct mp_writer fuzz_reply, fuzz_req;

/**
 * fuzz_fail() - Stop at a broken property, so libFuzzer keeps the input
 * @what:	What went wrong
 */
static void fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz_request: %s\n", what);
	abort();
}

/**
 * fuzz_sandbox_check() - Refuse to run in the initial user namespace
 *
 * Its uid_map is the identity over all ids, "0 0 4294967295". Anywhere
 * else the ops cannot reach beyond the namespaces the sandbox made.
 */
static void fuzz_sandbox_check(void)
{
	unsigned long inner, outer, count;
	FILE *f = fopen("/proc/self/uid_map", "re");
	int n;

	if (!f)
		fuzz_fail("cannot read /proc/self/uid_map");
	n = fscanf(f, "%lu %lu %lu", &inner, &outer, &count);
	fclose(f);
	if (n == 3 && !inner && !outer && count == 4294967295UL)
		fuzz_fail("refusing to run real ops outside a sandbox: start "
			  "this target through scripts/fuzz.mjs");
}

/**
 * fuzz_run() - Answer the request built in fuzz_req
 */
static void fuzz_run(void)
{
	if (fuzz_req.err || request_handle(fuzz_req.buf, fuzz_req.len,
					   &fuzz_reply))
		fuzz_fail("a clean-up request could not be answered");
}

/**
 * fuzz_req_begin() - Start a request of @n ops in fuzz_req
 * @n:		Number of ops
 */
static void fuzz_req_begin(uint32_t n)
{
	mp_writer_reset(&fuzz_req);
	mp_put_map(&fuzz_req, 3);
	mp_kv_uint(&fuzz_req, "id", 1);
	mp_kv_bool(&fuzz_req, "continue", true);
	mp_put_str(&fuzz_req, "ops");
	mp_put_array(&fuzz_req, n);
}

/**
 * fuzz_path_op() - Run one op that takes a "path"
 * @op:		"namespace.release" or "namespace.delete"
 * @path:	The path
 */
static void fuzz_path_op(const char *op, const char *path)
{
	fuzz_req_begin(1);
	mp_put_map(&fuzz_req, 2);
	mp_kv_str(&fuzz_req, "op", op);
	mp_kv_str(&fuzz_req, "path", path);
	fuzz_run();
}

/**
 * fuzz_release_temporaries() - Release every namespace fd but home's
 */
static void fuzz_release_temporaries(void)
{
	int fds[FUZZ_FDS_MAX], n = 0, i;
	char link[PATH_MAX], path[64];
	struct dirent *e;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (!d)
		fuzz_fail("cannot list /proc/self/fd");
	while ((e = readdir(d)) && n < FUZZ_FDS_MAX) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		i = atoi(e->d_name);
		if (i == ns_home_fd() || i == dirfd(d) ||
		    readlink(path, link, sizeof(link)) < 5 ||
		    strncmp(link, "net:[", 5))
			continue;
		fds[n++] = i;
	}
	closedir(d);

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)getpid(),
			 fds[i]);
		fuzz_path_op("namespace.release", path);
	}
}

/**
 * fuzz_delete_files() - Delete the namespace files below a directory
 * @dir:	Directory
 * @depth:	How many levels further down to look
 */
static void fuzz_delete_files(const char *dir, int depth)
{
	char path[PATH_MAX];
	struct statfs sfs;
	struct dirent *e;
	struct stat st;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st))
			continue;

		if (S_ISDIR(st.st_mode) && depth > 0)
			fuzz_delete_files(path, depth - 1);
		else if (!statfs(path, &sfs) && sfs.f_type == NSFS_MAGIC)
			fuzz_path_op("namespace.delete", path);
	}
	if (d)
		closedir(d);
}

/**
 * fuzz_link_indexes() - The indexes of every link in home but loopback
 * @idx:	Indexes found
 * @max:	Room in @idx
 *
 * Return: how many were found
 */
static uint32_t fuzz_link_indexes(uint64_t *idx, uint32_t max)
{
	struct mp_obj top, results, list, items, link, v;
	struct mp_iter it;
	uint32_t n = 0;

	fuzz_req_begin(1);
	mp_put_map(&fuzz_req, 1);
	mp_kv_str(&fuzz_req, "op", "link.list");
	fuzz_run();

	if (mp_decode(fuzz_reply.buf, fuzz_reply.buf + fuzz_reply.len, &top,
		      NULL) || mp_map_get(&top, "results", &results) != 1)
		return 0;
	mp_iter_init(&it, &results);
	if (mp_iter_next(&it, &list) != 1 ||
	    mp_map_get(&list, "items", &items) != 1)
		return 0;

	mp_iter_init(&it, &items);
	while (n < max && mp_iter_next(&it, &link) > 0) {
		if (mp_map_get(&link, "name", &v) == 1 && mp_str_eq(&v, "lo"))
			continue;
		if (mp_map_get(&link, "index", &v) == 1 && v.type == MP_UINT)
			idx[n++] = v.v.u;
	}
	return n;
}

/**
 * fuzz_delete_links() - Delete every link in home but loopback
 */
static void fuzz_delete_links(void)
{
	uint64_t idx[256];
	uint32_t n = fuzz_link_indexes(idx, 256), i;

	if (!n)
		return;
	fuzz_req_begin(n);
	for (i = 0; i < n; i++) {
		mp_put_map(&fuzz_req, 2);
		mp_kv_str(&fuzz_req, "op", "link.del");
		mp_kv_uint(&fuzz_req, "link", idx[i]);
	}
	fuzz_run();
}

/**
 * fuzz_reply_check() - The reply must be a map with an integer "id"
 */
static void fuzz_reply_check(void)
{
	struct mp_obj top, id;

	if (mp_check(fuzz_reply.buf, fuzz_reply.len) != MP_OK)
		fuzz_fail("the reply is not one well-formed value");
	if (mp_decode(fuzz_reply.buf, fuzz_reply.buf + fuzz_reply.len, &top,
		      NULL) || mp_map_get(&top, "id", &id) != 1 ||
	    id.type != MP_UINT)
		fuzz_fail("the reply is not a map with an id");
}

/**
 * fuzz_has() - Whether an input holds some bytes, an op's name say
 * @data:	Input
 * @size:	Its length
 * @s:		The bytes, as a C string
 *
 * Return: true if @s occurs in @data
 */
static bool fuzz_has(const uint8_t *data, size_t size, const char *s)
{
	return memmem(data, size, s, strlen(s)) != NULL;
}

/**
 * LLVMFuzzerInitialize() - Check the sandbox, find home, set up writers
 * @argc:	Unused
 * @argv:	Unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_sandbox_check();
	log_init();
	if (ns_init())
		fuzz_fail("cannot open the home namespace");
	mp_writer_init(&fuzz_reply, REQUEST_REPLY_MAX);
	mp_writer_init(&fuzz_req, REQUEST_REPLY_MAX);
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Answer one request, check it, clean up
 * @data:	The frame payload
 * @size:	Its length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i;

	if (request_handle(data, size, &fuzz_reply))
		fuzz_fail("request_handle() gave no reply");
	fuzz_reply_check();

	if (fuzz_has(data, size, "namespace.temporary"))
		fuzz_release_temporaries();
	if (fuzz_has(data, size, "namespace.create")) {
		for (i = 0; i < sizeof(fuzz_writable) / sizeof(*fuzz_writable);
		     i++)
			fuzz_delete_files(fuzz_writable[i], FUZZ_DIR_DEPTH);
	}
	if (fuzz_has(data, size, "link.add"))
		fuzz_delete_links();
	return 0;
}

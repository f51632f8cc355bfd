// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: namespace.* ops: create, delete, identify, temporary, release
 *
 * A named namespace is what `ip netns add` makes, so the two tools mix: an
 * empty file in the run directory with the namespace bind-mounted on it.
 * The run directory is made a shared mount point first, so that the bind
 * mount propagates to mount namespaces created later (a container started
 * after the namespace still sees it), and so that deleting it here also
 * removes it there. `ip netns add` marks the directory shared, recursively,
 * on every call, and that call takes longer the more namespaces are
 * mounted there already (a walk over all of them, under the kernel's mount
 * lock); the helper does it once, and again only when the directory is no
 * longer the mount it shared.
 *
 * Creators are serialised by an flock() on the run directory itself. A lock
 * file would show up in `ip netns list`, which lists every entry.
 *
 * A temporary namespace has no file: the helper holds an fd to it, and its
 * path is that fd seen through /proc. It lives until namespace.release, or
 * until the helper exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "mount_id.h"
#include "ns.h"

#define NS_RUN_DIR	"/run/netns"
#define NS_SELF		"/proc/thread-self/ns/net"
#define NS_TEMP_MAX	1024
#define NS_UNMOUNT_MAX	16	/* mounts stacked on one file */
#define BAD_ARGUMENT	"ERR_NSDO_BAD_ARGUMENT"

static int ns_temp_fds[NS_TEMP_MAX];
static uint64_t ns_shared_mount;	/* the run directory mount we shared */
static unsigned int ns_temp_count;

/**
 * ns_put_result() - Write the { path, id } result of an op
 * @ctx:	Op context
 * @path:	Namespace path
 * @id:		Namespace id
 */
static void ns_put_result(struct op_ctx *ctx, const char *path,
			  const struct ns_id *id)
{
	char text[NS_ID_LEN];

	ns_id_format(id, text, sizeof(text));
	mp_put_map(ctx->out, 2);
	mp_kv_str(ctx->out, "path", path);
	mp_kv_str(ctx->out, "id", text);
}

/**
 * ns_name_arg() - Read and check the name of a namespace to create
 * @ctx:	Op context
 * @args:	The op's map
 * @name:	The name, NUL-terminated, NAME_MAX + 1 bytes
 *
 * Return: 0, or -1 after op_fail() (ERR_NSDO_INVALID_NAME for a name that
 * is not a single path component)
 */
static int ns_name_arg(struct op_ctx *ctx, const struct mp_obj *args,
		       char *name)
{
	struct mp_obj o;
	char desc[64];
	uint32_t len;

	if (arg_obj(ctx, args, "name", true, &o) < 0)
		return -1;
	arg_describe(&o, desc, sizeof(desc));
	if (o.type != MP_STR)
		return op_fail(ctx, BAD_ARGUMENT, "\"name\": expected a "
			       "string, got %s", desc);

	len = o.v.str.len;
	if (!len || len > NAME_MAX || memchr(o.v.str.ptr, '/', len) ||
	    memchr(o.v.str.ptr, '\0', len) ||
	    (len == 1 && o.v.str.ptr[0] == '.') ||
	    (len == 2 && !memcmp(o.v.str.ptr, "..", 2)))
		return op_fail(ctx, "ERR_NSDO_INVALID_NAME", "\"name\": "
			       "expected 1 to %d bytes without '/' or NUL, "
			       "not \".\" or \"..\", got %s", NAME_MAX, desc);

	memcpy(name, o.v.str.ptr, len);
	name[len] = '\0';
	return 0;
}

/**
 * ns_dir_arg() - Read the run directory, an absolute path
 * @ctx:	Op context
 * @args:	The op's map
 * @dir:	The directory, without trailing slashes, PATH_MAX bytes
 *
 * Return: 0, or -1 after op_fail()
 */
static int ns_dir_arg(struct op_ctx *ctx, const struct mp_obj *args,
		      char *dir)
{
	size_t len;
	int rc;

	rc = arg_str(ctx, args, "dir", false, dir, PATH_MAX);
	if (rc < 0)
		return -1;
	if (!rc)
		snprintf(dir, PATH_MAX, "%s", NS_RUN_DIR);
	if (dir[0] != '/')
		return op_fail(ctx, BAD_ARGUMENT, "\"dir\": expected an "
			       "absolute path, got \"%s\"", dir);

	len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = '\0';
	return 0;
}

/**
 * ns_dir_lock() - Create the run directory if needed, and lock it
 * @ctx:	Op context
 * @dir:	Run directory
 *
 * Return: the locked directory fd (closing it unlocks), or -1 after
 * op_fail()
 */
static int ns_dir_lock(struct op_ctx *ctx, const char *dir)
{
	int fd;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return op_fail_errno(ctx, errno, "creating %s", dir);

	fd = ns_file_open(dir, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return op_fail_errno(ctx, errno, "%s", dir);

	while (flock(fd, LOCK_EX)) {
		if (errno != EINTR) {
			op_fail_errno(ctx, errno, "locking %s", dir);
			close(fd);
			return -1;
		}
	}
	return fd;
}

/**
 * ns_dir_share() - Make the run directory a shared mount point
 * @ctx:	Op context
 * @dir:	Run directory
 *
 * If it is not a mount point yet (EINVAL), it is bind-mounted onto itself
 * first. The bind mount is made private before shared so that it starts a
 * peer group of its own: shared straight away, it would join the group of
 * the mount it came from, and every namespace mount would show up twice.
 *
 * Nothing is done when @dir is the mount this helper last made shared:
 * it still is, unless someone made it private by hand since. Where the
 * kernel cannot tell mounts apart (before Linux 5.8) it is done every time.
 *
 * Return: 0, or -1 after op_fail()
 */
static int ns_dir_share(struct op_ctx *ctx, const char *dir)
{
	uint64_t id = mount_id(dir);

	if (id && id == ns_shared_mount)
		return 0;
	if (!mount("", dir, "none", MS_SHARED | MS_REC, NULL)) {
		ns_shared_mount = id;
		return 0;
	}
	if (errno != EINVAL)
		return op_fail_errno(ctx, errno, "making %s a shared mount",
				     dir);

	if (mount(dir, dir, "none", MS_BIND | MS_REC, NULL))
		return op_fail_errno(ctx, errno, "bind-mounting %s onto "
				     "itself", dir);
	if (mount("", dir, "none", MS_PRIVATE, NULL) ||
	    mount("", dir, "none", MS_SHARED | MS_REC, NULL))
		return op_fail_errno(ctx, errno, "making %s a shared mount",
				     dir);
	ns_shared_mount = mount_id(dir);
	return 0;
}

/**
 * ns_exists_fail() - Explain why a namespace file cannot be created
 * @ctx:	Op context
 * @path:	The file, which exists
 *
 * An empty file that is no mount is what a create killed half-way, or a
 * mount that vanished, leaves behind; the name is taken until the file is
 * removed, and the message says how.
 *
 * Return: -1 after op_fail_errno() with EEXIST
 */
static int ns_exists_fail(struct op_ctx *ctx, const char *path)
{
	struct statfs sfs;
	struct stat st;

	if (!lstat(path, &st) && S_ISREG(st.st_mode) && !st.st_size &&
	    !statfs(path, &sfs) && sfs.f_type != NSFS_MAGIC)
		return op_fail_errno(ctx, EEXIST, "%s (an empty file, no "
				     "namespace: left by a create that did not "
				     "finish, or made by one still running; `ip "
				     "netns del` removes a leftover)", path);
	return op_fail_errno(ctx, EEXIST, "%s", path);
}

/**
 * ns_bind_new() - Create a namespace and bind-mount it on a new file
 * @ctx:	Op context
 * @path:	The file, which must not exist
 * @id:		The new namespace's id
 *
 * On failure everything is undone: the mount, the file, and the helper is
 * back home.
 *
 * Return: 0, or -1 after op_fail()
 */
static int ns_bind_new(struct op_ctx *ctx, const char *path,
		       struct ns_id *id)
{
	struct nl_sock nl;
	struct stat st;
	int fd, errnum;

	fd = ns_file_open(path, O_RDONLY | O_CREAT | O_EXCL, 0);
	if (fd < 0 && errno == EEXIST)
		return ns_exists_fail(ctx, path);
	if (fd < 0)
		return op_fail_errno(ctx, errno, "%s", path);
	close(fd);

	if (ns_unshare(ctx) < 0)
		goto unlink;
	if (mount(NS_SELF, path, "none", MS_BIND, NULL)) {
		errnum = errno;
		ns_return_home();
		op_fail_errno(ctx, errnum, "bind-mounting the namespace on %s",
			      path);
		goto unlink;
	}
	nl_open(&nl);	/* for the cache; without it, made on first use */
	ns_return_home();

	if (stat(path, &st)) {
		op_fail_errno(ctx, errno, "%s", path);
		nl_close(&nl);
		umount2(path, MNT_DETACH);
		goto unlink;
	}
	id->dev = (uint64_t)st.st_dev;
	id->ino = (uint64_t)st.st_ino;
	ns_cache_adopt(id, &nl, path);
	return 0;

unlink:
	unlink(path);
	return -1;
}

/**
 * ns_op_create() - namespace.create { name, dir }: like `ip netns add`
 * @ctx:	Op context
 * @args:	The op's map
 *
 * Return: 0 with { path, id } written, or -1 after op_fail()
 */
static int ns_op_create(struct op_ctx *ctx, const struct mp_obj *args)
{
	char name[NAME_MAX + 1], dir[PATH_MAX], path[PATH_MAX];
	struct ns_id id;
	int lock, rc;

	if (ns_name_arg(ctx, args, name) < 0 || ns_dir_arg(ctx, args, dir) < 0)
		return -1;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return op_fail(ctx, BAD_ARGUMENT, "\"dir\" and \"name\": the "
			       "path would be longer than %d bytes",
			       PATH_MAX - 1);

	lock = ns_dir_lock(ctx, dir);
	if (lock < 0)
		return -1;
	rc = ns_dir_share(ctx, dir);
	if (!rc)
		rc = ns_bind_new(ctx, path, &id);
	close(lock);

	if (rc)
		return -1;
	ns_put_result(ctx, path, &id);
	return 0;
}

/**
 * ns_delete_check() - Refuse to delete what is no namespace file
 * @ctx:	Op context
 * @path:	The path
 * @id:		The namespace's id, when it is mounted
 * @mounted:	Set when a namespace is mounted on @path
 *
 * A namespace file is either mounted (nsfs) or an empty file a vanished
 * mount left behind; anything else is refused, so that a wrong path can
 * never delete a file with contents. A symbolic link is refused too: the
 * unmount would follow it and detach a namespace mounted somewhere else,
 * outside the run directory, while only the link was named.
 *
 * Return: 0, or -1 after op_fail()
 */
static int ns_delete_check(struct op_ctx *ctx, const char *path,
			   struct ns_id *id, bool *mounted)
{
	struct statfs sfs;
	struct stat st;

	if (!lstat(path, &st) && S_ISLNK(st.st_mode))
		return op_fail(ctx, "ERR_NSDO_NOT_A_NAMESPACE", "%s is a "
			       "symbolic link; it is left alone", path);
	if (statfs(path, &sfs) || stat(path, &st)) {
		if (errno == ENOENT || errno == ENOTDIR)
			return op_fail(ctx, "ERR_NSDO_NAMESPACE_NOT_FOUND",
				       "%s does not exist", path);
		return op_fail_errno(ctx, errno, "%s", path);
	}

	*mounted = sfs.f_type == NSFS_MAGIC;
	id->dev = (uint64_t)st.st_dev;
	id->ino = (uint64_t)st.st_ino;
	if (*mounted || (S_ISREG(st.st_mode) && !st.st_size))
		return 0;
	return op_fail(ctx, "ERR_NSDO_NOT_A_NAMESPACE", "%s is not a "
		       "namespace file; it is left alone", path);
}

/**
 * ns_unmount_all() - Lazily unmount every mount stacked on a path
 * @ctx:	Op context
 * @path:	The path
 *
 * A file can hold several mounts (created twice by racing tools, or bound
 * onto itself); one unmount would leave it a mount point, and unlink()
 * would then fail with EBUSY. The loop is bounded: a path that still is a
 * mount point after NS_UNMOUNT_MAX rounds is reported busy. A symbolic
 * link put in the path's place after the check is not followed.
 *
 * Return: how many mounts were taken off, or -1 after op_fail()
 */
static int ns_unmount_all(struct op_ctx *ctx, const char *path)
{
	int i;

	for (i = 0; i < NS_UNMOUNT_MAX; i++) {
		if (!umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW))
			continue;
		if (errno == EINVAL)	/* no longer a mount point */
			return i;
		return op_fail_errno(ctx, errno, "unmounting %s", path);
	}
	return i;
}

/**
 * ns_busy_fail() - Say why a namespace file could not be unlinked (EBUSY)
 * @ctx:	Op context
 * @path:	The path
 * @unmounts:	How many mounts ns_unmount_all() took off it
 *
 * Since Linux 3.18 unlink() fails with EBUSY only for a mount point in the
 * caller's own mount namespace: mounts elsewhere never block it. So either
 * more mounts were stacked on the file here than one delete takes off, or
 * something mounted it again between the unmounts and the unlink().
 *
 * Return: -1
 */
static int ns_busy_fail(struct op_ctx *ctx, const char *path, int unmounts)
{
	if (unmounts >= NS_UNMOUNT_MAX)
		return op_fail(ctx, "ERR_NSDO_NAMESPACE_BUSY", "%s: more than "
			       "%d mounts are stacked on it in this mount "
			       "namespace; %d were taken off and it is still a "
			       "mount point (delete it again to go on)", path,
			       NS_UNMOUNT_MAX, unmounts);
	return op_fail(ctx, "ERR_NSDO_NAMESPACE_BUSY", "%s was mounted again "
		       "in this mount namespace while it was being deleted "
		       "(after %d lazy unmounts); something keeps mounting it",
		       path, unmounts);
}

/**
 * ns_op_delete() - namespace.delete { path, expect? }: lazy unmount, unlink
 * @ctx:	Op context
 * @args:	The op's map
 *
 * Return: 0 with nil written, or -1 after op_fail() (ERR_NSDO_NAMESPACE_BUSY
 * when the file stays a mount point, ERR_NSDO_NAMESPACE_MISMATCH when
 * another namespace than @expect is mounted there)
 */
static int ns_op_delete(struct op_ctx *ctx, const struct mp_obj *args)
{
	char path[PATH_MAX], expect[NS_ID_LEN] = "";
	int unmounts = 0;
	bool mounted;
	struct ns_id id;

	if (arg_str(ctx, args, "path", true, path, sizeof(path)) < 0 ||
	    arg_str(ctx, args, "expect", false, expect, sizeof(expect)) < 0)
		return -1;
	if (ns_delete_check(ctx, path, &id, &mounted) < 0)
		return -1;
	if (mounted && ns_expect(ctx, path, expect, &id) < 0)
		return -1;

	/* An empty file that is not mounted is one a vanished mount left. */
	if (mounted && (unmounts = ns_unmount_all(ctx, path)) < 0)
		return -1;
	if (unlink(path)) {
		if (errno == EBUSY)
			return ns_busy_fail(ctx, path, unmounts);
		return op_fail_errno(ctx, errno, "%s", path);
	}

	if (mounted)
		ns_cache_drop(&id);
	mp_put_nil(ctx->out);
	return 0;
}

/**
 * ns_op_identify() - namespace.identify { path | pid }
 * @ctx:	Op context
 * @args:	The op's map
 *
 * Return: 0 with { path, id } written, or -1 after op_fail()
 */
static int ns_op_identify(struct op_ctx *ctx, const struct mp_obj *args)
{
	struct mp_obj path, pid, desc_obj;
	char text[PATH_MAX], desc[64];
	struct ns_id id;
	int has_path, has_pid, fd;

	has_path = arg_obj(ctx, args, "path", false, &path);
	has_pid = arg_obj(ctx, args, "pid", false, &pid);
	if (has_path == has_pid)
		return op_fail(ctx, BAD_ARGUMENT, "expected \"path\" or "
			       "\"pid\", exactly one");

	desc_obj = has_path ? path : pid;
	arg_describe(&desc_obj, desc, sizeof(desc));
	if (has_path && path.type != MP_STR)
		return op_fail(ctx, BAD_ARGUMENT, "\"path\": expected a "
			       "string, got %s", desc);
	if (has_pid && pid.type != MP_UINT)
		return op_fail(ctx, BAD_ARGUMENT, "\"pid\": expected a "
			       "positive integer, got %s", desc);

	if (ns_open(ctx, &desc_obj, "", &fd, &id) < 0)
		return -1;
	close(fd);

	if (has_path)
		snprintf(text, sizeof(text), "%.*s", (int)path.v.str.len,
			 path.v.str.ptr);
	else
		snprintf(text, sizeof(text), "/proc/%llu/ns/net",
			 (unsigned long long)pid.v.u);
	ns_put_result(ctx, text, &id);
	return 0;
}

/**
 * ns_op_temporary() - namespace.temporary {}: a namespace held by an fd
 * @ctx:	Op context
 * @args:	The op's map, no arguments
 *
 * Return: 0 with { path, id } written, or -1 after op_fail()
 */
static int ns_op_temporary(struct op_ctx *ctx, const struct mp_obj *args)
{
	char path[64];
	struct ns_id id;
	int fd, errnum;
	struct stat st;

	(void)args;
	if (ns_temp_count >= NS_TEMP_MAX)
		return op_fail_errno(ctx, EMFILE, "already %d temporary "
				     "namespaces", NS_TEMP_MAX);

	if (ns_unshare(ctx) < 0)
		return -1;
	fd = ns_file_open(NS_SELF, O_RDONLY, 0);
	errnum = errno;
	ns_return_home();
	if (fd < 0)
		return op_fail_errno(ctx, errnum, "%s", NS_SELF);

	if (fstat(fd, &st)) {
		errnum = errno;
		close(fd);
		return op_fail_errno(ctx, errnum, "temporary namespace");
	}
	id.dev = (uint64_t)st.st_dev;
	id.ino = (uint64_t)st.st_ino;
	ns_temp_fds[ns_temp_count++] = fd;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)getpid(), fd);
	ns_put_result(ctx, path, &id);
	return 0;
}

/**
 * ns_parse_uint() - Read a decimal number without sign or leading zero
 * @s:		Text; advanced past the digits
 * @out:	The number
 *
 * Return: 0, or -1 if there is no number or it is over INT_MAX
 */
static int ns_parse_uint(const char **s, int *out)
{
	const char *p = *s;
	long long v = 0;

	if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return -1;
	}
	*out = (int)v;
	*s = p;
	return 0;
}

/**
 * ns_temp_find() - Which temporary namespace a path names
 * @path:	"/proc/PID/fd/FD" as namespace.temporary returned it
 *
 * Return: its index in ns_temp_fds, or -1
 */
static int ns_temp_find(const char *path)
{
	const char *p = path;
	unsigned int i;
	int pid, fd;

	if (strncmp(p, "/proc/", 6))
		return -1;
	p += 6;
	if (ns_parse_uint(&p, &pid) || pid != getpid() ||
	    strncmp(p, "/fd/", 4))
		return -1;
	p += 4;
	if (ns_parse_uint(&p, &fd) || *p)
		return -1;

	for (i = 0; i < ns_temp_count; i++) {
		if (ns_temp_fds[i] == fd)
			return (int)i;
	}
	return -1;
}

/**
 * ns_op_release() - namespace.release { path }: let a temporary one go
 * @ctx:	Op context
 * @args:	The op's map
 *
 * Return: 0 with nil written, or -1 after op_fail()
 */
static int ns_op_release(struct op_ctx *ctx, const struct mp_obj *args)
{
	char path[PATH_MAX];
	struct stat st;
	struct ns_id id;
	int i, fd;

	if (arg_str(ctx, args, "path", true, path, sizeof(path)) < 0)
		return -1;
	i = ns_temp_find(path);
	if (i < 0)
		return op_fail(ctx, BAD_ARGUMENT, "\"path\": expected a path "
			       "that namespace.temporary returned, got "
			       "\"%s\"", path);

	fd = ns_temp_fds[i];
	ns_temp_fds[i] = ns_temp_fds[--ns_temp_count];
	if (!fstat(fd, &st)) {
		id.dev = (uint64_t)st.st_dev;
		id.ino = (uint64_t)st.st_ino;
		ns_cache_drop(&id);
	}
	close(fd);

	mp_put_nil(ctx->out);
	return 0;
}

static const char *const ns_create_keys[] = { "name", "dir", NULL };
static const char *const ns_path_keys[] = { "path", NULL };
static const char *const ns_delete_keys[] = { "path", "expect", NULL };
static const char *const ns_identify_keys[] = { "path", "pid", NULL };

const struct op_def namespace_ops[] = {
	{ "namespace.create", ns_op_create, ns_create_keys, true },
	{ "namespace.delete", ns_op_delete, ns_delete_keys, true },
	{ "namespace.identify", ns_op_identify, ns_identify_keys, true },
	{ "namespace.temporary", ns_op_temporary, NULL, true },
	{ "namespace.release", ns_op_release, ns_path_keys, true },
	{ NULL, NULL, NULL, false },
};

// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: mount ids, through statx()
 *
 * statx() with STATX_MNT_ID (Linux 5.8) answers the id of the mount a path
 * is on, the number /proc/self/mountinfo shows first. The C libraries the
 * helper builds with do not all wrap statx(), and <linux/stat.h>, which
 * declares it, clashes with <sys/stat.h>; this file therefore includes the
 * one and not the other, and makes the system call itself.
 */
#include <fcntl.h>
#include <linux/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mount_id.h"

/**
 * mount_id() - The id of the mount a path is on, following no final symlink
 * @path:	Absolute path
 *
 * Return: the id, or 0 when it cannot be told (no such path, or a kernel
 * older than 5.8); 0 is never a mount's id
 */
uint64_t mount_id(const char *path)
{
	struct statx stx;

	if (syscall(SYS_statx, AT_FDCWD, path, AT_SYMLINK_NOFOLLOW,
		    STATX_MNT_ID, &stx))
		return 0;
	return (stx.stx_mask & STATX_MNT_ID) ? stx.stx_mnt_id : 0;
}

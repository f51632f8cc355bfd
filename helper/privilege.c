// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: privilege: the capabilities the helper keeps
 *
 * The ops need three capabilities. The set was measured, not guessed: the
 * whole test suite ran against a helper started with only these, and again
 * with each one taken away.
 *
 *  - CAP_SYS_ADMIN: setns() and unshare() of network namespaces, and the
 *    mounts of namespace.create and namespace.delete.
 *  - CAP_NET_ADMIN: every rtnetlink change (links, addresses, routes).
 *  - CAP_SYS_PTRACE: opening /proc/PID/ns/net and /proc/PID/fd/N of another
 *    process, the parent's included (a pid target, Namespace.current(), a
 *    temporary namespace that the parent holds). The kernel lets a process
 *    open those files of another only if it holds every capability the
 *    other one holds, or CAP_SYS_PTRACE; after the drop only the latter can
 *    be true.
 *
 * Everything else leaves the effective, permitted, inheritable, ambient
 * and bounding sets. CAP_DAC_OVERRIDE is not among the kept: the run
 * directory and the files in it belong to the helper's own user.
 *
 * Without CAP_SYS_PTRACE (a container that was not given it, a user with
 * no privileges) any drop would cost the helper its parent's /proc files by
 * the same rule, since the parent holds at least what the helper started
 * with. The helper then keeps its permitted set as it came and drops only
 * what it cannot use: the inheritable, ambient and bounding sets.
 *
 * no_new_privs makes sure that nothing the helper might ever exec gains
 * privileges. A non-dumpable process can be read through /proc only by a
 * holder of CAP_SYS_PTRACE, so the helper turns dumpable off only when it
 * holds CAP_SYS_PTRACE itself: its parent then holds it as well, and can
 * still open /proc/HELPER/fd/N to take over a temporary namespace.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "log.h"
#include "privilege.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT			47
#define PR_CAP_AMBIENT_CLEAR_ALL	4
#endif

#define PRIV_BIT(cap)	(1ull << (cap))
#define PRIV_NEEDED	(PRIV_BIT(CAP_SYS_ADMIN) | \
			 PRIV_BIT(CAP_NET_ADMIN) | \
			 PRIV_BIT(CAP_SYS_PTRACE))
#define PRIV_CAPS_MAX	64	/* two 32-bit words of capabilities */

/* The three capability sets of the calling thread, as 64-bit masks. */
struct privilege_sets {
	uint64_t effective;
	uint64_t permitted;
	uint64_t inheritable;
};

/**
 * privilege_get() - Read the capability sets of the helper
 * @s:		The sets
 *
 * Return: 0, or -1 with errno set
 */
static int privilege_get(struct privilege_sets *s)
{
	struct __user_cap_header_struct head = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &head, d))
		return -1;

	s->effective = (uint64_t)d[1].effective << 32 | d[0].effective;
	s->permitted = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	s->inheritable = (uint64_t)d[1].inheritable << 32 | d[0].inheritable;
	return 0;
}

/**
 * privilege_set() - Replace the capability sets of the helper
 * @s:		The new sets; each a subset of the permitted set held now
 *
 * Return: 0, or -1 with errno set
 */
static int privilege_set(const struct privilege_sets *s)
{
	struct __user_cap_header_struct head = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {
		{ .effective = (uint32_t)s->effective,
		  .permitted = (uint32_t)s->permitted,
		  .inheritable = (uint32_t)s->inheritable },
		{ .effective = (uint32_t)(s->effective >> 32),
		  .permitted = (uint32_t)(s->permitted >> 32),
		  .inheritable = (uint32_t)(s->inheritable >> 32) },
	};

	return (int)syscall(SYS_capset, &head, d);
}

/**
 * privilege_bound() - Drop every capability but @keep from the bounding set
 * @keep:	Capabilities to leave in it
 *
 * Dropping needs CAP_SETPCAP, so this runs before the capset() that lets
 * it go.
 *
 * Return: 0, or -1 with errno set (EPERM without CAP_SETPCAP)
 */
static int privilege_bound(uint64_t keep)
{
	int cap, in;

	for (cap = 0; cap < PRIV_CAPS_MAX; cap++) {
		in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (in < 0)	/* past the kernel's last capability */
			return 0;

		if (in && !(keep & PRIV_BIT(cap)) &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return -1;
	}
	return 0;
}

/**
 * privilege_keep() - Which of the permitted capabilities to keep
 * @permitted:	The permitted set the helper started with
 *
 * Return: the needed ones when CAP_SYS_PTRACE is among them, else all of
 * @permitted (see the DOC block)
 */
static uint64_t privilege_keep(uint64_t permitted)
{
	if (permitted & PRIV_BIT(CAP_SYS_PTRACE))
		return permitted & PRIV_NEEDED;
	return permitted;
}

/**
 * privilege_drop() - Keep only the capabilities the helper needs
 *
 * Return: 0, or -1 after logging why (the helper must then not serve: it
 * would run with more privilege than it should)
 */
int privilege_drop(void)
{
	struct privilege_sets now, next;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		err("cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	if (privilege_get(&now)) {
		err("cannot read the capability sets: %s", strerror(errno));
		return -1;
	}

	next.permitted = privilege_keep(now.permitted);
	next.effective = next.permitted;
	next.inheritable = 0;

	/* Before Linux 4.3 there is no ambient set to clear. */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (privilege_bound(next.permitted))
		debug("bounding set left as it is: %s", strerror(errno));
	if (privilege_set(&next)) {
		err("cannot drop capabilities: %s", strerror(errno));
		return -1;
	}

	if (next.permitted & PRIV_BIT(CAP_SYS_PTRACE) &&
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		err("cannot turn dumpable off: %s", strerror(errno));
		return -1;
	}
	debug("capabilities: kept 0x%llx of 0x%llx%s",
	      (unsigned long long)next.permitted,
	      (unsigned long long)now.permitted,
	      next.permitted & PRIV_BIT(CAP_SYS_PTRACE) ? ", not dumpable" :
	      "");
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DOC: privilege
 *
 * privilege_drop() runs once at start, before the helper reads anything.
 * It sets no_new_privs, keeps only the capabilities the ops need (see
 * privilege.c for which and why) and, when the helper holds CAP_SYS_PTRACE,
 * marks itself non-dumpable.
 */
#ifndef NSDO_PRIVILEGE_H
#define NSDO_PRIVILEGE_H

int privilege_drop(void);

#endif /* NSDO_PRIVILEGE_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DOC: mount ids
 *
 * mount_id() tells which mount a path is on, so that the helper can tell
 * whether the run directory is still the mount it made shared before.
 */
#ifndef NSDO_MOUNT_ID_H
#define NSDO_MOUNT_ID_H

#include <stdint.h>

uint64_t mount_id(const char *path);

#endif /* NSDO_MOUNT_ID_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DOC: requests
 *
 * request_handle() turns one frame payload into one reply, written to a
 * writer: it checks and decodes the request, finds the namespace, runs the
 * ops and reports as PROTOCOL.md says. It works on a memory buffer and
 * never fails to produce a reply short of running out of memory, which is
 * what lets a fuzzer drive it directly.
 */
#ifndef NSDO_REQUEST_H
#define NSDO_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "mp.h"

#define REQUEST_OPS_MAX		65536
#define REQUEST_REPLY_MAX	(4u * 1024 * 1024)
/* Room kept back while ops run, so an error always fits the reply. */
#define REQUEST_REPLY_RESERVE	4096

int request_handle(const uint8_t *frame, size_t len, struct mp_writer *out);
int request_reply_error(struct mp_writer *out, const char *code,
			int errnum, const char *message);

#endif /* NSDO_REQUEST_H */

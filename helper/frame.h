/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DOC: frames
 *
 * A frame is a 4-byte big-endian length and that many bytes of payload.
 * The reader reads exactly one frame at a time, with no read-ahead, so that
 * poll() on the fd always tells the truth about whether a request waits.
 * A length over FRAME_MAX is refused before anything is allocated; the
 * payload is then read in small pieces and thrown away, which keeps the
 * stream in step for the next frame.
 *
 * The read buffer is reused between frames. After a large frame it is
 * released by frame_reader_trim(), so an idle helper stays small.
 */
#ifndef NSDO_FRAME_H
#define NSDO_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX	(4u * 1024 * 1024)
#define FRAME_KEEP	(64u * 1024)	/* read buffer kept between frames */

enum frame_status {
	FRAME_OK,		/* a payload is ready */
	FRAME_EOF,		/* end of input at a frame boundary */
	FRAME_TRUNCATED,	/* end of input inside a frame */
	FRAME_EMPTY,		/* a length of 0 */
	FRAME_TOO_LARGE,	/* over FRAME_MAX: read and discarded */
	FRAME_NO_MEMORY,	/* no buffer for it: read and discarded */
	FRAME_ERROR,		/* read() failed; errno says why */
};

struct frame_reader {
	int fd;
	uint8_t *buf;
	size_t cap;
	uint32_t len;		/* length announced by the last frame */
	uint32_t max;		/* refuse frames longer than this */
};

void frame_reader_init(struct frame_reader *r, int fd, uint32_t max);
enum frame_status frame_read(struct frame_reader *r, const uint8_t **payload,
			     size_t *len);
void frame_reader_trim(struct frame_reader *r);
void frame_reader_free(struct frame_reader *r);

int frame_write(int fd, const void *payload, size_t len);

#endif /* NSDO_FRAME_H */

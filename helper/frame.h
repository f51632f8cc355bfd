/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DOC: frames
 *
 * A frame is a 4-byte big-endian length and that many bytes of payload.
 * The reader reads as much as the fd has, up to its buffer's size, in one
 * read(): a small frame costs one system call for head and body together,
 * and a driver that sends several frames at once has them all read by one
 * call. Since bytes may then wait in the buffer, poll() on the fd no longer
 * tells whether a request waits: ask frame_reader_buffered() first.
 *
 * A length over FRAME_MAX is refused before anything is allocated for the
 * payload; the payload is then read in small pieces and thrown away, which
 * keeps the stream in step for the next frame.
 *
 * The read buffer is reused between frames. After a large frame it is
 * released by frame_reader_trim(), so an idle helper stays small.
 */
#ifndef NSDO_FRAME_H
#define NSDO_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX	(4u * 1024 * 1024)
#define FRAME_KEEP	(64u * 1024)	/* read buffer kept between frames */
#define FRAME_READ_SIZE	(16u * 1024)	/* the read buffer's smallest size */

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
	size_t start;		/* first byte not handed out yet */
	size_t end;		/* end of the bytes read */
	uint32_t len;		/* length announced by the last frame */
	uint32_t max;		/* refuse frames longer than this */
};

void frame_reader_init(struct frame_reader *r, int fd, uint32_t max);
enum frame_status frame_read(struct frame_reader *r, const uint8_t **payload,
			     size_t *len);
bool frame_reader_buffered(const struct frame_reader *r);
void frame_reader_trim(struct frame_reader *r);
void frame_reader_free(struct frame_reader *r);

int frame_write(int fd, const void *payload, size_t len);

#endif /* NSDO_FRAME_H */

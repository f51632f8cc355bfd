// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: fuzz target: the frame reader
 *
 * An input is a byte stream as a driver could write it to the helper's
 * stdin, after one leading byte that picks the reader's cap on frame length
 * (small caps let short inputs reach the "too large" path). The stream is
 * put in a memfd, and frame_read() reads it like any other fd until it
 * ends, with frame_reader_trim() between frames as main.c does.
 *
 * Every payload that comes out is written back with frame_write() to a
 * second memfd and read again with a fresh reader: it must come back byte
 * for byte, followed by a clean end of input. A difference aborts, which
 * libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "frame.h"

static const uint32_t fuzz_caps[] = { 1, 2, 16, 255, 4096, FRAME_MAX };

static int fuzz_in = -1, fuzz_copy = -1;

/**
 * fuzz_fail() - Stop at a broken property, so libFuzzer keeps the input
 * @what:	What went wrong
 */
static void fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz_frame: %s\n", what);
	abort();
}

/**
 * fuzz_fill() - Make a memfd hold exactly some bytes, positioned at 0
 * @fd:		The memfd
 * @data:	Bytes
 * @len:	Their number
 */
static void fuzz_fill(int fd, const uint8_t *data, size_t len)
{
	if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET))
		fuzz_fail("cannot empty a memfd");
	if (len && write(fd, data, len) != (ssize_t)len)
		fuzz_fail("cannot fill a memfd");
	if (lseek(fd, 0, SEEK_SET))
		fuzz_fail("cannot rewind a memfd");
}

/**
 * fuzz_round_trip() - Write a payload as a frame and read it back
 * @payload:	What frame_read() gave
 * @len:	Its length
 */
static void fuzz_round_trip(const uint8_t *payload, size_t len)
{
	struct frame_reader r;
	const uint8_t *back;
	size_t back_len;

	fuzz_fill(fuzz_copy, NULL, 0);
	if (frame_write(fuzz_copy, payload, len))
		fuzz_fail("frame_write() failed");
	if (lseek(fuzz_copy, 0, SEEK_SET))
		fuzz_fail("cannot rewind a memfd");

	frame_reader_init(&r, fuzz_copy, FRAME_MAX);
	if (frame_read(&r, &back, &back_len) != FRAME_OK ||
	    back_len != len || memcmp(back, payload, len))
		fuzz_fail("a payload did not survive frame_write()");
	if (frame_read(&r, &back, &back_len) != FRAME_EOF)
		fuzz_fail("frame_write() wrote more than one frame");
	frame_reader_free(&r);
}

/**
 * LLVMFuzzerInitialize() - Open the two memfds, once
 * @argc:	Unused
 * @argv:	Unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_in = memfd_create("fuzz-frame-in", MFD_CLOEXEC);
	fuzz_copy = memfd_create("fuzz-frame-copy", MFD_CLOEXEC);
	if (fuzz_in < 0 || fuzz_copy < 0)
		fuzz_fail("memfd_create() failed");
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Read one stream of frames to its end
 * @data:	Cap selector, then the stream
 * @size:	Length of @data
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t ncaps = sizeof(fuzz_caps) / sizeof(fuzz_caps[0]);
	enum frame_status status;
	struct frame_reader r;
	const uint8_t *payload;
	size_t len;

	if (!size)
		return 0;
	fuzz_fill(fuzz_in, data + 1, size - 1);
	frame_reader_init(&r, fuzz_in, fuzz_caps[data[0] % ncaps]);

	do {
		status = frame_read(&r, &payload, &len);
		if (status == FRAME_OK) {
			if (!len || len > r.max)
				fuzz_fail("a payload of a refused length");
			fuzz_round_trip(payload, len);
		}
		frame_reader_trim(&r);
	} while (status == FRAME_OK || status == FRAME_EMPTY ||
		 status == FRAME_TOO_LARGE);

	if (status == FRAME_ERROR || status == FRAME_NO_MEMORY)
		fuzz_fail("a read error on a memfd");
	frame_reader_free(&r);
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DOC: the C unit tests' harness
 *
 * Each test is a function returning 0 on success; CHECK() returns -1 from
 * it at the first condition that does not hold, after naming the line on
 * stderr. run() prints one TAP line per test ("ok N - name" or "not ok N -
 * name"), which npm test counts, and tap_done() prints the plan and gives
 * the exit code. Header-only: each test program is one translation unit.
 */
#ifndef NSDO_TEST_TAP_H
#define NSDO_TEST_TAP_H

#include <stdio.h>

static int tests_run, tests_failed;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "  %s:%d: %s\n", __FILE__,	\
				__LINE__, #cond);			\
			return -1;					\
		}							\
	} while (0)

/**
 * run() - Run one test and print its TAP line
 * @name:	Test name
 * @fn:		Test, returning 0 on success
 */
static inline void run(const char *name, int (*fn)(void))
{
	int rc = fn();

	tests_run++;
	if (rc)
		tests_failed++;
	printf("%s %d - %s\n", rc ? "not ok" : "ok", tests_run, name);
	fflush(stdout);
}

/**
 * tap_done() - Print the plan line
 *
 * Return: the exit code for main(): 0 when every test passed, else 1
 */
static inline int tap_done(void)
{
	printf("1..%d\n", tests_run);
	return tests_failed ? 1 : 0;
}

#endif /* NSDO_TEST_TAP_H */

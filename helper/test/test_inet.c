// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: unit tests for inet.c
 *
 * Every form an op accepts, and a list of near misses that must be refused
 * with an explanation that quotes what came.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "inet.h"
#include "tap.h"

/* Longer than any address: 70 bytes before the "/" */
#define LONG_TEXT							\
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"				\
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/8"

/**
 * prefix_ok() - Check that a text parses to the expected prefix
 * @text:	Input
 * @family:	Expected family
 * @len:	Expected prefix length
 * @canon:	Expected address when formatted again, or NULL for none
 *
 * Return: 0, or -1 after naming what differs on stderr
 */
static int prefix_ok(const char *text, int family, int len,
		     const char *canon)
{
	struct inet_prefix p;
	char why[INET_WHY_MAX], out[INET_TEXT_MAX];

	if (inet_prefix_parse(text, true, &p, why, sizeof(why))) {
		fprintf(stderr, "  refused \"%s\": %s\n", text, why);
		return -1;
	}

	CHECK(p.family == family);
	CHECK(p.len == len);
	if (!canon)
		return 0;

	inet_address_format(p.family, p.bytes, out, sizeof(out));
	CHECK(!strcmp(out, canon));
	return 0;
}

/**
 * prefix_bad() - Check that a text is refused, with itself in the reason
 * @text:	Input
 *
 * Return: 0, or -1 after naming what differs on stderr
 */
static int prefix_bad(const char *text)
{
	struct inet_prefix p;
	char why[INET_WHY_MAX];

	why[0] = '\0';
	if (!inet_prefix_parse(text, false, &p, why, sizeof(why))) {
		fprintf(stderr, "  accepted \"%s\"\n", text);
		return -1;
	}
	CHECK(strstr(why, "expected") != NULL);
	return 0;
}

/**
 * test_prefixes() - Addresses, prefixes and "default"
 */
static int test_prefixes(void)
{
	static const char *const bad[] = {
		"", "10.1.0.1/33", "10.1.0.1/", "10.1.0.1/2x", "10.1.0.1/-1",
		"10.1.0.1/+8", "1.2.3", "01.2.3.4", "10.1.0.1 /24",
		" 10.1.0.1", "fd00::1/129", "10.1.0.1/24/1", "fe80::1%eth0",
		"10.1.0.256", "default", "fd00:::1", "10.1.0.1/00024",
		"hello", LONG_TEXT,
	};
	struct inet_prefix p;
	char why[INET_WHY_MAX];
	size_t i;

	CHECK(!prefix_ok("10.1.0.1/24", AF_INET, 24, "10.1.0.1"));
	CHECK(!prefix_ok("10.2.0.7", AF_INET, 32, "10.2.0.7"));
	CHECK(!prefix_ok("0.0.0.0/0", AF_INET, 0, "0.0.0.0"));
	CHECK(!prefix_ok("fd00::1/64", AF_INET6, 64, "fd00::1"));
	CHECK(!prefix_ok("FD00:0:0::1", AF_INET6, 128, "fd00::1"));
	CHECK(!prefix_ok("::ffff:10.1.0.1/96", AF_INET6, 96, "::ffff:10.1.0.1"));
	CHECK(!prefix_ok("default", AF_UNSPEC, 0, NULL));

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		CHECK(!prefix_bad(bad[i]));

	CHECK(inet_address_parse("10.1.0.1/24", &p, why, sizeof(why)) < 0);
	CHECK(strstr(why, "\"10.1.0.1/24\"") != NULL);
	CHECK(inet_address_parse("fd00::2", &p, why, sizeof(why)) == 0);
	CHECK(p.family == AF_INET6 && p.len == 128);
	return 0;
}

/**
 * test_families() - Sizes and versions of the two families
 */
static int test_families(void)
{
	CHECK(inet_family_size(AF_INET) == 4);
	CHECK(inet_family_size(AF_INET6) == 16);
	CHECK(inet_family_size(AF_UNSPEC) == 0);
	CHECK(inet_family_version(AF_INET) == 4);
	CHECK(inet_family_version(AF_INET6) == 6);
	CHECK(inet_family_version(AF_PACKET) == 0);
	return 0;
}

/**
 * test_macs() - MAC addresses in, link-layer addresses out
 */
static int test_macs(void)
{
	static const char *const bad[] = {
		"", "aa:bb:cc:dd:ee", "aa-bb-cc-dd-ee-ff", "aa:bb:cc:dd:ee:fg",
		"aa:bb:cc:dd:ee:ff:", "aabb:cc:dd:ee:ff:0", "a:bb:cc:dd:ee:ff0",
	};
	uint8_t mac[INET_MAC_LEN], lo[4] = { 10, 1, 0, 255 };
	char why[INET_WHY_MAX], text[INET_HWADDR_TEXT];
	size_t i;

	CHECK(inet_mac_parse("AA:bb:0c:dd:ee:F0", mac, why, sizeof(why)) == 0);
	inet_hwaddr_format(mac, sizeof(mac), text, sizeof(text));
	CHECK(!strcmp(text, "aa:bb:0c:dd:ee:f0"));

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		CHECK(inet_mac_parse(bad[i], mac, why, sizeof(why)) < 0);
		CHECK(strstr(why, "aa:bb:cc:dd:ee:ff") != NULL);
	}

	inet_hwaddr_format(lo, sizeof(lo), text, sizeof(text));
	CHECK(!strcmp(text, "0a:01:00:ff"));
	inet_hwaddr_format(lo, 0, text, sizeof(text));
	CHECK(text[0] == '\0');
	return 0;
}

int main(void)
{
	run("prefixes: every form accepted, near misses refused with a reason",
	    test_prefixes);
	run("families: sizes and versions", test_families);
	run("MAC addresses in, link-layer addresses out", test_macs);

	return tap_done();
}

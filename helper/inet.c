// SPDX-License-Identifier: Apache-2.0
/*
 * DOC: addresses as text
 *
 * libc's inet_pton() already refuses everything but the canonical forms
 * (four decimal octets without leading zeros, IPv6 with at most one "::"),
 * so an address is handed to it whole; what this module adds is the split
 * at "/", a prefix length that is plain decimal and in range, and an
 * explanation for every refusal. A "why" buffer of INET_WHY_MAX bytes
 * receives the explanation, which names what was expected and what came.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "inet.h"

/**
 * inet_address_parse() - Parse a bare IPv4 or IPv6 address
 * @text:	The address, without a prefix length
 * @p:		Filled with the address; its prefix length is the full
 *		length (32 or 128)
 * @why:	Filled with the reason when @text is not an address
 * @size:	Size of @why
 *
 * Return: 0, or -1 with @why filled
 */
int inet_address_parse(const char *text, struct inet_prefix *p, char *why,
		       size_t size)
{
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, text, p->bytes) == 1) {
		p->family = AF_INET;
		p->len = 32;
		return 0;
	}

	if (inet_pton(AF_INET6, text, p->bytes) == 1) {
		p->family = AF_INET6;
		p->len = 128;
		return 0;
	}

	snprintf(why, size, "expected an IPv4 or IPv6 address, got \"%s\"",
		 text);
	return -1;
}

/**
 * inet_prefix_len_parse() - Parse the decimal prefix length after the "/"
 * @text:	Digits, nothing else
 * @max:	32 or 128
 * @len:	Filled with the length
 * @why:	Filled with the reason on failure
 * @size:	Size of @why
 *
 * Return: 0, or -1 with @why filled
 */
static int inet_prefix_len_parse(const char *text, unsigned int max,
				 uint8_t *len, char *why, size_t size)
{
	unsigned int v = 0;
	size_t i, n = strlen(text);

	for (i = 0; i < n && i < 4; i++) {
		if (text[i] < '0' || text[i] > '9')
			break;
		v = v * 10 + (unsigned int)(text[i] - '0');
	}

	if (n == 0 || i != n || v > max) {
		snprintf(why, size, "expected a prefix length from 0 to %u "
			 "after '/', got \"%s\"", max, text);
		return -1;
	}

	*len = (uint8_t)v;
	return 0;
}

/**
 * inet_prefix_parse() - Parse "address/length", a bare address, "default"
 * @text:	The text
 * @allow_default: Whether "default" (family AF_UNSPEC, length 0) is
 *		accepted
 * @p:		Filled with the prefix; a bare address gets the full length
 * @why:	Filled with the reason on failure
 * @size:	Size of @why
 *
 * Bits set beyond the prefix length are kept: an interface address needs
 * them, and for a route the kernel refuses them with its own message.
 *
 * Return: 0, or -1 with @why filled
 */
int inet_prefix_parse(const char *text, bool allow_default,
		      struct inet_prefix *p, char *why, size_t size)
{
	char addr[INET_TEXT_MAX];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);

	if (allow_default && !strcmp(text, "default")) {
		memset(p, 0, sizeof(*p));
		return 0;
	}

	if (n >= sizeof(addr)) {
		snprintf(why, size, "expected an address like 10.1.0.1/24 or "
			 "fd00::1/64, got %zu bytes", strlen(text));
		return -1;
	}

	memcpy(addr, text, n);
	addr[n] = '\0';
	if (inet_address_parse(addr, p, why, size))
		return -1;

	if (!slash)
		return 0;
	return inet_prefix_len_parse(slash + 1, p->len, &p->len, why, size);
}

/**
 * inet_family_size() - Bytes of an address of a family
 * @family:	AF_INET or AF_INET6
 *
 * Return: 4 or 16, 0 for any other family
 */
size_t inet_family_size(int family)
{
	if (family == AF_INET)
		return 4;
	return family == AF_INET6 ? 16 : 0;
}

/**
 * inet_family_version() - The IP version of a family, as results name it
 * @family:	AF_INET or AF_INET6
 *
 * Return: 4 or 6, 0 for any other family
 */
int inet_family_version(int family)
{
	if (family == AF_INET)
		return 4;
	return family == AF_INET6 ? 6 : 0;
}

/**
 * inet_address_format() - Write an address in its canonical text form
 * @family:	AF_INET or AF_INET6
 * @bytes:	The address, network byte order
 * @buf:	Filled with the text; "" for another family
 * @size:	Size of @buf, at least INET6_ADDRSTRLEN
 */
void inet_address_format(int family, const void *bytes, char *buf,
			 size_t size)
{
	if (!inet_ntop(family, bytes, buf, (socklen_t)size))
		buf[0] = '\0';
}

/**
 * inet_hex_digit() - Value of one hexadecimal digit
 * @c:		Character
 *
 * Return: 0 to 15, or -1 when @c is not a hex digit
 */
static int inet_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/**
 * inet_mac_parse() - Parse "aa:bb:cc:dd:ee:ff"
 * @text:	Six pairs of hex digits separated by ":", either case
 * @mac:	Filled with the six bytes
 * @why:	Filled with the reason on failure
 * @size:	Size of @why
 *
 * Return: 0, or -1 with @why filled
 */
int inet_mac_parse(const char *text, uint8_t mac[INET_MAC_LEN], char *why,
		   size_t size)
{
	int hi, lo, i;

	if (strlen(text) != INET_MAC_LEN * 3 - 1)
		goto bad;

	for (i = 0; i < INET_MAC_LEN; i++) {
		hi = inet_hex_digit(text[i * 3]);
		lo = inet_hex_digit(text[i * 3 + 1]);
		if (hi < 0 || lo < 0)
			goto bad;
		if (i < INET_MAC_LEN - 1 && text[i * 3 + 2] != ':')
			goto bad;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;

bad:
	snprintf(why, size, "expected a MAC address like aa:bb:cc:dd:ee:ff, "
		 "got \"%s\"", text);
	return -1;
}

/**
 * inet_hwaddr_format() - Write a link-layer address as "aa:bb:..."
 * @addr:	The address
 * @len:	Its length, at most INET_HWADDR_MAX
 * @buf:	Filled with lowercase hex pairs separated by ":"
 * @size:	Size of @buf, at least INET_HWADDR_TEXT
 */
void inet_hwaddr_format(const uint8_t *addr, size_t len, char *buf,
			size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	buf[0] = '\0';
	if (len > INET_HWADDR_MAX || size < len * 3)
		return;

	for (i = 0; i < len; i++) {
		buf[i * 3] = hex[addr[i] >> 4];
		buf[i * 3 + 1] = hex[addr[i] & 0xf];
		buf[i * 3 + 2] = i + 1 < len ? ':' : '\0';
	}
}

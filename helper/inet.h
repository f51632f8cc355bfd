/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DOC: addresses as text
 *
 * Ops take addresses as text ("10.1.0.1/24", "fd00::1/64", "10.2.0.7",
 * "default") and MAC addresses as "aa:bb:cc:dd:ee:ff", and answer with the
 * same forms. Parsing is strict: the whole text must be one address in its
 * canonical shape, or the parser says what it expected and what it got.
 */
#ifndef NSDO_INET_H
#define NSDO_INET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INET_WHY_MAX	128	/* room for a parse error's explanation */
#define INET_TEXT_MAX	64	/* room for an address with its prefix */
#define INET_MAC_LEN	6
#define INET_HWADDR_MAX	32	/* longest link-layer address (MAX_ADDR_LEN) */
#define INET_HWADDR_TEXT (INET_HWADDR_MAX * 3)

/* An address with its prefix length; family 0 (AF_UNSPEC) is "default". */
struct inet_prefix {
	int family;		/* AF_INET, AF_INET6 or AF_UNSPEC */
	uint8_t len;		/* prefix length */
	uint8_t bytes[16];	/* network byte order, 4 used for IPv4 */
};

int inet_address_parse(const char *text, struct inet_prefix *p, char *why,
		       size_t size);
int inet_prefix_parse(const char *text, bool allow_default,
		      struct inet_prefix *p, char *why, size_t size);
size_t inet_family_size(int family);
int inet_family_version(int family);
void inet_address_format(int family, const void *bytes, char *buf,
			 size_t size);

int inet_mac_parse(const char *text, uint8_t mac[INET_MAC_LEN], char *why,
		   size_t size);
void inet_hwaddr_format(const uint8_t *addr, size_t len, char *buf,
			size_t size);

#endif /* NSDO_INET_H */

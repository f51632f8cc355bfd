/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DOC: small stand-ins for libc's formatter and allocator
 *
 * Release builds link these in place of snprintf(), vsnprintf(), malloc(),
 * calloc(), realloc() and free() (see lite.c and scripts/build-helper.mjs);
 * code calls the standard names and never these directly.
 */
#ifndef NSDO_LITE_H
#define NSDO_LITE_H

#include <stdarg.h>
#include <stddef.h>

int lite_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int lite_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void *lite_malloc(size_t n);
void *lite_calloc(size_t n, size_t each);
void *lite_realloc(void *p, size_t n);
void lite_free(void *p);

int __wrap_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int __wrap_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t each);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

#endif /* NSDO_LITE_H */

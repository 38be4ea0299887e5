/* Freestanding formatted output shared by kernel, loaders and host tests. */
#ifndef PVBOOT_FMT_H
#define PVBOOT_FMT_H
#include <stdarg.h>
#include "pvboot/types.h"

/*
 * printf subset: %d %i %u %x %X %p %s %c %% with flags '-' '0' '#' (0x prefix), width,
 * precision for %s (including %.*s), and length modifiers l, ll, z.
 * Always NUL-terminates when size > 0; returns the length the full output
 * would have had.
 */
int pv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int pv_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif

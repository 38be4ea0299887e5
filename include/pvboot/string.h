/* The C string/memory functions the freestanding kernel provides (lib/string.c, ISO C semantics). */
#ifndef PVBOOT_STRING_H
#define PVBOOT_STRING_H
#include <stddef.h>

/*
 * Declared here rather than taken from <string.h>: the kernel has no libc.
 * On the host (PVBOOT_HOST) lib/string.c compiles to nothing and these
 * same declarations resolve to the C library, so lib code is identical in
 * both worlds.  gcc may also emit calls to memcpy/memset/memmove/memcmp on
 * its own (struct copies, large initialisers) even with -ffreestanding.
 */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif

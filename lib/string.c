/* Memory/string functions with ISO C semantics (pvboot/string.h) for the kernel, stage 2 and both UEFI apps (i386 and x86-64). */
#include "pvboot/string.h"

/* The host build takes these from the C library (and its sanitizers). */
#ifndef PVBOOT_HOST

/*
 * gcc recognises byte loops as memset/memcpy and would turn these very
 * functions into calls to themselves; keep the loops as written.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_LIBCALL
#endif

/*
 * The bulk copies are x86 string instructions: the kernel and the loaders
 * clear pages and copy images, and under emulation a byte loop costs ten
 * times `rep movsl` per byte.  The same asm assembles for x86-64 (the
 * UEFI app): the count registers are size_t wide, and writing %ecx with
 * the remainder (%k: the 32-bit name of its register) clears the upper
 * half of %rcx.
 */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t words = n / 4, rest = n % 4;

	asm volatile("rep movsl\n\tmovl %k3, %%ecx\n\trep movsb"
		     : "+D"(d), "+S"(src), "+c"(words) : "r"(rest) : "memory");
	return dst;
}

NO_LIBCALL void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		/* Overlap with dst above src: copy backwards. */
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	unsigned v = (unsigned char)c * 0x01010101u;
	size_t words = n / 4, rest = n % 4;

	asm volatile("rep stosl\n\tmovl %k3, %%ecx\n\trep stosb"
		     : "+D"(d), "+c"(words) : "a"(v), "r"(rest) : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return *x - *y;
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
		if (!*x)
			break;
	}
	return 0;
}

#endif /* PVBOOT_HOST */

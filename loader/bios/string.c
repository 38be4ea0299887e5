/*
 * The string/memory functions of pvboot/string.h (ISO C semantics) for
 * stage 2, with the bulk ones as x86 string instructions: the loader
 * copies the kernel (hundreds of KiB) and clears its .bss, and under TCG
 * a byte loop costs ~20 ms where `rep movsl` costs well under one.
 * (lib/string.c keeps the portable loops for everyone else.)
 */
#include "pvboot/string.h"

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t words = n / 4, rest = n % 4;

	__asm__ volatile("rep movsl\n\tmovl %3, %%ecx\n\trep movsb"
			 : "+D"(d), "+S"(src), "+c"(words) : "r"(rest) : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)                     /* overlap, dst above src: backwards */
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	unsigned v = (unsigned char)c * 0x01010101u;
	size_t words = n / 4, rest = n % 4;

	__asm__ volatile("rep stosl\n\tmovl %3, %%ecx\n\trep stosb"
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
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}

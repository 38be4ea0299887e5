/* Unit tests for lib/fmt.c: the freestanding printf subset (pvboot/fmt.h), checked against C99 snprintf. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <cmocka.h>
#include "pvboot/fmt.h"

#define CHECK(fmt, ...) do {						\
	char a[128], b[128];						\
	int na = pv_snprintf(a, sizeof(a), fmt, __VA_ARGS__);		\
	int nb = snprintf(b, sizeof(b), fmt, __VA_ARGS__);		\
	assert_string_equal(a, b);					\
	assert_int_equal(na, nb);					\
} while (0)

static void test_integers(void **state)
{
	CHECK("%d|%i|%u", 42, -42, 42u);
	CHECK("%d", INT_MIN);
	CHECK("%d", INT_MAX);
	CHECK("%u", UINT_MAX);
	CHECK("%x|%X", 0xdeadbeefu, 0xdeadbeefu);
	CHECK("%llx", 0x123456789abcdef0ull);
	CHECK("%llu|%lld", ULLONG_MAX, LLONG_MIN);
	CHECK("%lx|%ld", 0xfffffffful, -5l);
	CHECK("%zu|%zx", (size_t)12345, (size_t)0xabc);
	CHECK("%d", 0);
	CHECK("%x", 0u);
}

static void test_widths(void **state)
{
	CHECK("[%5d]", 42);
	CHECK("[%-5d]", 42);
	CHECK("[%05d]", 42);
	CHECK("[%05d]", -42);
	CHECK("[%5d]", -42);
	CHECK("[%-6d]", -42);
	CHECK("[%08x]", 0xbeefu);
	CHECK("[%02x]", 0x1234u);       /* width smaller than the number */
	CHECK("[%*d]", 6, 7);
	CHECK("[%016llx]", 0xfeedull);
	CHECK("[%8s]", "ab");
	CHECK("[%-8s]", "ab");
	CHECK("[%c%c]", 'o', 'k');
	CHECK("[%%]%s", "");
}

static void test_string_precision(void **state)
{
	/* Not NUL-terminated: %.*s must read no further than the precision. */
	char *raw = malloc(4);

	memcpy(raw, "abcd", 4);
	CHECK("[%.3s]", "abcdef");
	CHECK("[%.0s]", "abc");
	CHECK("[%.10s]", "abc");
	CHECK("[%.*s]", 4, raw);
	CHECK("[%6.2s]", "abc");
	CHECK("[%-6.2s]", "abc");
	free(raw);
}

/* The next two feed formats gcc rightly complains about: on purpose. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

static void test_null_string(void **state)
{
	char b[16];

	pv_snprintf(b, sizeof(b), "%s", (char *)NULL);
	assert_string_equal(b, "(null)");
}

static void test_truncation(void **state)
{
	char b[8];

	memset(b, 'X', sizeof(b));
	assert_int_equal(pv_snprintf(b, 5, "%s", "hello world"), 11);
	assert_string_equal(b, "hell");
	assert_int_equal(b[5], 'X');            /* nothing past size written */
	assert_int_equal(pv_snprintf(b, 1, "%d", 12345), 5);
	assert_string_equal(b, "");
	b[0] = 'Q';
	assert_int_equal(pv_snprintf(b, 0, "%d", 12345), 5);
	assert_int_equal(b[0], 'Q');
	assert_int_equal(pv_snprintf(NULL, 0, "%llx", 0x10ull), 2);
	assert_int_equal(pv_snprintf(b, sizeof(b), "%08x", 0xffffffffu), 8);
	assert_string_equal(b, "fffffff");
}

static void test_pointer(void **state)
{
	char b[32], want[32];
	void *p = (void *)(uintptr_t)0x1234;

	pv_snprintf(b, sizeof(b), "%p", p);
	snprintf(want, sizeof(want), "0x%0*llx", (int)(2 * sizeof(void *)),
		 (unsigned long long)(uintptr_t)p);
	assert_string_equal(b, want);
}

static void test_unknown_conversion(void **state)
{
	char b[16];

	pv_snprintf(b, sizeof(b), "a%qb");
	assert_string_equal(b, "a%qb");
	pv_snprintf(b, sizeof(b), "end%");
	assert_string_equal(b, "end");
}

#pragma GCC diagnostic pop

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_string_precision),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_unknown_conversion),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Self-test reporting (kvm-unit-tests style) and the result line (docs/design.md §9). */
#ifndef KERNEL_REPORT_H
#define KERNEL_REPORT_H
#include "kernel.h"

/* PASS:/FAIL: line for one check; safe on any CPU. */
void report(bool pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void report_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* SUMMARY: line; true if at least one check ran and none failed. */
bool report_summary(void);
u32 report_passed(void);
u32 report_total(void);         /* checks that ran: passed + failed */
u32 report_skipped(void);

/* The one PVBOOT RESULT line; result_line_role() adds a role's fields
 * (" role=host ...") before the status. */
void result_line(const char *status);
void result_line_role(const char *role, const char *status);

/* Self-tests register themselves with SELFTEST(name) { ... }. */
struct selftest {
	const char *name;
	void (*fn)(void);
};
#define SELFTEST(name)							\
	static void selftest_##name(void);				\
	__attribute__((section(".selftests"), used))			\
	static const struct selftest selftest_rec_##name = { #name, selftest_##name }; \
	static void selftest_##name(void)

void run_selftests(void);

#endif

/* report()/report_summary() and the PVBOOT RESULT line (docs/design.md §9). */
#include "report.h"
#include "cpu.h"
#include "kdetect.h"
#include "kparavirt.h"
#include "mm.h"

static volatile u32 passed, failed, skipped;

extern const struct selftest __selftests[], __selftests_end[];

static void vreport(const char *tag, const char *fmt, va_list ap)
{
	char msg[200];

	pv_vsnprintf(msg, sizeof(msg), fmt, ap);
	kprintf("%s: %s\n", tag, msg);
}

void report(bool pass, const char *fmt, ...)
{
	va_list ap;

	__atomic_fetch_add(pass ? &passed : &failed, 1, __ATOMIC_SEQ_CST);
	va_start(ap, fmt);
	vreport(pass ? "PASS" : "FAIL", fmt, ap);
	va_end(ap);
}

void report_skip(const char *fmt, ...)
{
	va_list ap;

	__atomic_fetch_add(&skipped, 1, __ATOMIC_SEQ_CST);
	va_start(ap, fmt);
	vreport("SKIP", fmt, ap);
	va_end(ap);
}

/* A run where no check ran proves nothing: it fails like a failed check. */
bool report_summary(void)
{
	kprintf("SUMMARY: %u tests, %u unexpected failures, %u skipped\n",
		passed + failed, failed, skipped);
	if (passed + failed == 0)
		kprintf("FAIL: no self-test ran\n");
	return failed == 0 && passed > 0;
}

u32 report_passed(void) { return passed; }
u32 report_total(void) { return passed + failed; }
u32 report_skipped(void) { return skipped; }

void run_selftests(void)
{
	pvtrace_mark_selftests();
	for (const struct selftest *t = __selftests; t < __selftests_end; t++) {
		kprintf("selftest: %s\n", t->name);
		t->fn();
	}
}

/* The one PVBOOT RESULT line: the fields every kernel reports, then a
 * role's own (role: "" or e.g. " role=host guest=pass intact=yes", from
 * the lguest host), then the status, which is always last. */
void result_line_role(const char *role, const char *status)
{
	char extra[48] = "";

	if (pvtrace_active())
		pv_snprintf(extra, sizeof(extra), " uncalled=%u testonly=%u",
			    pvtrace_uncalled_count(), pvtrace_test_only_count());
	/* patched= sites rewritten, indirect= sites left as indirect calls;
	 * tests=PASSED/RAN (a skip is neither), then skipped=N. */
	kprintf("PVBOOT RESULT firmware=%s backend=%s forced=%u env=%s cpus=%u/%u patched=%u indirect=%u tests=%u/%u skipped=%u%s paging=%s secureboot=%s%s status=%s\n",
		pvboot_firmware_name(boot_info->firmware),
		pv_backend_name(boot_info->backend_id), boot_info->backend_forced,
		env_string(), ncpus_online, ncpus_present, patched_sites(),
		patch_stats.kind[PVSITE_INDIRECT], passed, passed + failed, skipped, extra,
		paging_pae ? "pae" : "2level", pvboot_secureboot_name(boot_info->secureboot), role, status);
}

void result_line(const char *status)
{
	result_line_role("", status);
}

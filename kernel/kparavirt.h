/* Kernel side of the paravirt machinery: backends, selection, patching. */
#ifndef KERNEL_PARAVIRT_H
#define KERNEL_PARAVIRT_H
#include "kernel.h"
#include "pvboot/patch.h"

/* A backend built into this kernel. */
struct pv_backend {
	u32 id;                         /* enum pv_backend_id */
	const char *name;
	const struct paravirt_patch_template *table;
	/* Backend setup before its table is used; NULL or why it failed. */
	const char *(*init)(void);
	/* Switch a copy of its table to PAE entry ops (kernel/paging.c
	 * decides whether to use it); NULL, or why this backend cannot. */
	const char *(*use_pae)(struct paravirt_patch_template *t);
	/* Its own rows for the benchmark (kernel/bench.c), or NULL. */
	const struct bench_extra *(*bench_rows)(void);
};

/*
 * A backend declares itself once, in its own file: its descriptor for the
 * core (section .pvbackend_descs, which the core walks) and its entry in
 * the list loaders read from the ELF (section .pvbackends, after the
 * header kernel/kernel.ld writes).  The core never names a backend.
 */
#define PV_BACKEND(var, bid, bname, tbl, ...)                                   \
	const struct pv_backend var = {                                         \
		.id = bid, .name = bname, .table = &tbl, __VA_ARGS__ };          \
	__attribute__((section(".pvbackend_descs"), used))                      \
	static const struct pv_backend *const var##_ref = &var;                 \
	__attribute__((section(".pvbackends.entry"), used, aligned(4)))         \
	static const struct pvboot_backend_entry var##_entry = { bid, bname, (u32)&tbl }

/*
 * A host role (host=NAME on the command line): after its own bring-up the
 * kernel runs a guest instead of finishing as usual.  The host's code
 * declares itself once (PV_HOST); the core finds it by the backend id its
 * guests run, which is what host= names.
 */
struct pv_host {
	u32 id;                 /* enum pv_backend_id of its guests */
	u32 va_hole_start;      /* the top of the address space the host keeps */
	/* NULL if the kernel may run PAE in this role, else why not (the
	 * paging=pae refusal line, kernel/paging.c). */
	const char *pae_refusal;
	/* Global pages would survive the switch into a guest's address space. */
	bool no_global_pages;
	/* Runs the guest and ends the boot with result_line_role() (never
	 * returns); host_ok: the host's own self-tests passed or did not run. */
	void (*run)(bool host_ok);
};
#define PV_HOST(var, ...)                                                       \
	const struct pv_host var = { __VA_ARGS__ };                             \
	__attribute__((section(".pvhost_descs"), used))                         \
	static const struct pv_host *const var##_ref = &var
/* host= (a backend id, PV_AUTO for none): the role this boot plays, which
 * also claims its va_hole_start.  NULL: no host role (one line if host=
 * names a role this image lacks). */
const struct pv_host *pv_host_select(u32 id);
const struct pv_host *pv_host_current(void);    /* after pv_host_select */

unsigned pv_backend_count(void);
const struct pv_backend *pv_backend_at(unsigned i);
const struct pv_backend *pv_backend_by_id(u32 id);
const struct pv_backend *pv_backend_current(void);      /* after select_backend */

/* Per-outcome totals of apply_paravirt(). */
struct patch_stats {
	u32 sites;
	u32 kind[PVSITE_NKINDS];
	u32 per_type[PV_NSLOTS];
};
extern struct patch_stats patch_stats;

/* Backend init runs under a fault guard; a fault falls back to native.
 * select_backend() needs the IDT loaded (kmain's early_traps). */
void select_backend(void);
/* For that fallback's line: init is now running `who`'s `step` (e.g. "the
 * ROM", "VMI_Init"); NULL, NULL when back in the backend's own code. */
void pv_init_step(const char *who, const char *step);
void pvtrace_install(void);
bool pvtrace_active(void);
u32 pvtrace_report(void);
u32 pvtrace_uncalled_count(void);       /* as of the last report */
void pvtrace_mark_selftests(void);      /* the self-tests start now */
u32 pvtrace_test_only_count(void);      /* as of the last report */
void apply_paravirt(bool nopatch, bool verbose);
u32 patched_sites(void);

#endif

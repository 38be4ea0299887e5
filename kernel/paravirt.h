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
	/* NULL if its environment is present, else what was looked for and
	 * not found (one line, for the refusal message). */
	const char *(*missing)(void);
	/* Backend setup before its table is used; NULL or why it failed. */
	const char *(*init)(void);
	/* Switch a copy of its table to PAE entry ops (kernel/paging.c
	 * decides whether to use it); NULL, or why this backend cannot. */
	const char *(*use_pae)(struct paravirt_patch_template *t);
};

extern const struct pv_backend pv_backends[];
extern const unsigned pv_nbackends;

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

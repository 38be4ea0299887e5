/*
 * The native backend's page-table entry ops for PAE (8-byte entries):
 * one `lock cmpxchg8b` where the op promises an atomic store or swap,
 * two ordered 4-byte stores (pvboot/pgtable.h) where it does not.
 */
#include "mm.h"
#include "paravirt_native.h"

static void pae_set_pte(pxe_t *p, pte_t v) { pae_store_halves((u32 *)p, v); }
static void pae_set_pte_at(struct mm_struct *mm, unsigned long a, pxe_t *p, pte_t v) { pae_store_halves((u32 *)p, v); }
static void pae_set_atomic(pxe_t *p, u64 v) { pxe_xchg8b(p, v); }
static pte_t pae_ptep_get_and_clear(pxe_t *p) { return pxe_xchg8b(p, 0); }
static void pae_pte_clear(struct mm_struct *mm, unsigned long a, pxe_t *p) { pae_store_halves((u32 *)p, 0); }
static void pae_pmd_clear(pxe_t *p) { pae_store_halves((u32 *)p, 0); }

/* Switch a table that holds native's 2-level entry ops to PAE. */
const char *native_use_pae(struct paravirt_patch_template *t)
{
	t->mmu.set_pte = pae_set_pte;
	t->mmu.set_pte_at = pae_set_pte_at;
	t->mmu.set_pte_present = pae_set_pte_at;       /* the store passes through not-present */
	t->mmu.set_pmd = pae_set_atomic;
	t->mmu.set_pud = pae_set_atomic;
	t->mmu.set_pte_atomic = pae_set_atomic;
	t->mmu.ptep_get_and_clear = pae_ptep_get_and_clear;
	t->mmu.pte_clear = pae_pte_clear;
	t->mmu.pmd_clear = pae_pmd_clear;
	return NULL;
}

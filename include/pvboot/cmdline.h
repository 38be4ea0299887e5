/* Command-line tokenizer and the kernel's option set (docs/design.md §3). */
#ifndef PVBOOT_CMDLINE_H
#define PVBOOT_CMDLINE_H
#include "pvboot/types.h"

/*
 * One word of a command line: `key` or `key=value`.  Words are separated by
 * blanks (space, tab, newline); a value may be double-quoted to hold blanks
 * ("a b"); `#` at the start of a word begins a comment to end of line (for
 * /boot/pvboot.cfg).  Pointers point into the parsed buffer; nothing is
 * copied and nothing is NUL-terminated.
 */
struct cmd_token {
	const char *key;
	size_t key_len;
	const char *val;        /* NULL when the word had no '=' */
	size_t val_len;
};

/*
 * Read the next word from [*pos, end).  Returns 1 and fills *t, 0 at the end
 * of input, -1 on a malformed word (unterminated quote, empty key, junk
 * after a closing quote) with *err set to a static one-line description;
 * *pos is then advanced past the bad word so that parsing can go on, and
 * t->key/key_len span the bad text (val NULL) so callers can show it.
 * A NUL byte ends the input like `end` does (C-string semantics: what the
 * user would see printed).  An unterminated quote swallows the rest of the
 * line.
 */
int cmd_next(const char **pos, const char *end, struct cmd_token *t,
	     const char **err);

/* A diagnostic for the user: one line, no trailing newline. */
typedef void (*cmd_warn_fn)(void *ctx, const char *line);

/* Format one diagnostic (<= 160 bytes) and hand it to warn if non-NULL. */
void pv_warnf(cmd_warn_fn warn, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Copy up to 40 bytes of untrusted text into dst for a diagnostic, with
 * control and non-ASCII bytes shown as '?' (one line stays one line) and
 * "..." appended when cut.  dst needs CMD_SHOW_MAX bytes.
 */
#define CMD_SHOW_MAX 48
void cmd_show(char *dst, const char *s, size_t len);

enum { CONSOLE_SERIAL = 1, CONSOLE_SCREEN = 2, CONSOLE_BOTH = 3 };
enum { KCRASH_NONE, KCRASH_PF, KCRASH_UD, KCRASH_GP, KCRASH_PANIC };

/* Every option the kernel understands, with its default in kopts_defaults. */
struct kopts {
	u32 pv;                 /* enum pv_backend_id, PV_AUTO by default */
	u32 smp;                /* max CPUs to bring up, 0 = all */
	bool nopatch;           /* leave paravirt sites as indirect calls */
	bool pvpatch_verbose;   /* pvpatch=verbose: list every site */
	bool test;              /* run self-tests, then exit QEMU */
	bool bench;             /* run the in-kernel benchmark */
	bool exit_after_boot;   /* `exit`: result line right after bring-up */
	bool pvtrace;           /* count calls per op */
	bool readline;          /* wait for one console input line, log it */
	u32 console;            /* CONSOLE_* mask, CONSOLE_BOTH by default */
	u32 timeout;            /* loader prompt timeout, seconds (default 3) */
	bool loader_verbose;    /* loader=verbose: every loader line, not a summary */
	u32 host;               /* host=lguest -> PV_LGUEST, else PV_AUTO */
	u32 guestmem_mb;        /* guestmem=, MiB, default 64 */
	int initwait;           /* initwait=auto|0|1: -1 auto, 0 skip, 1 wait 10 ms */
	u32 crash;              /* crash=: KCRASH_*, test-only deliberate fault */
	u32 paging;             /* paging=auto|2level|pae: enum paging_mode (pvboot/pgtable.h) */
	u32 unknown;            /* how many unknown keys were seen */
	u32 malformed;          /* how many values did not parse */
};

void kopts_defaults(struct kopts *o);

/*
 * Flags (nopatch, test, bench, exit, pvtrace) also take `=1` (set) and `=0`
 * (clear), so a later source can cancel an earlier one; other values are
 * malformed.  pvpatch=verbose sets pvpatch_verbose, pvpatch=default clears
 * it.  loader=verbose|quiet likewise.  guestmem= is MiB in 1..3072.
 *
 * Parse `len` bytes of `line` (need not be NUL-terminated) into *o, which
 * must hold defaults or earlier results: later words override earlier ones.
 * Unknown keys and bad values are reported through warn (may be NULL) by
 * name, counted, and otherwise ignored; a bad value leaves the previous
 * value in place.  `guest.*` keys belong to the guest and are skipped.
 * Returns the number of diagnostics issued.
 */
int kopts_parse(struct kopts *o, const char *line, size_t len,
		cmd_warn_fn warn, void *ctx);

/* Parse a decimal (or 0x hex) u32; false on junk, empty or overflow. */
bool cmd_parse_u32(const char *s, size_t len, u32 *out);

/* Backend name -> id (PV_AUTO for "auto"); -1 if unknown. */
int pv_backend_from_name(const char *s, size_t len);

#endif

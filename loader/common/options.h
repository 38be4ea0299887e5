/* The loader's command line: sources merged key by key with the source of each option recorded (docs/design.md §3). */
#ifndef LOADER_OPTIONS_H
#define LOADER_OPTIONS_H
#include "pvboot/types.h"
#include "pvboot/boot.h"
#include "pvboot/cmdline.h"

#define OPT_WORD_MAX 128
#define CONFIG_MAX 4096         /* /boot/pvboot.cfg larger than this is refused */

struct opt_word {
	char word[OPT_WORD_MAX];        /* "key" or "key=value" as written */
	u8 keylen;
	u8 src;                         /* enum pv_cmd_source */
};

struct optset {
	u32 n;
	struct opt_word w[PVBOOT_OPTSRC_MAX];
};

/*
 * Merge the words of line[0..len) into s from source src: a key already
 * present is replaced in place (the later source wins), a new key is
 * appended.  Malformed or oversized words are reported through warn and
 * skipped.  Returns the number of words skipped.
 */
int optset_merge(struct optset *s, const char *line, size_t len, u8 src,
		 cmd_warn_fn warn, void *ctx);

/*
 * Lay the words of top over s, each keeping its own source, as if their
 * lines had been merged after s's: a key already present is replaced in
 * place, a new key is appended.  Returns the number of words that did not
 * fit (each reported through warn).
 */
int optset_overlay(struct optset *s, const struct optset *top, cmd_warn_fn warn, void *ctx);

/*
 * The line after the prompt's editor: words that are unchanged keep their
 * earlier source, changed or new ones get src; removed ones are gone.
 */
int optset_edit(struct optset *s, const char *line, size_t len, u8 src,
		cmd_warn_fn warn, void *ctx);

/* "w1 w2 ..." into buf (NUL-terminated); false if it did not fit. */
bool optset_render(const struct optset *s, char *buf, size_t size);

/* The final command line and optsrc[] of the boot info. */
void optset_to_info(const struct optset *s, struct pvboot_info *info);

/* The word for key, or NULL. */
const struct opt_word *optset_find(const struct optset *s, const char *key);

/* A flag (test, exit, ...) that is present and not "=0". */
bool optset_flag(const struct optset *s, const char *key);

/*
 * Is the config text well-formed?  Refuses NUL and control bytes (a binary
 * or corrupted file) and words the tokenizer rejects; why gets
 * "line N: problem".
 */
int config_check(const char *text, size_t len, char *why, size_t wl);

#endif

/* Command-line sources merged key by key (docs/design.md §3: config < fw_cfg < uefi < prompt), with the source of every option kept. */
#include "options.h"
#include "pvboot/fmt.h"
#include "pvboot/string.h"

static int find_key(const struct optset *s, const char *key, size_t n)
{
	for (u32 i = 0; i < s->n; i++)
		if (s->w[i].keylen == n && !memcmp(s->w[i].word, key, n))
			return (int)i;
	return -1;
}

/* Put one word; src of an existing key is overwritten too. */
static int put_word(struct optset *s, const char *w, size_t wlen, size_t klen, u8 src,
		    cmd_warn_fn warn, void *ctx)
{
	char shown[CMD_SHOW_MAX];
	int i = find_key(s, w, klen);

	if (wlen >= OPT_WORD_MAX || klen > 255) {
		cmd_show(shown, w, wlen);
		pv_warnf(warn, ctx, "cmdline: option \"%s\" from %s is longer than %u bytes; ignored",
			 shown, pv_source_name(src), OPT_WORD_MAX - 1);
		return 1;
	}
	if (i < 0) {
		if (s->n == PVBOOT_OPTSRC_MAX) {
			cmd_show(shown, w, wlen);
			pv_warnf(warn, ctx, "cmdline: more than %u options; \"%s\" from %s ignored",
				 PVBOOT_OPTSRC_MAX, shown, pv_source_name(src));
			return 1;
		}
		i = (int)s->n++;
	}
	memcpy(s->w[i].word, w, wlen);
	s->w[i].word[wlen] = '\0';
	s->w[i].keylen = (u8)klen;
	s->w[i].src = src;
	return 0;
}

int optset_merge(struct optset *s, const char *line, size_t len, u8 src,
		 cmd_warn_fn warn, void *ctx)
{
	const char *pos = line, *end = line + len, *err;
	char shown[CMD_SHOW_MAX];
	struct cmd_token t;
	int r, skipped = 0;

	while ((r = cmd_next(&pos, end, &t, &err)) != 0) {
		if (r < 0) {
			cmd_show(shown, t.key, t.key_len);
			pv_warnf(warn, ctx, "cmdline: \"%s\" from %s: %s; ignored", shown,
				 pv_source_name(src), err);
			skipped++;
			continue;
		}
		skipped += put_word(s, t.key, (size_t)(pos - t.key), t.key_len, src, warn, ctx);
	}
	return skipped;
}

int optset_overlay(struct optset *s, const struct optset *top, cmd_warn_fn warn, void *ctx)
{
	int skipped = 0;

	for (u32 i = 0; i < top->n; i++)
		skipped += put_word(s, top->w[i].word, strlen(top->w[i].word), top->w[i].keylen,
				    top->w[i].src, warn, ctx);
	return skipped;
}

int optset_edit(struct optset *s, const char *line, size_t len, u8 src,
		cmd_warn_fn warn, void *ctx)
{
	struct optset old = *s;
	int skipped;

	s->n = 0;
	skipped = optset_merge(s, line, len, src, warn, ctx);
	for (u32 i = 0; i < s->n; i++)
		for (u32 j = 0; j < old.n; j++)
			if (!strcmp(s->w[i].word, old.w[j].word))
				s->w[i].src = old.w[j].src;
	return skipped;
}

bool optset_render(const struct optset *s, char *buf, size_t size)
{
	size_t at = 0;

	if (!size)
		return false;
	buf[0] = '\0';
	for (u32 i = 0; i < s->n; i++) {
		size_t n = strlen(s->w[i].word);

		if (at + n + (i ? 1 : 0) + 1 > size)
			return false;
		if (i)
			buf[at++] = ' ';
		memcpy(buf + at, s->w[i].word, n + 1);
		at += n;
	}
	return true;
}

void optset_to_info(const struct optset *s, struct pvboot_info *info)
{
	size_t at = 0;

	/* 48 words of up to 127 bytes can exceed the 1 KiB line: keep what fits. */
	info->cmdline[0] = '\0';
	info->optsrc_count = 0;
	for (u32 i = 0; i < s->n; i++) {
		struct pvboot_optsrc *o = &info->optsrc[i];
		size_t n = strlen(s->w[i].word);
		size_t k = s->w[i].keylen < sizeof(o->key) - 1 ? s->w[i].keylen : sizeof(o->key) - 1;

		if (at + n + 2 > sizeof(info->cmdline))
			break;
		if (at)
			info->cmdline[at++] = ' ';
		memcpy(info->cmdline + at, s->w[i].word, n + 1);
		at += n;
		memset(o->key, 0, sizeof(o->key));
		memcpy(o->key, s->w[i].word, k);
		o->source = s->w[i].src;
		info->optsrc_count = i + 1;
	}
}

const struct opt_word *optset_find(const struct optset *s, const char *key)
{
	int i = find_key(s, key, strlen(key));

	return i < 0 ? NULL : &s->w[i];
}

bool optset_flag(const struct optset *s, const char *key)
{
	const struct opt_word *w = optset_find(s, key);

	return w && strcmp(w->word + w->keylen, "=0") != 0;
}

static u32 line_of(const char *text, const char *at)
{
	u32 n = 1;

	for (const char *p = text; p < at; p++)
		n += *p == '\n';
	return n;
}

int config_check(const char *text, size_t len, char *why, size_t wl)
{
	const char *pos = text, *end = text + len, *err;
	char shown[CMD_SHOW_MAX];
	struct cmd_token t;
	int r;

	for (size_t i = 0; i < len; i++) {
		u8 c = (u8)text[i];
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
			return pv_snprintf(why, wl, "line %u: binary data (byte %#x at offset %u), not text",
					   line_of(text, text + i), c, (u32)i), -1;
	}
	while ((r = cmd_next(&pos, end, &t, &err)) != 0) {
		if (r < 0) {
			cmd_show(shown, t.key, t.key_len);
			return pv_snprintf(why, wl, "line %u: %s in \"%s\"",
					   line_of(text, t.key), err, shown), -1;
		}
	}
	return 0;
}

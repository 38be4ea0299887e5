/* Command-line tokenizer and option parser (docs/design.md §3, pvboot/cmdline.h). */
#include <stdarg.h>
#include "pvboot/cmdline.h"
#include "pvboot/boot.h"
#include "pvboot/fmt.h"
#include "pvboot/string.h"

#define WARN_LINE_MAX 160
#define SHOW_CHARS 40

void pv_warnf(cmd_warn_fn warn, void *ctx, const char *fmt, ...)
{
	char line[WARN_LINE_MAX];
	va_list ap;

	if (!warn)
		return;
	va_start(ap, fmt);
	pv_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	warn(ctx, line);
}

void cmd_show(char *dst, const char *s, size_t len)
{
	size_t n = len < SHOW_CHARS ? len : SHOW_CHARS;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		/* A newline or escape in a message would forge console lines. */
		dst[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (n < len) {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
}

/* ---- tokenizer ------------------------------------------------------------ */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Skip blanks and `#` comments; stop at end, NUL, or the start of a word. */
static const char *skip_space(const char *p, const char *end)
{
	while (p < end && *p) {
		if (is_blank(*p)) {
			p++;
		} else if (*p == '#') {
			while (p < end && *p && *p != '\n')
				p++;
		} else {
			break;
		}
	}
	return p;
}

static const char *word_end(const char *p, const char *end)
{
	while (p < end && *p && !is_blank(*p))
		p++;
	return p;
}

static const char *line_end(const char *p, const char *end)
{
	while (p < end && *p && *p != '\n')
		p++;
	return p;
}

/* Report a bad word spanning [start, stop) and resume after it. */
static int bad_word(const char **pos, const char *start, const char *stop,
		    struct cmd_token *t, const char **err, const char *why)
{
	t->key = start;
	t->key_len = (size_t)(stop - start);
	t->val = NULL;
	t->val_len = 0;
	*err = why;
	*pos = stop;
	return -1;
}

/* Parse a value starting at p (just after '='); fills t->val. */
static int read_value(const char **pos, const char *start, const char *p,
		      const char *end, struct cmd_token *t, const char **err)
{
	if (p < end && *p == '"') {
		const char *q = p + 1;

		while (q < end && *q && *q != '"' && *q != '\n')
			q++;
		if (q >= end || *q != '"')
			return bad_word(pos, start, line_end(q, end), t, err,
					"unterminated quote");
		if (q + 1 < end && q[1] && !is_blank(q[1]))
			return bad_word(pos, start, word_end(q, end), t, err,
					"junk after closing quote");
		t->val = p + 1;
		t->val_len = (size_t)(q - (p + 1));
		*pos = q + 1;
		return 1;
	}
	const char *e = word_end(p, end);

	t->val = p;
	t->val_len = (size_t)(e - p);
	*pos = e;
	return 1;
}

int cmd_next(const char **pos, const char *end, struct cmd_token *t,
	     const char **err)
{
	const char *start = skip_space(*pos, end);
	const char *p = start;

	*pos = start;
	if (start >= end || !*start)
		return 0;
	while (p < end && *p && !is_blank(*p) && *p != '=')
		p++;
	if (p == start)
		return bad_word(pos, start, word_end(p, end), t, err,
				"empty key");
	t->key = start;
	t->key_len = (size_t)(p - start);
	t->val = NULL;
	t->val_len = 0;
	if (p < end && *p == '=')
		return read_value(pos, start, p + 1, end, t, err);
	*pos = p;
	return 1;
}

/* ---- values ---------------------------------------------------------------- */

static int digit_value(char c, unsigned base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return d < (int)base ? d : -1;
}

bool cmd_parse_u32(const char *s, size_t len, u32 *out)
{
	unsigned base = 10;
	u64 v = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		int d = digit_value(s[i], base);

		if (d < 0)
			return false;
		v = v * base + (unsigned)d;
		if (v > 0xffffffffu)
			return false;
	}
	*out = (u32)v;
	return true;
}

static bool word_is(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len == n && memcmp(s, lit, n) == 0;
}

int pv_backend_from_name(const char *s, size_t len)
{
	for (u32 id = PV_AUTO; id < PV_BACKEND_MAX; id++)
		if (word_is(s, len, pv_backend_name(id)))
			return (int)id;
	return -1;
}

/* ---- options ------------------------------------------------------------------ */

void kopts_defaults(struct kopts *o)
{
	memset(o, 0, sizeof(*o));
	o->pv = PV_AUTO;
	o->smp = 0;
	o->console = CONSOLE_BOTH;
	o->timeout = 3;
	o->host = PV_AUTO;
	o->guestmem_mb = 64;
	o->initwait = -1;
}

/*
 * A value option: set() parses v and returns NULL, or a short reason and
 * leaves *o alone; show() prints the value in force, for the diagnostic.
 */
struct kopt_desc {
	const char *key;
	const char *(*set)(struct kopts *o, const char *v, size_t n);
	void (*show)(const struct kopts *o, char *buf, size_t size);
};

static const char *set_pv(struct kopts *o, const char *v, size_t n)
{
	int id = pv_backend_from_name(v, n);

	if (id < 0)
		return "not auto, native, vmi or lguest";
	o->pv = (u32)id;
	return NULL;
}

static void show_pv(const struct kopts *o, char *b, size_t sz)
{
	pv_snprintf(b, sz, "%s", pv_backend_name(o->pv));
}

static const char *set_smp(struct kopts *o, const char *v, size_t n)
{
	return cmd_parse_u32(v, n, &o->smp) ? NULL : "not a number";
}

static void show_smp(const struct kopts *o, char *b, size_t sz)
{
	pv_snprintf(b, sz, o->smp ? "%u" : "%u (all CPUs)", o->smp);
}

static const char *set_pvpatch(struct kopts *o, const char *v, size_t n)
{
	if (word_is(v, n, "verbose"))
		o->pvpatch_verbose = true;
	else if (word_is(v, n, "default"))
		o->pvpatch_verbose = false;
	else
		return "not verbose or default";
	return NULL;
}

static void show_pvpatch(const struct kopts *o, char *b, size_t sz)
{
	pv_snprintf(b, sz, "%s", o->pvpatch_verbose ? "verbose" : "default");
}

/* loader=verbose: the loader prints its detail lines, not only a summary. */
static const char *set_loader(struct kopts *o, const char *v, size_t n)
{
	if (word_is(v, n, "verbose"))
		o->loader_verbose = true;
	else if (word_is(v, n, "quiet"))
		o->loader_verbose = false;
	else
		return "not quiet or verbose";
	return NULL;
}

static void show_loader(const struct kopts *o, char *b, size_t sz)
{
	pv_snprintf(b, sz, "%s", o->loader_verbose ? "verbose" : "quiet");
}

static const char *set_console(struct kopts *o, const char *v, size_t n)
{
	if (word_is(v, n, "serial"))
		o->console = CONSOLE_SERIAL;
	else if (word_is(v, n, "screen"))
		o->console = CONSOLE_SCREEN;
	else if (word_is(v, n, "both"))
		o->console = CONSOLE_BOTH;
	else
		return "not serial, screen or both";
	return NULL;
}

static void show_console(const struct kopts *o, char *b, size_t sz)
{
	static const char *const names[] = { "none", "serial", "screen", "both" };

	pv_snprintf(b, sz, "%s", names[o->console & 3]);
}

static const char *set_timeout(struct kopts *o, const char *v, size_t n)
{
	return cmd_parse_u32(v, n, &o->timeout) ? NULL : "not a number";
}

static void show_timeout(const struct kopts *o, char *b, size_t sz)
{
	pv_snprintf(b, sz, "%u", o->timeout);
}

static const char *set_host(struct kopts *o, const char *v, size_t n)
{
	if (!word_is(v, n, "lguest"))
		return "only lguest is supported";
	o->host = PV_LGUEST;
	return NULL;
}

static void show_host(const struct kopts *o, char *b, size_t sz)
{
	pv_snprintf(b, sz, "%s", o->host == PV_LGUEST ? "lguest" : "none");
}

static const char *set_guestmem(struct kopts *o, const char *v, size_t n)
{
	u32 mb;

	if (!cmd_parse_u32(v, n, &mb))
		return "not a number";
	/* The guest lives below 4 GiB next to the host: at most 3 GiB. */
	if (mb < 1 || mb > 3072)
		return "out of range 1..3072 MiB";
	o->guestmem_mb = mb;
	return NULL;
}

static void show_guestmem(const struct kopts *o, char *b, size_t sz)
{
	pv_snprintf(b, sz, "%u MiB", o->guestmem_mb);
}

static const char *set_initwait(struct kopts *o, const char *v, size_t n)
{
	if (word_is(v, n, "auto"))
		o->initwait = -1;
	else if (word_is(v, n, "0"))
		o->initwait = 0;
	else if (word_is(v, n, "1"))
		o->initwait = 1;
	else
		return "not auto, 0 or 1";
	return NULL;
}

static void show_initwait(const struct kopts *o, char *b, size_t sz)
{
	pv_snprintf(b, sz, "%s", o->initwait < 0 ? "auto" :
		    o->initwait ? "1" : "0");
}

/* paging=: the page-table format (order of enum paging_mode). */
static const char *const paging_names[] = { "auto", "2level", "pae" };

static const char *set_paging(struct kopts *o, const char *v, size_t n)
{
	for (u32 i = 0; i < ARRAY_SIZE(paging_names); i++)
		if (word_is(v, n, paging_names[i])) {
			o->paging = i;
			return NULL;
		}
	return "not auto, 2level or pae";
}

static void show_paging(const struct kopts *o, char *b, size_t sz)
{
	pv_snprintf(b, sz, "%s", o->paging < ARRAY_SIZE(paging_names) ? paging_names[o->paging] : "?");
}

/* Test-only: take this exception on purpose once the machine is up. */
static const char *const crash_names[] = { "none", "pf", "ud", "gp", "panic" };

static const char *set_crash(struct kopts *o, const char *v, size_t n)
{
	for (u32 i = 0; i < ARRAY_SIZE(crash_names); i++)
		if (word_is(v, n, crash_names[i])) {
			o->crash = i;
			return NULL;
		}
	return "not none, pf, ud, gp or panic";
}

static void show_crash(const struct kopts *o, char *b, size_t sz)
{
	pv_snprintf(b, sz, "%s", o->crash < ARRAY_SIZE(crash_names) ? crash_names[o->crash] : "?");
}

static const struct kopt_desc value_opts[] = {
	{ "crash", set_crash, show_crash },
	{ "pv", set_pv, show_pv },
	{ "smp", set_smp, show_smp },
	{ "pvpatch", set_pvpatch, show_pvpatch },
	{ "console", set_console, show_console },
	{ "timeout", set_timeout, show_timeout },
	{ "loader", set_loader, show_loader },
	{ "host", set_host, show_host },
	{ "guestmem", set_guestmem, show_guestmem },
	{ "initwait", set_initwait, show_initwait },
	{ "paging", set_paging, show_paging },
};

/* Boolean flags: the word alone sets them. */
static bool *flag_ptr(struct kopts *o, const char *k, size_t n)
{
	if (word_is(k, n, "nopatch"))
		return &o->nopatch;
	if (word_is(k, n, "test"))
		return &o->test;
	if (word_is(k, n, "bench"))
		return &o->bench;
	if (word_is(k, n, "exit"))
		return &o->exit_after_boot;
	if (word_is(k, n, "readline"))
		return &o->readline;
	if (word_is(k, n, "pvtrace"))
		return &o->pvtrace;
	return NULL;
}

/* Returns the number of diagnostics (0 or 1). */
static int apply_flag(struct kopts *o, bool *f, const struct cmd_token *t,
		      cmd_warn_fn warn, void *ctx)
{
	char k[CMD_SHOW_MAX], v[CMD_SHOW_MAX];

	if (!t->val || word_is(t->val, t->val_len, "1")) {
		*f = true;
		return 0;
	}
	if (word_is(t->val, t->val_len, "0")) {
		*f = false;
		return 0;
	}
	cmd_show(k, t->key, t->key_len);
	cmd_show(v, t->val, t->val_len);
	pv_warnf(warn, ctx, "cmdline: %s=%s: a flag takes no value, 1 or 0; "
		 "%s stays %s", k, v, k, *f ? "on" : "off");
	o->malformed++;
	return 1;
}

static int apply_value(struct kopts *o, const struct kopt_desc *d,
		       const struct cmd_token *t, cmd_warn_fn warn, void *ctx)
{
	char v[CMD_SHOW_MAX], cur[32];
	const char *why;

	if (!t->val) {
		why = "needs a value";
		v[0] = '\0';
	} else {
		why = d->set(o, t->val, t->val_len);
		if (!why)
			return 0;
		cmd_show(v, t->val, t->val_len);
	}
	d->show(o, cur, sizeof(cur));
	pv_warnf(warn, ctx, "cmdline: %s%s%s: %s, using %s", d->key,
		 t->val ? "=" : "", v, why, cur);
	o->malformed++;
	return 1;
}

static int apply_token(struct kopts *o, const struct cmd_token *t,
		       cmd_warn_fn warn, void *ctx)
{
	char k[CMD_SHOW_MAX];
	bool *f;

	/* guest.X=Y is passed down to the lguest guest, not ours. */
	if (t->key_len > 6 && memcmp(t->key, "guest.", 6) == 0)
		return 0;
	f = flag_ptr(o, t->key, t->key_len);
	if (f)
		return apply_flag(o, f, t, warn, ctx);
	for (size_t i = 0; i < ARRAY_SIZE(value_opts); i++)
		if (word_is(t->key, t->key_len, value_opts[i].key))
			return apply_value(o, &value_opts[i], t, warn, ctx);
	cmd_show(k, t->key, t->key_len);
	pv_warnf(warn, ctx, "cmdline: unknown option '%s' ignored", k);
	o->unknown++;
	return 1;
}

int kopts_parse(struct kopts *o, const char *line, size_t len,
		cmd_warn_fn warn, void *ctx)
{
	const char *pos = line, *end = line + len;
	struct cmd_token t;
	const char *err;
	char w[CMD_SHOW_MAX];
	int r, diags = 0;

	if (!line)
		return 0;
	while ((r = cmd_next(&pos, end, &t, &err)) != 0) {
		if (r > 0) {
			diags += apply_token(o, &t, warn, ctx);
			continue;
		}
		cmd_show(w, t.key, t.key_len);
		pv_warnf(warn, ctx, "cmdline: %s in '%s', word ignored", err, w);
		o->malformed++;
		diags++;
	}
	return diags;
}

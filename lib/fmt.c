/* Freestanding printf subset (see pvboot/fmt.h); no floating point. */
#include "pvboot/fmt.h"
#include "pvboot/div64.h"

struct out {
	char *buf;
	size_t size, pos;
};

static void put(struct out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

/* Format one unsigned number with width/zero/left-justify flags. */
static void number(struct out *o, u64 v, unsigned base, bool upper,
		   bool neg, int width, bool zero, bool left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[div64_rem(&v, base)];
	} while (v);
	int len = n + (neg ? 1 : 0);
	if (!left && !zero)
		pad(o, ' ', width - len);
	if (neg)
		put(o, '-');
	if (!left && zero)
		pad(o, '0', width - len);
	while (n)
		put(o, tmp[--n]);
	if (left)
		pad(o, ' ', width - len);
}

static void string(struct out *o, const char *s, int prec, int width, bool left)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while ((prec < 0 || len < prec) && s[len])
		len++;
	if (!left)
		pad(o, ' ', width - len);
	for (int i = 0; i < len; i++)
		put(o, s[i]);
	if (left)
		pad(o, ' ', width - len);
}

/* Fetch an integer argument of the given length class (0 int, 1 long, 2 ll, 3 size_t). */
static u64 arg_unsigned(va_list *ap, int lng)
{
	switch (lng) {
	case 1: return va_arg(*ap, unsigned long);
	case 2: return va_arg(*ap, unsigned long long);
	case 3: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static s64 arg_signed(va_list *ap, int lng)
{
	switch (lng) {
	case 1: return va_arg(*ap, long);
	case 2: return va_arg(*ap, long long);
	case 3: return (s64)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}

/* One conversion specification: %[flags][width][.prec][length]conv. */
struct spec {
	bool left, zero, alt;
	int width, prec, lng;   /* prec -1: none; lng: 0 int, 1 l, 2 ll, 3 z */
};

/* Parse flags, width, precision and length after the '%'; returns the
 * conversion character's position. */
static const char *parse_spec(const char *fmt, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .prec = -1 };
	for (; *fmt == '-' || *fmt == '0' || *fmt == '#'; fmt++) {
		if (*fmt == '-')
			sp->left = true;
		else if (*fmt == '0')
			sp->zero = true;
		else
			sp->alt = true;
	}
	if (*fmt == '*') {
		sp->width = va_arg(*ap, int);
		fmt++;
	}
	for (; *fmt >= '0' && *fmt <= '9'; fmt++)
		sp->width = sp->width * 10 + (*fmt - '0');
	if (*fmt == '.') {
		sp->prec = 0;
		if (*++fmt == '*') {
			sp->prec = va_arg(*ap, int);
			fmt++;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			sp->prec = sp->prec * 10 + (*fmt - '0');
	}
	for (; *fmt == 'l' || *fmt == 'z'; fmt++)
		sp->lng = *fmt == 'z' ? 3 : sp->lng + 1;
	return fmt;
}

/* Emit one conversion. */
static void convert(struct out *o, char conv, struct spec *sp, va_list *ap)
{
	switch (conv) {
	case 'd': case 'i': {
		s64 v = arg_signed(ap, sp->lng);
		number(o, v < 0 ? -(u64)v : (u64)v, 10, false, v < 0,
		       sp->width, sp->zero, sp->left);
		break;
	}
	case 'u':
		number(o, arg_unsigned(ap, sp->lng), 10, false, false,
		       sp->width, sp->zero, sp->left);
		break;
	case 'x':
	case 'X':
		if (sp->alt) {          /* %#x: 0x prefix, counted in width */
			put(o, '0');
			put(o, 'x');
			sp->width -= 2;
		}
		number(o, arg_unsigned(ap, sp->lng), 16, conv == 'X', false,
		       sp->width, sp->zero, sp->left);
		break;
	case 'p':
		put(o, '0');
		put(o, 'x');
		number(o, (uintptr_t)va_arg(*ap, void *), 16, false, false,
		       2 * (int)sizeof(void *), true, false);
		break;
	case 's': string(o, va_arg(*ap, const char *), sp->prec, sp->width, sp->left); break;
	case 'c': put(o, (char)va_arg(*ap, int)); break;
	case '%': put(o, '%'); break;
	default: put(o, '%'); put(o, conv); break;
	}
}

int pv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap0)
{
	struct out o = { buf, size, 0 };
	struct spec sp;
	va_list ap;

	va_copy(ap, ap0);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &ap);
		if (*fmt == '\0') {    /* a lone '%' at the end prints nothing */
			fmt--;
			continue;
		}
		convert(&o, *fmt, &sp, &ap);
	}
	va_end(ap);
	if (size)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return (int)o.pos;
}

int pv_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = pv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

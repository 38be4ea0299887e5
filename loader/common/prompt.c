/* The loader prompt (docs/design.md §3 source 4): a countdown, then a one-line editor that works the same on screen and serial. */
#include "loader.h"
#include "pvboot/string.h"

#define EDIT_IDLE_S 60          /* the editor gives up after this long without a key */

/* Redraw "> line" and put the cursor back at cur with backspaces. */
static void redraw(const struct loader_platform *p, const char *line, size_t len, size_t cur)
{
	char tail[4] = { ' ', '\b', 0 };

	p->puts("\r> ");
	p->puts(line);
	p->puts(tail);                  /* erase a deleted last character */
	for (size_t i = cur; i < len; i++)
		p->puts("\b");
}

static int edit(const struct loader_platform *p, char *line, size_t size, int key)
{
	size_t len = strlen(line), cur = len;
	char orig[PVBOOT_CMDLINE_MAX];

	if (len >= sizeof(orig) || size > sizeof(orig))
		return PROMPT_BOOT;
	memcpy(orig, line, len + 1);
	lprintf("\nedit the command line: Enter boots it, Esc cancels (or no key for %u s)\n",
		EDIT_IDLE_S);
	redraw(p, line, len, cur);
	for (;;) {
		/* Noise on the serial line can open the editor too: after
		 * EDIT_IDLE_S without a key, the line as it was boots. */
		for (u32 t = 0; key == KEY_NONE; t++) {
			if (t == EDIT_IDLE_S * 100) {
				memcpy(line, orig, strlen(orig) + 1);
				lprintf("\nno key for %u s: edit cancelled, booting the line as it was\n",
					EDIT_IDLE_S);
				return PROMPT_BOOT;
			}
			p->sleep_ms(10);
			key = p->getkey();
		}
		if (key == KEY_ENTER || key == '\n') {
			lprintf("\n");
			return PROMPT_EDITED;
		}
		if (key == KEY_ESC) {
			memcpy(line, orig, strlen(orig) + 1);
			lprintf("\nedit cancelled\n");
			return PROMPT_BOOT;
		}
		if (key == KEY_LEFT && cur)
			cur--;
		else if (key == KEY_RIGHT && cur < len)
			cur++;
		else if (key == KEY_HOME)
			cur = 0;
		else if (key == KEY_END)
			cur = len;
		else if ((key == KEY_BACKSPACE || key == 0x7f) && cur) {
			memmove(line + cur - 1, line + cur, len - cur + 1);
			cur--, len--;
		} else if (key == KEY_DELETE && cur < len) {
			memmove(line + cur, line + cur + 1, len - cur);
			len--;
		} else if (key >= 0x20 && key < 0x7f && len + 1 < size) {
			memmove(line + cur + 1, line + cur, len - cur + 1);
			line[cur++] = (char)key;
			len++;
		}
		redraw(p, line, len, cur);
		key = KEY_NONE;
	}
}

int prompt_run(const struct loader_platform *p, const char *line_shown, char *line,
	       size_t size, u32 timeout_s, int first_key)
{
	int key = first_key;

	lprintf("pvboot: booting %s with \"%s\"\n", KERNEL_PATH, line_shown);
	if (key == KEY_NONE) {
		lprintf("press e (or any key) to edit the command line, Enter to boot now: ");
		for (u32 s = timeout_s; s > 0 && key == KEY_NONE; s--) {
			lprintf("%u ", s);
			for (int t = 0; t < 100 && key == KEY_NONE; t++) {
				p->sleep_ms(10);
				key = p->getkey();
			}
		}
		lprintf("\n");
	}
	if (key == KEY_NONE || key == KEY_ENTER || key == '\n')
		return PROMPT_BOOT;
	return edit(p, line, size, key == 'e' ? KEY_NONE : key);
}

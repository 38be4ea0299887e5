/* Kernel-wide declarations: logging, panic, the boot info and options. */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H
#include "pvboot/types.h"
#include "pvboot/boot.h"
#include "pvboot/cmdline.h"
#include "pvboot/paravirt.h"
#include "pvboot/x86.h"
#include "pvboot/fmt.h"
#include "pvboot/string.h"
#include "pvboot/io.h"          /* port I/O: used directly, not through the table */

extern struct pvboot_info *boot_info;   /* what the loader (or we) filled */
extern struct kopts kopts;              /* the parsed command line */

/* Console (kernel/console.c).  kprintf output is whole lines per call
 * under one lock, so CPUs never interleave within a line. */
void console_init(u32 mask);
void console_set_mask(u32 mask);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
void console_write(const char *s, size_t n);
void console_warn_cb(void *ctx, const char *line);  /* cmd_warn_fn adapter */
/* A backend's console (lguest: a hypercall) instead of the UART. */
void console_set_hook(void (*hook)(const char *s, size_t n));
void console_input(char c);             /* a byte of input arrived */
void console_read_line(u32 ms);         /* `readline` */
/* Framebuffer text (kernel/fbcon.c), for UEFI GOP screens. */
void fbcon_init(const struct pvboot_screen *s);
void fbcon_putc(char c);

/* Stop: print, dump nothing more, end with status=crash. */
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Leaving QEMU (kernel/power.c): isa-debug-exit with code, else poweroff.
 * Codes: 0 pass, 1 fail, 2 crash (isa-debug-exit sees 1 for both). */
#define EXIT_CRASH 2
_Noreturn void qemu_exit(int code);
void power_set_exit_hook(void (*hook)(int code));

static inline void cpu_relax(void) { asm volatile("pause" ::: "memory"); }
static inline void barrier(void) { asm volatile("" ::: "memory"); }

#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile typeof(x) *)&(x) = (v))

/* Symbols from the linker script */
extern char __kernel_start[], __kernel_end[], __text_end[];
extern char __bss_start[], __bss_end[];
extern char boot_stack_top[], boot_stack_bottom[];

#endif

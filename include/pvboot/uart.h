/* The PC's first serial port (a 16550A UART at COM1), polled, 115200 8N1: the set-up the BIOS loader, the kernel's early CPU check and the kernel console share. */
#ifndef PVBOOT_UART_H
#define PVBOOT_UART_H
#include "pvboot/io.h"

#define COM1 0x3f8

/* Register offsets from the base port (16550A data sheet). */
#define UART_DATA 0             /* THR on write, RBR on read; DLL with DLAB */
#define UART_IER  1             /* interrupt enable; DLM with DLAB */
#define UART_FCR  2             /* FIFO control (write only) */
#define UART_LCR  3             /* line control; bit 7 is DLAB */
#define UART_MCR  4             /* modem control */
#define UART_LSR  5             /* line status */
#define UART_LSR_DR   0x01      /* a received byte is waiting */
#define UART_LSR_THRE 0x20      /* transmit holding register (FIFO) empty */

/* The line alone: interrupts off, divisor 1 (115200 baud), 8N1.  Leaves
 * the FIFOs as they are, so bytes still being sent are not dropped. */
static inline void uart_set_line(u16 base)
{
	outb(base + UART_IER, 0x00);
	outb(base + UART_LCR, 0x80);    /* DLAB on: the divisor follows */
	outb(base + UART_DATA, 0x01);   /* DLL */
	outb(base + UART_IER, 0x00);    /* DLM */
	outb(base + UART_LCR, 0x03);    /* 8N1, DLAB off */
}

/* A fresh start: the line, then both FIFOs on and cleared (14-byte
 * receive trigger) and DTR, RTS raised. */
static inline void uart_init(u16 base)
{
	uart_set_line(base);
	outb(base + UART_FCR, 0xc7);
	outb(base + UART_MCR, 0x03);
}

#endif

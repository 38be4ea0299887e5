/* The native return paths (jumped to from unpatched iret/sysexit sites)
 * and the inline templates native_patch() copies into call sites. */

	.text
	.globl native_iret
native_iret:
	iret

	.globl native_irq_enable_sysexit
native_irq_enable_sysexit:
	sti
	sysexit

/* Each template: start_<op> .. end_<op>, copied verbatim into a site. */
#define TEMPLATE(name, insns...)	\
	.globl start_##name, end_##name;	\
start_##name: insns;			\
end_##name:

	.section .rodata
TEMPLATE(irq_disable, cli)
TEMPLATE(irq_enable, sti)
TEMPLATE(save_fl, pushfl; popl %eax)
TEMPLATE(restore_fl, pushl %eax; popfl)
TEMPLATE(read_cr2, movl %cr2, %eax)
TEMPLATE(read_cr3, movl %cr3, %eax)
TEMPLATE(write_cr3, movl %eax, %cr3)
TEMPLATE(clts, clts)
TEMPLATE(read_tsc, rdtsc)
TEMPLATE(iret, iret)
TEMPLATE(irq_enable_sysexit, sti; sysexit)

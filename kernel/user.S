/*
 * Ring-3 side of the self-tests and the kernel's task-switch glue.
 *
 * user_prog_start..user_prog_end is copied to the first page of every
 * task's user slot and runs in ring 3.  It is position independent: the
 * kernel enters it with eax = program number, ebx = argument, ecx = the
 * slot base (kernel/task.c), and it reports with SYS_EXIT (ebx = result,
 * 0 = success, else a bit per failed check).  Program numbers match
 * enum user_prog in kernel/task.c.
 */
#include "pvboot/x86.h"
#include "pvboot/paravirt.h"

#define SYS_EXIT 0
#define SYS_ECHO 1
#define SYS_NULL 2
#define SYS_YIELD 3
#define SYS_GETCPU 4
#define USER_DEMAND 0x100000            /* USER_DEMAND_OFF in task.h */

/*
 * The end of one bench-loop round, right after its second rdtsc: the TSC
 * delta since %ebx into (%edi), %edi to the next slot, and round again
 * (at the `1:` before) until %esi runs out; then exit with ebx = 0.
 */
	.macro SAMPLE_NEXT
	subl %ebx, %eax
	movl %eax, (%edi)
	addl $4, %edi
	decl %esi
	jnz 1b
	xorl %ebx, %ebx
	jmp u_exit
	.endm


	.section .rodata
	.globl user_prog_start, user_prog_end
	.balign 16
user_prog_start:
	movl %ecx, %ebp                 /* slot base, kept in ebp */
	cmpl $0, %eax;  je p_int80_regs
	cmpl $1, %eax;  je p_sysenter_regs
	cmpl $2, %eax;  je p_demand_fault
	cmpl $3, %eax;  je p_kernel_read
	cmpl $4, %eax;  je p_port_io
	cmpl $5, %eax;  je p_isolation
	cmpl $6, %eax;  je p_tls
	cmpl $7, %eax;  je p_null_loop
	cmpl $8, %eax;  je p_sysenter_loop
	cmpl $9, %eax;  je p_isolation_int80
	movl $0xbad, %ebx
	jmp u_exit

/* 0: int 0x80 must return the result in eax and preserve every other
 * register. */
p_int80_regs:
	movl $0x11111111, %ebx
	movl $0x22222222, %ecx
	movl $0x33333333, %edx
	movl $0x44444444, %esi
	movl $0x55555555, %edi
	pushl %ebp
	movl $0x66666666, %ebp
	movl $SYS_ECHO, %eax
	int $0x80
	xorl %eax, %eax                 /* failure bits collect in eax */
	cmpl $0x66666666, %ebp; je 1f; orl $0x40, %eax
1:	popl %ebp
	cmpl $0x11111111, %ebx; je 1f; orl $0x01, %eax
1:	cmpl $0x22222222, %ecx; je 1f; orl $0x02, %eax
1:	cmpl $0x33333333, %edx; je 1f; orl $0x04, %eax
1:	cmpl $0x44444444, %esi; je 1f; orl $0x08, %eax
1:	cmpl $0x55555555, %edi; je 1f; orl $0x10, %eax
1:	movl %eax, %ebx
	jmp u_exit_check_echo

/* The echo result was lost above; run it again and compare eax. */
u_exit_check_echo:
	pushl %ebx
	movl $0x11111111, %ebx
	movl $0x22222222, %ecx
	movl $0x33333333, %edx
	movl $0x44444444, %esi
	movl $0x55555555, %edi
	movl $SYS_ECHO, %eax
	int $0x80
	popl %ebx
	cmpl $(0x11111111 ^ 0x22222222 ^ 0x33333333 ^ 0x44444444 ^ 0x55555555), %eax
	je u_exit
	orl $0x80, %ebx
	jmp u_exit

/* 1: sysenter (ecx = user esp, edx = return eip by our convention) must
 * return eax and preserve ebx, esi, edi, ebp. */
p_sysenter_regs:
	movl $0x11111111, %ebx
	movl $0x44444444, %esi
	movl $0x55555555, %edi
	pushl %ebp
	movl $0x66666666, %ebp
	movl $SYS_GETCPU, %eax
	call u_sysenter
	xorl %eax, %eax
	cmpl $0x66666666, %ebp; je 1f; orl $0x40, %eax
1:	popl %ebp
	cmpl $0x11111111, %ebx; je 1f; orl $0x01, %eax
1:	cmpl $0x44444444, %esi; je 1f; orl $0x08, %eax
1:	cmpl $0x55555555, %edi; je 1f; orl $0x10, %eax
1:	movl %eax, %ebx
	jmp u_exit

/* 2: write and read back a demand-zero page (ebx = offset in the slot);
 * the first touch faults and the kernel maps a zeroed page. */
p_demand_fault:
	leal (%ebp,%ebx), %esi
	movl (%esi), %eax               /* must read as zero */
	movl $0x5a5a1234, (%esi)
	movl (%esi), %ebx
	xorl $0x5a5a1234, %ebx
	orl %eax, %ebx
	jmp u_exit

/* 3: read a kernel address (ebx): must fault; exiting is the failure. */
p_kernel_read:
	movl (%ebx), %eax
	movl $1, %ebx
	jmp u_exit

/* 4: port I/O (a POST-code write to port 0x80): allowed only by IOPL 3. */
p_port_io:
	movb $0x42, %al
	outb %al, $0x80
	xorl %ebx, %ebx
	jmp u_exit

/* 5: isolation: write ebx to the data page, yield to the other task,
 * then check the value is still ours; the second yield goes through
 * sysenter.  9: the same with both yields through int 0x80 (an lguest
 * guest runs its kernel in ring 1, where the host owns sysenter). */
p_isolation:
	xorl %edi, %edi                 /* edi = 0: second yield by sysenter */
	jmp 1f
p_isolation_int80:
	movl $1, %edi
1:	movl %ebx, %esi
	movl %esi, 0x1000(%ebp)
	movl $SYS_YIELD, %eax
	int $0x80
	movl 0x1000(%ebp), %ebx
	xorl %esi, %ebx
	movl $SYS_YIELD, %eax
	testl %edi, %edi
	jz 2f
	int $0x80
	jmp 3f
2:	call u_sysenter
3:	movl 0x1000(%ebp), %eax
	xorl %esi, %eax
	orl %eax, %ebx
	jmp u_exit

/* 6: TLS: %gs:0 through GDT TLS slot 0 (load_tls); exit with it. */
p_tls:
	movl $((GDT_TLS0 << 3) | 3), %eax
	movl %eax, %gs
	movl %gs:0, %ebx
	jmp u_exit

/* 7: ebx null system calls through int 0x80 (bench); the TSC delta of
 * each is stored in the demand region.  Between the two rdtsc: two movs
 * and the system call. */
p_null_loop:
	movl %ebx, %esi
	leal USER_DEMAND(%ebp), %edi
1:	rdtsc
	movl %eax, %ebx                 /* t0: the kernel keeps ebx */
	movl $SYS_NULL, %eax
	int $0x80
	rdtsc
	SAMPLE_NEXT

/* 8: the same through sysenter, the return eip kept in ebp; between the
 * two rdtsc: four movs and the system call. */
p_sysenter_loop:
	movl %ebx, %esi
	leal USER_DEMAND(%ebp), %edi
	call 0f
0:	popl %ebp
	addl $(2f - 0b), %ebp
1:	rdtsc
	movl %eax, %ebx
	movl $SYS_NULL, %eax
	movl %esp, %ecx
	movl %ebp, %edx
	sysenter
2:	rdtsc
	SAMPLE_NEXT

/* sysenter with eax = number, ebx = argument; returns eax. */
u_sysenter:
	pushl %ecx
	pushl %edx
	movl %esp, %ecx
	call 1f
1:	popl %edx                       /* return eip: label 2 below */
	addl $(2f - 1b), %edx
	sysenter
2:	popl %edx
	popl %ecx
	ret

u_exit:
	movl $SYS_EXIT, %eax
	int $0x80
	ud2                             /* never returns */
user_prog_end:

/* ---- kernel side ---------------------------------------------------------- */

	.text
/*
 * void task_switch(u32 *save_esp, u32 new_esp): save the callee-saved
 * registers on this stack, store esp, continue on the other stack.
 */
	.globl task_switch
task_switch:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, (%eax)
	movl %edx, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

/* First run of a task: its fresh kernel stack holds a trapframe. */
	.globl task_first_entry
task_first_entry:
	jmp trap_return

/*
 * sysenter entry (SDM vol. 2B SYSENTER): esp = SYSENTER_ESP (the task's
 * kernel stack top), interrupts off, ecx = user esp, edx = user eip by our
 * convention.  Builds a trapframe-shaped frame so faults in the handler
 * dump sensibly, calls sysenter_dispatch(nr, arg, frame), and returns with
 * the table's irq_enable_sysexit (native: sti; sysexit).
 */
	.globl sysenter_entry
sysenter_entry:
	pushl $SEL_UDATA                /* user ss */
	pushl %ecx                      /* user esp */
	pushl $(X86_EFLAGS_IF)          /* eflags as sysexit will leave them */
	pushl $SEL_UCODE
	pushl %edx                      /* user eip */
	pushl $0                        /* err */
	pushl $0x1000                   /* vector: marks a sysenter frame */
	pushal
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	movl $SEL_KDATA, %ecx
	movl %ecx, %ds
	movl %ecx, %es
	movl $SEL_PERCPU, %ecx
	movl %ecx, %fs
	movl %esp, %ecx                 /* regparm: eax nr, edx arg, ecx frame */
	movl %ebx, %edx
	call sysenter_dispatch
	movl %eax, 44(%esp)             /* result into the saved eax */
	popl %gs
	popl %fs
	popl %es
	popl %ds
	popal
	movl 8(%esp), %edx              /* user eip */
	movl 20(%esp), %ecx             /* user esp */
	PV_JMP_SITE PV_TYPE_IRQ_ENABLE_SYSEXIT

/* 32-bit ELF file structures (System V ABI / ELF 1.2): shared by the
 * loaders' checks (loader/common/elf.c) and the lguest host's guest loader. */
#ifndef PVBOOT_ELF32_H
#define PVBOOT_ELF32_H
#include "pvboot/types.h"

#define ELF32_EHDR_SIZE 52
#define ELF32_PHDR_SIZE 32
#define ELF32_SHDR_SIZE 40
#define ELF_PT_LOAD 1
#define ELF_PF_X 1
#define ELF_EM_386 3

struct elf32_ehdr {
	u8 ident[16];
	u16 type, machine;
	u32 version, entry, phoff, shoff, flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} PACKED;

struct elf32_phdr {
	u32 type, offset, vaddr, paddr, filesz, memsz, flags, align;
} PACKED;

struct elf32_shdr {
	u32 name, type, flags, addr, offset, size, link, info, addralign, entsize;
} PACKED;

STATIC_ASSERT(sizeof(struct elf32_ehdr) == ELF32_EHDR_SIZE, "ehdr");
STATIC_ASSERT(sizeof(struct elf32_phdr) == ELF32_PHDR_SIZE, "phdr");
STATIC_ASSERT(sizeof(struct elf32_shdr) == ELF32_SHDR_SIZE, "shdr");

#endif

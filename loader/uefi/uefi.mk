# UEFI loader build rules (loader/uefi/README.md): one GNU-EFI application built twice, BOOTX64.EFI and BOOTIA32.EFI.
# Included by the top-level Makefile before the disk-image rules (EFI_APPS go into /EFI/BOOT/).

GNUEFI_INC := /usr/include/efi
# Per architecture: crt0 (calls _relocate, then efi_main), linker script, library dir.
GNUEFI_x64_LIB := /usr/lib
GNUEFI_ia32_LIB := /usr/lib32
GNUEFI_x64_CRT0 := $(GNUEFI_x64_LIB)/crt0-efi-x86_64.o
GNUEFI_ia32_CRT0 := $(GNUEFI_ia32_LIB)/crt0-efi-ia32.o
GNUEFI_x64_LDS := $(GNUEFI_x64_LIB)/elf_x86_64_efi.lds
GNUEFI_ia32_LDS := $(GNUEFI_ia32_LIB)/elf_ia32_efi.lds

# Freestanding, position independent (a PE is relocated by the firmware,
# through the .reloc gnu-efi's _relocate-free crt0 prepares), short wchar_t
# for L"" = CHAR16, no red zone (firmware interrupts use our stack).
UEFI_CFLAGS := -std=gnu11 -Os -g -ffreestanding -fpic -fshort-wchar -fno-stack-protector \
	-fno-strict-aliasing -fno-common -mno-red-zone -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables \
	-isystem $(GNUEFI_INC) -Iinclude -Iloader/common -Iloader/uefi $(WARN) -MMD -MP
# x64: EFI functions are ms_abi; GNU_EFI_USE_MS_ABI lets gcc call them directly.
UEFI_x64_CFLAGS := $(UEFI_CFLAGS) -m64 -isystem $(GNUEFI_INC)/x86_64 -DGNU_EFI_USE_MS_ABI \
	-maccumulate-outgoing-args
UEFI_ia32_CFLAGS := $(UEFI_CFLAGS) -m32 -march=$(LMARCH) -isystem $(GNUEFI_INC)/ia32
UEFI_x64_LD := -m elf_x86_64
UEFI_ia32_LD := -m elf_i386
UEFI_x64_PE := efi-app-x86_64
UEFI_ia32_PE := efi-app-ia32

UEFI_SRCS := loader/uefi/efimain.c loader/uefi/efifs.c loader/uefi/efimem.c loader/uefi/efihw.c \
	loader/uefi/trampoline.S $(wildcard loader/common/*.c) lib/fmt.c lib/cmdline.c \
	lib/physmem.c lib/bootinfo.c lib/detect.c lib/acpi.c lib/smpcfg.c loader/uefi/efistring.c
UEFI_x64_OBJS := $(patsubst %,$(O)/efi64/%.o,$(basename $(UEFI_SRCS)))
UEFI_ia32_OBJS := $(patsubst %,$(O)/efi32/%.o,$(basename $(UEFI_SRCS)))
EFI_APPS := $(O)/loader/BOOTX64.EFI $(O)/loader/BOOTIA32.EFI

.PHONY: efi
efi: $(EFI_APPS)

define uefi_arch
$(O)/$(2)/%.o: %.c
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  CC$(1)  $$<")
	$$(Q)$$(CC) $$(UEFI_$(1)_CFLAGS) -c $$< -o $$@

$(O)/$(2)/%.o: %.S
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  AS$(1)  $$<")
	$$(Q)$$(CC) $$(UEFI_$(1)_CFLAGS) -D__ASSEMBLER__ -c $$< -o $$@

# ELF shared object at 0 (gnu-efi's script), then objcopy to a PE32(+):
# only the sections a PE needs; .reloc is the empty one crt0 provides so the
# firmware accepts the image as relocatable; _relocate applies .rela/.rel.
$(O)/loader/$(2).so: $$(UEFI_$(1)_OBJS) $(GNUEFI_$(1)_CRT0)
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)ld $(UEFI_$(1)_LD) -nostdlib -znocombreloc -shared -Bsymbolic -z defs \
		--no-warn-rwx-segments -T $(GNUEFI_$(1)_LDS) -e _start \
		$(GNUEFI_$(1)_CRT0) $$(UEFI_$(1)_OBJS) -L$(GNUEFI_$(1)_LIB) -lgnuefi -o $$@
endef
$(eval $(call uefi_arch,x64,efi64))
$(eval $(call uefi_arch,ia32,efi32))

$(O)/loader/BOOTX64.EFI: $(O)/loader/efi64.so
	$(Q)objcopy -j .text -j .sdata -j .data -j .dynamic -j .rel -j .rela \
		-j .rel.* -j .rela.* -j .reloc --target=$(UEFI_x64_PE) --subsystem=10 $< $@
	@echo "  EFI     $@: $$(stat -c %s $@) bytes"

$(O)/loader/BOOTIA32.EFI: $(O)/loader/efi32.so
	$(Q)objcopy -j .text -j .sdata -j .data -j .dynamic -j .rel -j .rela \
		-j .rel.* -j .rela.* -j .reloc --target=$(UEFI_ia32_PE) --subsystem=10 $< $@
	@echo "  EFI     $@: $$(stat -c %s $@) bytes"

-include $(UEFI_x64_OBJS:.o=.d) $(UEFI_ia32_OBJS:.o=.d)

# Boot catalogue image: both apps in /EFI/pvboot/ (none in /EFI/BOOT/), so
# OVMF ends up in its shell, whose /startup.nsh passes load options.
UEFI_TEST_IMAGES := $(O)/test-images/uefishell.img
$(O)/test-images/uefishell.img: $(EFI_APPS) $(KERNEL) loader/pvboot.cfg loader/uefi/startup.nsh \
		$(O)/tools/mkimage $(O)/loader/mbr.bin $(O)/loader/stage2.bin tools/mkdisk.sh
	@mkdir -p $(dir $@)
	$(Q)tools/mkdisk.sh $@.tmp $(O)/tools/mkimage $(O)/loader/mbr.bin $(O)/loader/stage2.bin \
		$(KERNEL) loader/pvboot.cfg 33
	$(Q)MTOOLS_SKIP_CHECK=1 mmd -i $@.tmp@@1M ::/EFI/pvboot
	$(Q)MTOOLS_SKIP_CHECK=1 mcopy -i $@.tmp@@1M $(EFI_APPS) ::/EFI/pvboot/
	$(Q)MTOOLS_SKIP_CHECK=1 mcopy -i $@.tmp@@1M loader/uefi/startup.nsh ::/startup.nsh
	$(Q)mv $@.tmp $@

# make uefi-bench-image: build/test-images/efi-exit.img, whose /EFI/BOOT apps
# only exit QEMU: OVMF's own time to its first app, the baseline for ours.
.PHONY: uefi-bench-image
uefi-bench-image: $(O)/test-images/efi-exit.img
$(O)/loader/exit64.so: $(O)/efi64/loader/uefi/exitapp.o
	$(Q)ld $(UEFI_x64_LD) -nostdlib -znocombreloc -shared -Bsymbolic -z defs -T $(GNUEFI_x64_LDS) \
		$(GNUEFI_x64_CRT0) $< -L$(GNUEFI_x64_LIB) -lgnuefi -o $@
$(O)/loader/exit32.so: $(O)/efi32/loader/uefi/exitapp.o
	$(Q)ld $(UEFI_ia32_LD) -nostdlib -znocombreloc -shared -Bsymbolic -z defs -T $(GNUEFI_ia32_LDS) \
		$(GNUEFI_ia32_CRT0) $< -L$(GNUEFI_ia32_LIB) -lgnuefi -o $@
$(O)/test-images/efi-exit.img: $(O)/loader/exit64.so $(O)/loader/exit32.so \
		$(O)/tools/mkimage $(O)/loader/mbr.bin $(O)/loader/stage2.bin tools/mkdisk.sh
	@mkdir -p $(dir $@) $(O)/loader/exit
	$(Q)objcopy -j .text -j .sdata -j .data -j .dynamic -j .rel -j .rela -j .rel.* -j .rela.* -j .reloc \
		--target=$(UEFI_x64_PE) --subsystem=10 $(O)/loader/exit64.so $(O)/loader/exit/BOOTX64.EFI
	$(Q)objcopy -j .text -j .sdata -j .data -j .dynamic -j .rel -j .rela -j .rel.* -j .rela.* -j .reloc \
		--target=$(UEFI_ia32_PE) --subsystem=10 $(O)/loader/exit32.so $(O)/loader/exit/BOOTIA32.EFI
	$(Q)tools/mkdisk.sh $@ $(O)/tools/mkimage $(O)/loader/mbr.bin $(O)/loader/stage2.bin - - 33 \
		$(O)/loader/exit/BOOTX64.EFI $(O)/loader/exit/BOOTIA32.EFI

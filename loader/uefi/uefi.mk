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
	loader/uefi/efisecure.c loader/uefi/efitpm.c \
	loader/uefi/efitrampoline.S $(wildcard loader/common/*.c) lib/fmt.c lib/cmdline.c \
	lib/physmem.c lib/bootinfo.c lib/detect.c lib/acpi.c lib/smpcfg.c lib/sha256.c lib/efiutil.c \
	lib/string.c
UEFI_x64_OBJS := $(patsubst %,$(O)/efi64/%.o,$(basename $(UEFI_SRCS)))
UEFI_ia32_OBJS := $(patsubst %,$(O)/efi32/%.o,$(basename $(UEFI_SRCS)))
EFI_APPS := $(O)/loader/BOOTX64.EFI $(O)/loader/BOOTIA32.EFI

.PHONY: efi
efi: $(EFI_APPS)

# An app is an ELF shared object at 0 (gnu-efi's script), then objcopy to a
# PE32(+): only the sections a PE needs; .reloc is the empty one crt0
# provides so the firmware accepts the image as relocatable; _relocate
# applies .rela/.rel.  --strip-all: objcopy would otherwise append a COFF
# symbol table after the last section, which the Authenticode hash does not
# cover (sbsign: "gaps between PE/COFF sections?").  The .so keeps the
# symbols for gdb.  $(call efi_link,ARCH,OBJS,OUT), $(call efi_pe,ARCH,SO,OUT)
PE_SECTIONS := -j .text -j .sdata -j .data -j .dynamic -j .rel -j .rela -j .rel.* -j .rela.* -j .reloc
efi_link = $(LD) $(UEFI_$(1)_LD) -nostdlib -znocombreloc -shared -Bsymbolic -z defs \
	--no-warn-rwx-segments -T $(GNUEFI_$(1)_LDS) -e _start \
	$(GNUEFI_$(1)_CRT0) $(2) -L$(GNUEFI_$(1)_LIB) -lgnuefi -o $(3)
efi_pe = $(OBJCOPY) $(PE_SECTIONS) --strip-all --target=$(UEFI_$(1)_PE) --subsystem=10 $(2) $(3)

# Per architecture ($(1) x64|ia32, object dir $(2), app name $(3), bits
# $(4)): objects, the loader, and the exit app of make uefi-bench-image.
define uefi_arch
$(O)/$(2)/%.o: %.c
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  CC$(1)  $$<")
	$$(Q)$$(CC) $$(UEFI_$(1)_CFLAGS) -c $$< -o $$@

$(O)/$(2)/%.o: %.S
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  AS$(1)  $$<")
	$$(Q)$$(CC) $$(UEFI_$(1)_CFLAGS) -D__ASSEMBLER__ -c $$< -o $$@

$(O)/loader/$(2).so: $$(UEFI_$(1)_OBJS) $(GNUEFI_$(1)_CRT0)
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(call efi_link,$(1),$$(UEFI_$(1)_OBJS),$$@)

$(O)/loader/unsigned/$(3).EFI: $(O)/loader/$(2).so
	@mkdir -p $$(dir $$@)
	$$(Q)$$(call efi_pe,$(1),$$<,$$@)

$(O)/loader/exit$(4).so: $(O)/$(2)/loader/uefi/exitapp.o
	$$(Q)$$(call efi_link,$(1),$$<,$$@)

$(O)/loader/exit/$(3).EFI: $(O)/loader/exit$(4).so
	@mkdir -p $$(dir $$@)
	$$(Q)$$(call efi_pe,$(1),$$<,$$@)
endef
$(eval $(call uefi_arch,x64,efi64,BOOTX64,64))
$(eval $(call uefi_arch,ia32,efi32,BOOTIA32,32))

# ---- Secure Boot (docs/secure-boot.md) ---------------------------------------
# make binds the SHA-256 of the kernel, the config and the VMI ROM into each
# app (tools/bindhash.c fills the table of loader/uefi/pvbind.h), then signs
# it with sbsign.  Default key: Debian's snakeoil test pair, which the
# snakeoil OVMF variable store enrols; the unencrypted key is derived into
# $(O)/keys/ and never enters the repository.  Your own pair:
#   make SIGN_KEY=db.key SIGN_CERT=db.crt
SNAKEOIL_KEY_SRC := /usr/share/ovmf/PkKek-1-snakeoil.key
SNAKEOIL_CERT := /usr/share/ovmf/PkKek-1-snakeoil.pem
SIGN_KEY ?= $(O)/keys/snakeoil.key
SIGN_CERT ?= $(SNAKEOIL_CERT)
BINDHASH := $(O)/tools/bindhash
BIND_CONFIG := loader/pvboot.cfg
BIND_ROMS := $(O)/vmi.rom
BIND_ARGS = kernel:/boot/pvkernel.elf=$(KERNEL) config:/boot/pvboot.cfg=$(BIND_CONFIG) \
	$(foreach r,$(BIND_ROMS),rom:$(notdir $(r))=$(r))

.SECONDARY: $(O)/loader/unsigned/BOOTX64.EFI $(O)/loader/unsigned/BOOTIA32.EFI \
	$(O)/loader/bound/BOOTX64.EFI $(O)/loader/bound/BOOTIA32.EFI
.PHONY: snakeoil-key
snakeoil-key: $(O)/keys/snakeoil.key
$(O)/keys/snakeoil.key: $(SNAKEOIL_KEY_SRC)
	@mkdir -p $(dir $@)
	$(Q)umask 077 && openssl rsa -in $< -passin pass:snakeoil -out $@ 2>/dev/null

$(BINDHASH): tools/bindhash.c loader/uefi/pvbind.h lib/sha256.c include/pvboot/sha256.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra $(WERROR) -Iinclude -Iloader/uefi tools/bindhash.c lib/sha256.c -o $@

$(O)/loader/bound/%.EFI: $(O)/loader/unsigned/%.EFI $(BINDHASH) $(KERNEL) $(BIND_CONFIG) $(BIND_ROMS)
	@mkdir -p $(dir $@)
	$(Q)$(BINDHASH) $< $@ $(BIND_ARGS)

# sbsign writes "Signing Unsigned original image" to stderr along with its
# warnings: that line is dropped, any other one fails the build, so a PE
# layout the Authenticode hash does not fully cover cannot creep back in.
SB_QUIET = 2>$@.err; rc=$$?; grep -v '^Signing Unsigned original image$$' $@.err >&2 && rc=1; \
	rm -f $@.err; [ $$rc = 0 ] || { rm -f $@; exit 1; }
$(O)/loader/%.EFI: $(O)/loader/bound/%.EFI $(SIGN_KEY) $(SIGN_CERT)
	$(Q)sbsign --key $(SIGN_KEY) --cert $(SIGN_CERT) --output $@ $< >/dev/null $(SB_QUIET)
	$(Q)sbverify --cert $(SIGN_CERT) $@ >/dev/null $(SB_QUIET)
	@echo "  EFI     $@: $$(stat -c %s $@) bytes, signed ($(notdir $(SIGN_CERT)))"

-include $(UEFI_x64_OBJS:.o=.d) $(UEFI_ia32_OBJS:.o=.d)

# Boot catalogue image: both apps in /EFI/pvboot/ (none in /EFI/BOOT/), so
# OVMF ends up in its shell, whose /startup.nsh passes load options.
UEFI_TEST_IMAGES := $(O)/test-images/uefishell.img $(O)/test-images/unsigned.img \
	$(O)/test-images/tampered.img $(O)/ovmf/OVMF32_VARS_4M.enrolled.fd
$(O)/test-images/uefishell.img: $(EFI_APPS) $(KERNEL) loader/pvboot.cfg loader/uefi/startup.nsh \
		$(O)/tools/mkimage $(O)/loader/mbr.bin $(O)/loader/stage2.bin tools/mkdisk.sh
	@mkdir -p $(dir $@)
	$(Q)tools/mkdisk.sh $@.tmp $(O)/tools/mkimage $(O)/loader/mbr.bin $(O)/loader/stage2.bin \
		$(KERNEL) loader/pvboot.cfg $(IMAGE_MIB)
	$(Q)MTOOLS_SKIP_CHECK=1 mmd -i $@.tmp@@1M ::/EFI/pvboot
	$(Q)MTOOLS_SKIP_CHECK=1 mcopy -i $@.tmp@@1M $(EFI_APPS) ::/EFI/pvboot/
	$(Q)MTOOLS_SKIP_CHECK=1 mcopy -i $@.tmp@@1M loader/uefi/startup.nsh ::/startup.nsh
	$(Q)mv $@.tmp $@

# make uefi-bench-image: build/test-images/efi-exit.img, whose /EFI/BOOT apps
# only exit QEMU: OVMF's own time to its first app, the baseline for ours.
.PHONY: uefi-bench-image
uefi-bench-image: $(O)/test-images/efi-exit.img
EXIT_APPS := $(O)/loader/exit/BOOTX64.EFI $(O)/loader/exit/BOOTIA32.EFI
$(O)/test-images/efi-exit.img: $(EXIT_APPS) \
		$(O)/tools/mkimage $(O)/loader/mbr.bin $(O)/loader/stage2.bin tools/mkdisk.sh
	@mkdir -p $(dir $@)
	$(Q)tools/mkdisk.sh $@ $(O)/tools/mkimage $(O)/loader/mbr.bin $(O)/loader/stage2.bin - - \
		$(IMAGE_MIB) $(EXIT_APPS)

# Secure Boot cases (docs/secure-boot.md).  unsigned.img: the same bound apps
# without a signature, which the firmware must refuse.  tampered.img: signed
# apps, but one byte of the kernel copy flipped (inside its debug sections,
# so only the hash can tell).
SB_IMG_DEPS := $(KERNEL) loader/pvboot.cfg $(O)/tools/mkimage $(O)/loader/mbr.bin \
	$(O)/loader/stage2.bin tools/mkdisk.sh
$(O)/test-images/unsigned.img: $(O)/loader/bound/BOOTX64.EFI $(O)/loader/bound/BOOTIA32.EFI $(SB_IMG_DEPS)
	@mkdir -p $(dir $@)
	$(Q)tools/mkdisk.sh $@ $(O)/tools/mkimage $(O)/loader/mbr.bin $(O)/loader/stage2.bin \
		$(KERNEL) loader/pvboot.cfg $(IMAGE_MIB) $(O)/loader/bound/BOOTX64.EFI $(O)/loader/bound/BOOTIA32.EFI

$(O)/test-images/tampered.img: $(EFI_APPS) $(SB_IMG_DEPS)
	@mkdir -p $(dir $@)
	$(Q)python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); \
		b[len(b) * 3 // 4] ^= 0x01; open(sys.argv[2], "wb").write(b)' $(KERNEL) $(O)/test-images/tampered.elf
	$(Q)tools/mkdisk.sh $@ $(O)/tools/mkimage $(O)/loader/mbr.bin $(O)/loader/stage2.bin \
		$(O)/test-images/tampered.elf loader/pvboot.cfg $(IMAGE_MIB) $(EFI_APPS)

# ---- 32-bit OVMF with keys (docs/secure-boot.md, "ia32") ---------------------
# Debian ships no ia32 variable store with keys, so make enrols $(SIGN_CERT) as
# PK, KEK and db into a copy of OVMF32_VARS_4M.fd: sbsiglist + sbvarsign make
# the authenticated variables, the enrol app (enrolapp.c) sets them in
# Setup Mode in one QEMU boot (scripts/ovmf-enrol.sh).
OVMF32_SB_VARS := $(O)/ovmf/OVMF32_VARS_4M.enrolled.fd
KEYS_DIR := $(O)/keys/vars
KEYS_OWNER := 5f2e5ad8-7a8c-4b1e-9d0e-3c6f0a8e2b71
VAR_ATTRS := NON_VOLATILE,BOOTSERVICE_ACCESS,RUNTIME_ACCESS,TIME_BASED_AUTHENTICATED_WRITE_ACCESS
.PHONY: ovmf32-keys
ovmf32-keys: $(OVMF32_SB_VARS)

$(KEYS_DIR)/cert.esl: $(SIGN_CERT)
	@mkdir -p $(dir $@)
	$(Q)openssl x509 -in $< -outform DER -out $(KEYS_DIR)/cert.der
	$(Q)sbsiglist --owner $(KEYS_OWNER) --type x509 --output $@ $(KEYS_DIR)/cert.der

$(KEYS_DIR)/%.auth: $(KEYS_DIR)/cert.esl $(SIGN_KEY) $(SIGN_CERT)
	$(Q)sbvarsign --key $(SIGN_KEY) --cert $(SIGN_CERT) --include-attrs --attr $(VAR_ATTRS) \
		--output $@ $* $< >/dev/null

$(O)/loader/enrol32.so: $(O)/efi32/loader/uefi/enrolapp.o
	$(Q)$(call efi_link,ia32,$<,$@)

$(O)/loader/enrol/BOOTIA32.EFI: $(O)/loader/enrol32.so
	@mkdir -p $(dir $@)
	$(Q)$(call efi_pe,ia32,$<,$@)

$(O)/test-images/enrol32.img: $(O)/loader/enrol/BOOTIA32.EFI $(KEYS_DIR)/db.auth $(KEYS_DIR)/KEK.auth \
		$(KEYS_DIR)/PK.auth $(O)/tools/mkimage $(O)/loader/mbr.bin $(O)/loader/stage2.bin tools/mkdisk.sh
	@mkdir -p $(dir $@)
	$(Q)tools/mkdisk.sh $@.tmp $(O)/tools/mkimage $(O)/loader/mbr.bin $(O)/loader/stage2.bin - - \
		$(IMAGE_MIB) $<
	$(Q)MTOOLS_SKIP_CHECK=1 mmd -i $@.tmp@@1M ::/keys
	$(Q)MTOOLS_SKIP_CHECK=1 mcopy -i $@.tmp@@1M $(KEYS_DIR)/db.auth $(KEYS_DIR)/KEK.auth \
		$(KEYS_DIR)/PK.auth ::/keys/
	$(Q)mv $@.tmp $@

$(OVMF32_SB_VARS): $(O)/test-images/enrol32.img scripts/ovmf-enrol.sh
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  ENROL   $@ (one QEMU boot)")
	$(Q)scripts/ovmf-enrol.sh $< $@

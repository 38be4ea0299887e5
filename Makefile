# pvboot top-level Makefile: everything builds out of tree into $(O).
# make            build/pvkernel.elf and build/pvboot.img (and later the ROM)
# make run        boot it in QEMU (FW= PV= SMP= ACCEL= ROM= APPEND= SECUREBOOT=)
# make gdb        the same, stopped, waiting for GDB with symbols loaded
# make check      unit tests, fuzz smoke, the QEMU boot catalogue
# make fuzz       longer libFuzzer runs (FUZZ_SECONDS=)
# make grub-isos  GRUB ISOs booting the kernel by Multiboot 1 and 2 (make check builds them)
# V=1 shows full commands; CI=true turns warnings into errors.

O ?= build
V ?= 0
ifeq ($(V),1)
Q :=
else
Q := @
endif

CC ?= gcc
CC := $(if $(filter default,$(origin CC)),gcc,$(CC))
HOSTCC ?= gcc
FUZZCC ?= clang
LD ?= ld
LD := $(if $(filter default,$(origin LD)),ld,$(LD))
NM ?= nm
OBJCOPY ?= objcopy

WERROR := $(if $(filter true 1,$(CI)),-Werror,)
WARN := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes $(WERROR)

# The oldest CPU the kernel and the ROM are compiled for (docs/kernel.md
# "Which CPUs"): kernel/cpucheck.c checks at entry for what this implies.
# KMARCH=i586 builds a kernel for a Pentium (no CMOV), at a measured cost.
KMARCH ?= i686
# The loaders are built for a Pentium whatever KMARCH is, so that on an
# older CPU they reach the kernel's check and its line.
LMARCH := i586
# The kernel: i386, freestanding, regparm(3) everywhere (the paravirt call
# convention of the 2007 Linux table), frame pointers for the crash dump's stack trace.
KCFLAGS := -m32 -march=$(KMARCH) -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-omit-frame-pointer -mregparm=3 \
	-mgeneral-regs-only -fno-asynchronous-unwind-tables -fno-common \
	-fno-strict-aliasing -Iinclude -Ikernel $(WARN) -MMD -MP
KASFLAGS := -m32 -Iinclude -Ikernel -D__ASSEMBLER__ -MMD -MP
KLDFLAGS := -m elf_i386 -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments
# No libgcc: under -mregparm=3 its 64-bit division calls are unsafe
# (include/pvboot/div64.h), so a stray one must fail the link.
KLIBGCC :=

# Host unit tests and tools: native, with ASan and UBSan.
HCFLAGS := -std=gnu11 -O1 -g -DPVBOOT_HOST -Iinclude -Itests/unit $(WARN) -Wno-missing-prototypes \
	-fsanitize=address,undefined -fno-sanitize-recover=all -MMD -MP
HLDLIBS := -lcmocka

KERNEL := $(O)/pvkernel.elf

# Pure code shared by kernel and host tests.
LIB_SRCS := $(wildcard lib/*.c)
KERNEL_SRCS := $(wildcard kernel/*.c kernel/*.S \
	backends/vmi/*.c backends/vmi/*.S backends/lguest/*.c backends/lguest/*.S \
	backends/lguest/host/*.c backends/lguest/host/*.S) $(LIB_SRCS)
KERNEL_OBJS := $(patsubst %,$(O)/k/%.o,$(basename $(KERNEL_SRCS))) \
	$(O)/k/kernel/bench_ops_nopatch.o

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(O)/unit/%,$(UNIT_SRCS))
# Shared loader code (loader/common) is pure too: unit-tested and fuzzed on the host.
LOADER_COMMON_SRCS := $(wildcard loader/common/*.c)
HOST_LIB_OBJS := $(patsubst %.c,$(O)/host/%.o,$(LIB_SRCS) $(LOADER_COMMON_SRCS))

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(O)/fuzz/%,$(FUZZ_SRCS))

.PHONY: FORCE all kernel image test-images run gdb check unit fuzz fuzz-build bench bench-boot deps clean
all: kernel image
kernel: $(KERNEL)

# ---- kernel ---------------------------------------------------------------
$(O)/k/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

# The entry check runs before anything else and must run on any CPU; it
# requires CMOV exactly when the rest was compiled to use it.
$(O)/k/kernel/cpucheck.o: KCFLAGS += -march=i386 -mtune=generic \
	$(if $(filter i386 i486 i586 pentium pentium-mmx lakemont,$(KMARCH)),,-DKERNEL_NEEDS_CMOV)

# Objects built for another KMARCH are rebuilt (the flags are not a prerequisite otherwise).
KMARCH_STAMP := $(O)/k/march-$(KMARCH).stamp
$(KMARCH_STAMP):
	@mkdir -p $(dir $@)
	$(Q)rm -f $(O)/k/march-*.stamp && touch $@
$(KERNEL_OBJS): $(KMARCH_STAMP)

# The benchmark's samplers once more, with sites that are never patched.
$(O)/k/kernel/bench_ops_nopatch.o: kernel/bench_ops.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(KCFLAGS) -DBENCH_VARIANT=nopatch -DPV_SITE_SECTION='".pvsites_nopatch"' -c $< -o $@

$(O)/k/%.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

# Two-pass link: the crash dump symbolises EIP from a table generated from
# the first pass.  The table lives in the last section, so adding it moves
# no other symbol.
$(O)/pvkernel.pass1: $(KERNEL_OBJS) kernel/kernel.ld $(O)/k/empty_syms.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(KLDFLAGS) -T kernel/kernel.ld -o $@ $(KERNEL_OBJS) $(O)/k/empty_syms.o $(KLIBGCC)

$(O)/k/empty_syms.o: scripts/gensyms.sh
	@mkdir -p $(dir $@)
	$(Q)scripts/gensyms.sh /dev/null > $(O)/k/empty_syms.S
	$(Q)$(CC) $(KASFLAGS) -c $(O)/k/empty_syms.S -o $@

$(O)/k/ksyms.o: $(O)/pvkernel.pass1 scripts/gensyms.sh
	$(Q)$(NM) -n $< | scripts/gensyms.sh - > $(O)/k/ksyms.S
	$(Q)$(CC) $(KASFLAGS) -c $(O)/k/ksyms.S -o $@

$(KERNEL): $(KERNEL_OBJS) kernel/kernel.ld $(O)/k/ksyms.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(KLDFLAGS) -T kernel/kernel.ld -o $@ $(KERNEL_OBJS) $(O)/k/ksyms.o $(KLIBGCC)
	$(Q)scripts/check-syms.sh $(O)/pvkernel.pass1 $@

# ---- UEFI loader (loader/uefi/README.md): its rules live with it ------------
# Before the image rules: they put $(EFI_APPS) into /EFI/BOOT/.
include loader/uefi/uefi.mk

# ---- BIOS loader and the disk image (docs/bios-loader.md) -----------------
IMAGE := $(O)/pvboot.img
IMAGE_MIB := 33
# Stage 2: 32-bit C, size-optimised, cdecl (the thunk in biosentry.S is cdecl).
LCFLAGS := -m32 -march=$(LMARCH) -std=gnu11 -Os -g -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -mgeneral-regs-only -fno-asynchronous-unwind-tables \
	-fno-common -fno-strict-aliasing -ffunction-sections -fdata-sections \
	-Iinclude -Iloader/bios -Iloader/common $(WARN) -MMD -MP
LOADER_LIB_SRCS := lib/fmt.c lib/cmdline.c lib/acpi.c lib/physmem.c \
	lib/bootinfo.c lib/detect.c
STAGE2_SRCS := loader/bios/biosentry.S loader/bios/bios.c loader/bios/a20.c lib/string.c \
	$(LOADER_COMMON_SRCS) $(LOADER_LIB_SRCS)
STAGE2_OBJS := $(patsubst %,$(O)/l/%.o,$(basename $(STAGE2_SRCS)))
MKIMAGE := $(O)/tools/mkimage
MKDISK = tools/mkdisk.sh $@ $(MKIMAGE) $(O)/loader/mbr.bin $(O)/loader/stage2.bin
DISK_DEPS := $(MKIMAGE) $(O)/loader/mbr.bin $(O)/loader/stage2.bin tools/mkdisk.sh $(EFI_APPS)

image: $(IMAGE)

# The loader's objects are rebuilt when LCFLAGS change (a stale object built
# for another -march would put CMOV in front of the kernel's CPU check).
LCFLAGS_FILE := $(O)/l/cflags
$(LCFLAGS_FILE): FORCE
	@mkdir -p $(dir $@)
	@echo '$(LCFLAGS)' | cmp -s - $@ || echo '$(LCFLAGS)' > $@
$(STAGE2_OBJS): $(LCFLAGS_FILE)
FORCE:

$(O)/l/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC16/32 $<")
	$(Q)$(CC) $(LCFLAGS) -c $< -o $@

$(O)/l/%.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(KASFLAGS) -Iloader/bios -c $< -o $@

$(O)/loader/mbr.bin: $(O)/l/loader/bios/mbr.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) -m elf_i386 -Ttext 0x7c00 --oformat binary -o $@ $<

$(O)/loader/stage2.elf: $(STAGE2_OBJS) loader/bios/stage2.ld
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) -m elf_i386 -nostdlib --gc-sections -z noexecstack --no-warn-rwx-segments \
		-T loader/bios/stage2.ld -o $@ $(STAGE2_OBJS)

$(O)/loader/stage2.bin: $(O)/loader/stage2.elf
	$(Q)$(OBJCOPY) -O binary $< $@

$(MKIMAGE): tools/mkimage.c loader/bios/layout.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra $(WERROR) $< -o $@

$(IMAGE): $(DISK_DEPS) $(KERNEL) loader/pvboot.cfg
	@$(if $(Q),echo "  IMAGE   $@")
	$(Q)$(MKDISK) $(KERNEL) loader/pvboot.cfg $(IMAGE_MIB) $(EFI_APPS)
	@echo "  stage 2: $$(stat -c %s $(O)/loader/stage2.bin) bytes; image: $$(stat -c %s $@) bytes"

# Broken and special images for the boot catalogue (tests/boot/catalogue).
TI := $(O)/test-images
TEST_IMAGES := $(TI)/nokernel.img $(TI)/badkernel.img $(TI)/badconfig.img $(TI)/cfgtest.img \
	$(TI)/fakevmi.rom $(TI)/longcmdline.txt $(TI)/stage2-ud.img $(UEFI_TEST_IMAGES)
test-images: $(TEST_IMAGES)

$(TI)/nokernel.img: $(DISK_DEPS) loader/pvboot.cfg
	@mkdir -p $(dir $@)
	$(Q)$(MKDISK) - loader/pvboot.cfg $(IMAGE_MIB) $(EFI_APPS)

# Cut short: the first segment runs past the end of the file.
$(TI)/badkernel.img: $(DISK_DEPS) $(KERNEL) loader/pvboot.cfg
	@mkdir -p $(dir $@)
	$(Q)head -c 20000 $(KERNEL) > $(TI)/badkernel.elf
	$(Q)$(MKDISK) $(TI)/badkernel.elf loader/pvboot.cfg $(IMAGE_MIB) $(EFI_APPS)

$(TI)/badconfig.img: $(DISK_DEPS) $(KERNEL)
	@mkdir -p $(dir $@)
	$(Q)printf 'timeout=0 smp=2\n\001\002\377garbage\000\n' > $(TI)/badconfig.cfg
	$(Q)$(MKDISK) $(KERNEL) $(TI)/badconfig.cfg $(IMAGE_MIB) $(EFI_APPS)

$(TI)/cfgtest.img: $(DISK_DEPS) $(KERNEL)
	@mkdir -p $(dir $@)
	$(Q)printf '# test image: options from the config file\ntimeout=0 test smp=2\n' > $(TI)/cfgtest.cfg
	$(Q)$(MKDISK) $(KERNEL) $(TI)/cfgtest.cfg $(IMAGE_MIB) $(EFI_APPS)

# Stage 2 built with STAGE2_TEST_EXCEPTION: its first key poll executes ud2,
# to show that a CPU exception in stage 2 ends in a line, not a reset.
$(O)/l-ud/loader/bios/bios.o: loader/bios/bios.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LCFLAGS) -DSTAGE2_TEST_EXCEPTION -c $< -o $@

$(TI)/stage2-ud.bin: $(filter-out $(O)/l/loader/bios/bios.o,$(STAGE2_OBJS)) $(O)/l-ud/loader/bios/bios.o loader/bios/stage2.ld
	@mkdir -p $(dir $@)
	$(Q)$(LD) -m elf_i386 -nostdlib --gc-sections -z noexecstack --no-warn-rwx-segments \
		-T loader/bios/stage2.ld -o $(TI)/stage2-ud.elf $(filter %.o,$^)
	$(Q)$(OBJCOPY) -O binary $(TI)/stage2-ud.elf $@

$(TI)/stage2-ud.img: $(TI)/stage2-ud.bin $(MKIMAGE) $(O)/loader/mbr.bin tools/mkdisk.sh $(EFI_APPS) $(KERNEL)
	$(Q)tools/mkdisk.sh $@ $(MKIMAGE) $(O)/loader/mbr.bin $(TI)/stage2-ud.bin $(KERNEL) \
		loader/pvboot.cfg $(IMAGE_MIB) $(EFI_APPS)

# A 4,000-character command line for fw_cfg: `test`, then one over-long word.
$(TI)/longcmdline.txt:
	@mkdir -p $(dir $@)
	$(Q){ printf 'test pad='; head -c 3991 /dev/zero | tr '\0' x; } > $@

# Detection sees a valid VMI header; nothing behind it (tools/fake-vmi-rom.py).
$(TI)/fakevmi.rom: tools/fake-vmi-rom.py
	@mkdir -p $(dir $@)
	$(Q)python3 $< > $@

# ---- host unit tests ------------------------------------------------------
$(O)/host/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(HCFLAGS) -c $< -o $@

$(O)/unit/%: tests/unit/%.c $(HOST_LIB_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTLD  $@")
	$(Q)$(HOSTCC) $(HCFLAGS) $< $(HOST_LIB_OBJS) -o $@ $(HLDLIBS)

unit: deps $(UNIT_BINS)
	$(Q)scripts/run-unit.sh $(UNIT_BINS)

# ---- fuzzing ----------------------------------------------------------------
FUZZ_SECONDS ?= 60
# Each target compiles the sources in one go, so it depends on every header they may include.
FUZZ_HDRS := $(wildcard include/pvboot/*.h loader/common/*.h tests/fuzz/*.h)
$(O)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(LOADER_COMMON_SRCS) $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $@")
	$(Q)$(FUZZCC) -g -O1 -DPVBOOT_HOST -Iinclude -Iloader/common -fsanitize=fuzzer,address,undefined \
		$< $(LIB_SRCS) $(LOADER_COMMON_SRCS) -o $@

fuzz-build: $(FUZZ_BINS)
fuzz: deps $(FUZZ_BINS)
	$(Q)scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

# ---- running ----------------------------------------------------------------
FW ?= bios
PV ?= auto
SMP ?= 4
ACCEL ?= tcg
APPEND ?=
SECUREBOOT ?= 0
RUN_SB := $(if $(filter 1,$(SECUREBOOT)),--secureboot,)
# ia32 OVMF has no keys of its own: enrol ours first (docs/secure-boot.md).
RUN_SB_DEPS := $(if $(RUN_SB),$(if $(filter uefi32,$(FW)),ovmf32-keys,),)
run: deps all $(RUN_SB_DEPS)
	$(Q)scripts/run.sh $(RUN_SB) --fw $(FW) --pv $(PV) --smp $(SMP) --accel $(ACCEL) --append "$(APPEND)" --kernel $(KERNEL)

gdb: deps all $(RUN_SB_DEPS)
	$(Q)scripts/run.sh $(RUN_SB) --gdb --fw $(FW) --pv $(PV) --smp $(SMP) --accel $(ACCEL) --append "$(APPEND)" --kernel $(KERNEL)

check: deps all $(TEST_IMAGES) $(UNIT_BINS) $(FUZZ_BINS)
	$(Q)O=$(O) scripts/check.sh

bench: deps all
	$(Q)O=$(O) scripts/bench.sh

bench-boot: deps all
	$(Q)O=$(O) scripts/bench-boot.sh

deps:
	$(Q)scripts/deps.sh

clean:
	rm -rf $(O)

# The VMI-like option ROM (docs/vmi-rom.md): its rules live with it.
-include backends/vmi/rom/rom.mk

# GRUB ISOs for the Multiboot catalogue rows (docs/kernel.md): their rules live with them.
include tools/grub-iso.mk

# Keep the host objects: the unit-test links share them.
.SECONDARY: $(HOST_LIB_OBJS)

-include $(KERNEL_OBJS:.o=.d) $(HOST_LIB_OBJS:.o=.d) $(STAGE2_OBJS:.o=.d) $(UNIT_BINS:=.d)

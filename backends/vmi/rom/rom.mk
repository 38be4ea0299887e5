# Build rules of the VMI ROM (docs/vmi-rom.md "Building and layout"), included by the top-level Makefile.
# $(O)/vmi.rom: head.S, calls.S, romtrampoline.S and C, linked -pie at 0 into one flat
# image; romfix (host) fixes the checksums and checks the result.
ROM_DIR := backends/vmi/rom
ROM_CFLAGS := -m32 -march=$(KMARCH) -std=gnu11 -O2 -ffreestanding -fpie -fvisibility=hidden \
	-mregparm=3 -mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-common -fno-strict-aliasing -fno-delete-null-pointer-checks -fno-jump-tables \
	-Iinclude -I$(ROM_DIR) $(WARN) -MMD -MP
ROM_ASFLAGS := -m32 -Iinclude -I$(ROM_DIR) -D__ASSEMBLER__ -MMD -MP
ROM_SRCS := $(ROM_DIR)/head.S $(ROM_DIR)/calls.S $(ROM_DIR)/romtrampoline.S \
	$(ROM_DIR)/rom.c $(ROM_DIR)/lazy.c $(ROM_DIR)/romsmp.c $(ROM_DIR)/timer.c $(ROM_DIR)/romrtc.c \
	lib/rtc.c
ROM_OBJS := $(patsubst %,$(O)/rom/%.o,$(basename $(ROM_SRCS)))
ROMFIX := $(O)/tools/romfix
ROM_ELF := $(O)/rom/vmi.elf
# romfix locates the relocation table by these symbols (nm).
ROM_SYMS = $$(nm $(ROM_ELF) | awk '$$3 == "reloc_off" { o = $$1 } $$3 == "reloc_type" { t = $$1 } \
	$$3 == "reloc_anchor" { a = $$1 } END { printf "0x%s:0x%s:0x%s", o, t, a }')

ROM_TEST_SYMS = $$(nm $(ROM_ELF) | awk '$$3 == "vmi_reloc_outside" { printf "--reloc-outside 0x%s ", $$1 } \
	$$3 == "init_break_checksum" { printf "--break-checksum 0x%s ", $$1 } \
	$$3 == "r_inval_page" { printf "--trap-hot 0x%s ", $$1 }')

all: $(O)/vmi.rom

$(O)/rom/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC32PIC $<")
	$(Q)$(CC) $(ROM_CFLAGS) -c $< -o $@

$(O)/rom/%.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(ROM_ASFLAGS) -c $< -o $@

# -pie: any absolute address would show up as a dynamic relocation, and
# the image must run at whatever address the kernel copies it to.
$(ROM_ELF): $(ROM_OBJS) $(ROM_DIR)/rom.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)ld -m elf_i386 -pie --no-dynamic-linker -nostdlib -z noexecstack -z norelro \
		--no-warn-rwx-segments -T $(ROM_DIR)/rom.ld -o $@ $(ROM_OBJS)
	$(Q)if readelf -rW $@ | grep -q 'R_386_'; then \
		echo "vmi.rom: relocations left in the ROM (it must be position independent):" >&2; \
		readelf -rW $@ >&2; rm -f $@; exit 1; fi

$(ROMFIX): $(ROM_DIR)/romfix.c $(ROM_DIR)/romcheck.c $(ROM_DIR)/romcheck.h include/pvboot/vmi.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra $(WERROR) -Iinclude -I$(ROM_DIR) \
		$(ROM_DIR)/romfix.c $(ROM_DIR)/romcheck.c -o $@

$(O)/vmi.rom: $(ROM_ELF) $(ROMFIX)
	$(Q)objcopy -O binary -j .rom $< $@.raw
	$(Q)$(ROMFIX) --reloc $(ROM_SYMS) $@.raw $@
	$(Q)rm -f $@.raw

# ---- user-mode harness (harness.c): the ROM's unprivileged calls run from a
# RAM copy in a 32-bit host process; scripts/run-unit.sh runs it with the unit
# tests (its name starts test_), on the ROM just built.  harness-run.sh runs it
# natively where the host executes i386 programs, else under qemu-i386; the
# _qemu twin always takes the emulated path, so that path is tested on every
# host, not only on those that need it.
ROM_HARNESS := $(O)/unit/test_vmirom_calls $(O)/unit/test_vmirom_calls_qemu
check: $(ROM_HARNESS)

$(O)/rom/harness: $(ROM_DIR)/harness.c $(ROM_DIR)/harness_call.S $(ROM_DIR)/romdata.h include/pvboot/vmi.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@ (-m32)")
	$(Q)$(HOSTCC) -m32 -std=gnu11 -O1 -g -Wall -Wextra $(WERROR) -no-pie -fno-pie -Iinclude -I$(ROM_DIR) \
		$(ROM_DIR)/harness.c $(ROM_DIR)/harness_call.S -o $@

# Wrappers, so the runner finds them among the unit tests and they test this
# $(O)'s ROM; the third word is how harness-run.sh runs it (empty: auto).
$(ROM_HARNESS): $(O)/rom/harness $(O)/vmi.rom $(ROM_DIR)/harness-run.sh
	@mkdir -p $(dir $@)
	$(Q)printf '#!/bin/sh\n# the VMI ROM call harness (backends/vmi/rom/harness.c)\nexec "%s" "%s" "%s" %s\n' \
		"$$(realpath $(ROM_DIR)/harness-run.sh)" "$$(realpath $(O)/rom/harness)" \
		"$$(realpath $(O)/vmi.rom)" "$(if $(filter %_qemu,$@),qemu)" > $@
	$(Q)chmod +x $@

# ---- bad ROMs for the boot catalogue (tests/boot/catalogue) ---------------
TR := $(O)/test-roms
BAD_ROMS := bad-checksum bad-signature api2 too-long license-outside pci-outside reloc-outside \
	trap-init trap-reloc trap-hot
BAD_ROM_FILES := $(patsubst %,$(TR)/%.rom,$(BAD_ROMS))
check: $(BAD_ROM_FILES)
test-images: $(BAD_ROM_FILES)

$(TR)/%.rom: $(O)/vmi.rom $(ROMFIX)
	@mkdir -p $(dir $@)
	$(Q)$(ROMFIX) --variant $* $(ROM_TEST_SYMS) $< $@

$(ROM_OBJS): $(KMARCH_STAMP)

-include $(ROM_OBJS:.o=.d)

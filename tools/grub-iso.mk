# GRUB rescue ISOs booting $(KERNEL) by Multiboot 1 and 2 (tools/mkgrubiso.sh), for the catalogue's iso-* rows; included by the top-level Makefile.
# Each ISO boots on SeaBIOS, x86_64 and i386 OVMF (grub-mkrescue puts all three GRUBs on it).
GRUB_ISO_DIR := $(O)/grub
GRUB_ISOS := $(GRUB_ISO_DIR)/mb2-test.iso $(GRUB_ISO_DIR)/mb1-test.iso \
	$(GRUB_ISO_DIR)/mb2-lguest.iso

.PHONY: grub-isos
grub-isos: $(GRUB_ISOS)
check: $(GRUB_ISOS)

# $(call grub_iso,protocol,command line[,module])
define grub_iso
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  ISO     $@")
	$(Q)tools/mkgrubiso.sh $@ $(KERNEL) $(1) '$(2)' $(3)
endef

$(GRUB_ISO_DIR)/mb2-test.iso: $(KERNEL) tools/mkgrubiso.sh
	$(call grub_iso,multiboot2,test)

$(GRUB_ISO_DIR)/mb1-test.iso: $(KERNEL) tools/mkgrubiso.sh
	$(call grub_iso,multiboot,test)

# host=lguest: module2 /boot/pvkernel.elf is the guest image (boot module 0).
$(GRUB_ISO_DIR)/mb2-lguest.iso: $(KERNEL) tools/mkgrubiso.sh
	$(call grub_iso,multiboot2,host=lguest test,module)

#!/usr/bin/env python3
"""Write small valid seed inputs for the fuzz targets into tests/fuzz/corpus/<target>/."""
import os
import struct
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def fix(b, off):
    """Set b[off] so that the byte sum of b is 0 (ACPI / MP checksums)."""
    b[off] = 0
    b[off] = (-sum(b)) & 0xff
    return b


def madt():
    e = b""
    for i in range(4):
        e += struct.pack("<BBBBI", 0, 8, i, i, 0 if i == 2 else 1)
    e += struct.pack("<BBBBII", 1, 12, 4, 0, 0xFEC00000, 0)
    e += struct.pack("<BBBBIH", 2, 10, 0, 0, 2, 0)
    e += struct.pack("<BBBBIH", 2, 10, 0, 9, 9, 0xD)
    e += struct.pack("<BBHIII", 9, 16, 0, 7, 1, 7)
    e += struct.pack("<BBHQ", 5, 12, 0, 0xFEE00000)
    hdr = b"APIC" + struct.pack("<IBB", 44 + len(e), 3, 0) + b"PVBOOT" + b"PVBOOTMA"
    hdr += struct.pack("<III", 1, 0, 0) + struct.pack("<II", 0xFEE00000, 1)
    return bytes(fix(bytearray(hdr + e), 9))


def mptable():
    e = b""
    for i in range(4):
        e += struct.pack("<BBBBIIII", 0, i, 0x14, (3 if i == 0 else 1) if i != 2 else 0, 0x600, 0, 0, 0)
    e += struct.pack("<BB6s", 1, 0, b"PCI   ") + struct.pack("<BB6s", 1, 1, b"ISA   ")
    e += struct.pack("<BBBBI", 2, 4, 0x11, 1, 0xFEC00000)
    e += struct.pack("<BBHBBBB", 3, 0, 0, 1, 0, 4, 2)
    e += struct.pack("<BBHBBBB", 3, 0, 0xF, 1, 9, 4, 9)
    hdr = b"PCMP" + struct.pack("<HBB", 44 + len(e), 4, 0) + b"PVBOOT  " + b"FUZZSEED    "
    hdr += struct.pack("<IHHIHBB", 0, 0, 9, 0xFEE00000, 0, 0, 0)
    return bytes(fix(bytearray(hdr + e), 7))


def mbinfo():
    # MBI at 0, cmdline at 0x100, loader name at 0x180, mmap at 0x200, modules at 0x300.
    mem = bytearray(0x400)
    flags = (1 << 0) | (1 << 2) | (1 << 3) | (1 << 6) | (1 << 9)
    mmap = struct.pack("<IQQI", 20, 0, 0x9FC00, 1) + struct.pack("<IQQI", 20, 0x100000, 0x7F00000, 1)
    mbi = struct.pack("<IIIIIII", flags, 639, 130048, 0, 0x100, 1, 0x300)
    mbi += b"\0" * 16 + struct.pack("<II", len(mmap), 0x200) + struct.pack("<IIIII", 0, 0, 0, 0x180, 0)
    mem[0:len(mbi)] = mbi
    cmd = b"build/pvkernel.elf pv=vmi smp=2 test console=serial\0"
    mem[0x100:0x100 + len(cmd)] = cmd
    mem[0x180:0x185] = b"qemu\0"
    mem[0x200:0x200 + len(mmap)] = mmap
    mem[0x300:0x310] = struct.pack("<IIII", 0x200000, 0x210000, 0x380, 0)
    mem[0x380:0x390] = b"guest.elf smp=1\0"
    return bytes(mem)


def mb2info():
    """A GRUB-like Multiboot 2 block, after fuzz_mb2info's selector byte."""
    def tag(t, payload):
        b = struct.pack("<II", t, 8 + len(payload)) + payload
        return b + b"\0" * (-len(b) % 8)

    rsdp = bytearray(b"RSD PTR " + b"\0" + b"PVTEST" + bytes([2]) + struct.pack("<IIQ", 0xE0000, 36, 0) + b"\0" * 4)
    rsdp = fix(rsdp[:20] + b"", 8) + rsdp[20:]
    rsdp = fix(bytearray(rsdp), 32)
    mmap = struct.pack("<II", 24, 0) + struct.pack("<QQII", 0, 0x9FC00, 1, 0) + struct.pack("<QQII", 0x100000, 0x7EE0000, 1, 0)
    efi = struct.pack("<II", 48, 1) + struct.pack("<IIQQQQ", 7, 0, 0, 0, 0x9F, 0xF) + b"\0" * 8
    fb = struct.pack("<QIIIBBH", 0xFD000000, 4096, 1024, 768, 32, 1, 0) + bytes([16, 8, 8, 8, 0, 8])
    body = (tag(1, b"test smp=2\0") + tag(2, b"GRUB 2.06\0") +
            tag(3, struct.pack("<II", 0x200000, 0x230000) + b"/boot/pvkernel.elf\0") +
            tag(4, struct.pack("<II", 639, 129920)) + tag(6, mmap) + tag(17, efi) + tag(8, fb) +
            tag(12, struct.pack("<Q", 0x7FBEE018)) + tag(14, bytes(rsdp[:20])) + tag(15, bytes(rsdp)) +
            tag(0, b""))
    return b"\x01" + struct.pack("<II", 8 + len(body), 0) + body


seeds = {
    "fuzz_cmdline": {
        "all": b"pv=vmi smp=2 nopatch pvpatch=verbose test bench exit pvtrace console=both "
               b"timeout=5 host=lguest guestmem=128 initwait=auto guest.smp=1",
        "quotes": b'# config\npv="native" x="a b" y="open\nsmp=0x10 =bad test=0',
        "bad": b"smp=99999999999 guestmem=0 pv=xen foo",
    },
    "fuzz_madt": {"valid": madt()},
    "fuzz_mptable": {"valid": mptable()},
    "fuzz_mbinfo": {"valid": mbinfo()},
    "fuzz_mb2info": {"grub": mb2info()},
}

for target, files in seeds.items():
    d = os.path.join(root, target)
    os.makedirs(d, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
sys.exit(0)

#!/usr/bin/env python3
"""Write seed inputs for the loader fuzz targets (fuzz_fat, fuzz_elf, fuzz_config, fuzz_vmirom) into tests/fuzz/corpus/<target>/."""
import os
import struct
import subprocess
import tempfile

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    d = os.path.join(root, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def fat16():
    """The metadata sectors of a small FAT16 volume made by mtools."""
    with tempfile.TemporaryDirectory() as t:
        img = os.path.join(t, "f.img")
        env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
        run = lambda *a: subprocess.run(a, check=True, env=env, cwd=t)
        run("mformat", "-C", "-i", img, "-T", "16384", "-c", "2", "-h", "64", "-s", "32", "::")
        with open(os.path.join(t, "cfg"), "w") as f:
            f.write("timeout=0 test\n")
        run("mmd", "-i", img, "::/boot", "::/EFI", "::/EFI/BOOT")
        run("mcopy", "-i", img, "cfg", "::/boot/pvboot.cfg")
        run("mcopy", "-i", img, "cfg", "::/boot/pvkernel.elf")
        with open(img, "rb") as f:
            return f.read(160 * 512)


def elf():
    """A minimal valid kernel: text at 1 MiB, data + bss, a .pvbackends list."""
    b = bytearray(0x4000 + 3 * 40)
    b[0:7] = b"\x7fELF\x01\x01\x01"
    struct.pack_into("<HHIIIIIHHHHHH", b, 16, 2, 3, 1, 0x10000C, 52, 0x4000, 0,
                     52, 32, 2, 40, 3, 1)
    struct.pack_into("<8I", b, 52, 1, 0x1000, 0x100000, 0x100000, 0x2000, 0x2000, 5, 0x1000)
    struct.pack_into("<8I", b, 84, 1, 0x3000, 0x103000, 0x103000, 0x200, 0x5000, 6, 0x1000)
    struct.pack_into("<IIII", b, 0x3100, 0x4B425650, 1, 1, 0)
    struct.pack_into("<I12sI", b, 0x3110, 1, b"native", 0x103080)
    names = b"\0.shstrtab\0.pvbackends\0"
    b[0x3200:0x3200 + len(names)] = names
    struct.pack_into("<10I", b, 0x4000 + 40, 1, 3, 0, 0, 0x3200, len(names), 0, 0, 1, 0)
    struct.pack_into("<10I", b, 0x4000 + 80, 11, 1, 2, 0x103100, 0x3100, 96, 0, 0, 16, 0)
    return bytes(b)


def vmi_rom():
    r = bytearray(4096)
    r[0:3] = b"\x55\xaa\x08"
    r[8:12] = b"cVmi"
    r[13], r[14] = 3, 2
    struct.pack_into("<HH", r, 22, 0x120, 0x100)
    r[0x100:0x104] = b"PCIR"
    r[0x120:0x127] = b"GPL v2\0"
    r[128:136] = b"\xe9\x00\x01\x00\x00\x90\x90\x90"
    r[136:144] = b"\xe9\x00\x02\x00\x00\x90\x90\x90"
    r[-1] = (-sum(r)) & 0xFF
    return bytes(r)


write("fuzz_fat", "fat16", fat16())
write("fuzz_elf", "valid", elf())
write("fuzz_config", "default", b"# cfg\ntimeout=3 smp=2 pv=auto\nsmp=4 test guest.x=\"a b\" pv=native")
write("fuzz_config", "bad", b"a=\"open\n\x01=junk k=\"v\"x")
write("fuzz_vmirom", "valid", vmi_rom())

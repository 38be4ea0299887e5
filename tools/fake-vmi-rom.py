#!/usr/bin/env python3
"""Write a header-only VMI 3.x option ROM (docs/abi-vmi.md) to stdout: valid for detection, its init entry is a bare retf and its jump slots lead nowhere; only for detection tests."""
import struct
import sys

r = bytearray(4096)
r[0:3] = b"\x55\xaa\x08"                      # signature, 8 x 512 bytes
r[3] = 0xCB                                    # init entry: retf, nothing to set up
r[8:12] = b"cVmi"
r[13], r[14] = 3, 2                            # API 3.0, two jump slots
struct.pack_into("<HH", r, 22, 0x120, 0x100)   # license, PCI data structure
r[0x100:0x104] = b"PCIR"
r[0x120:0x127] = b"GPL v2\0"
r[128:136] = b"\xe9\x00\x01\x00\x00\x90\x90\x90"   # VMI_Init slot
r[136:144] = b"\xe9\x00\x02\x00\x00\x90\x90\x90"   # GetRelocationInfo slot
r[-1] = (-sum(r)) & 0xFF
sys.stdout.buffer.write(r)

/* BIOS loader memory layout below 1 MiB and the MBR/stage 2 contract (docs/bios-loader.md); used from C and assembly. */
#ifndef LOADER_BIOS_LAYOUT_H
#define LOADER_BIOS_LAYOUT_H

#define MBR_ADDR            0x7c00
#define RM_STACK_TOP        0x7c00      /* real-mode stack, below the MBR */
#define DAP_ADDR            0x7e00      /* int 13h disk address packet */
#define E820_BUF            0x7e40      /* one 24-byte E820 entry */
#define THUNK_VARS          0x7f00      /* bios_call's variables: never on a code page */
#define STAGE2_ADDR         0x8000      /* stage 2 is loaded and linked here */
#define STAGE2_SEG          0x0800
#define STAGE2_LBA          1           /* right after the MBR */
#define STAGE2_MAX_SECTORS  120         /* 60 KiB: 0x8000-0x17000 */
#define STAGE2_MAGIC        0x32425650  /* "PVB2" */
#define BOUNCE_ADDR         0x60000     /* int 13h reads land here first */
#define BOUNCE_SEG          0x6000
#define BOUNCE_SECTORS      127         /* the most EDD allows per call */
#define LOADER_END          0x70000     /* nothing of the loader above this */
#define PART_START_LBA      2048        /* the FAT partition starts at 1 MiB */

/* Stage 2 header: the MBR checks magic, sector count and the checksum. */
#define S2H_MAGIC    0      /* u32 STAGE2_MAGIC */
#define S2H_SECTORS  4      /* u16 sectors including this one */
#define S2H_CHECKSUM 6      /* u16 chosen so all u16 words of the image sum to 0 */
#define S2H_ENTRY    8      /* u16 offset of the real-mode entry */

#endif

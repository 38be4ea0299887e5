/* Fixed-width types shared by the kernel, loaders, ROM and host tests. */
#ifndef PVBOOT_TYPES_H
#define PVBOOT_TYPES_H
#ifndef __ASSEMBLER__
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PACKED __attribute__((packed))
#define STATIC_ASSERT(c, msg) _Static_assert(c, msg)
#endif
#endif

/* libFuzzer target: the vmi backend's checks of a ROM's pvboot extension block and of its relocation info (lib/vmiext.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/vmiext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A message the backend prints: one short line. */
static void check_line(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 160 || memchr(s, '\n', n))
		abort();
}

static void ext(const uint8_t *data, size_t size)
{
	char why[96];
	struct vmi_ext e;
	/* The ROM image exactly as long as the input, so ASan sees any over-read. */
	uint8_t *rom = malloc(size ? size : 1);
	uint32_t copy_max = 192 * 1024;

	memcpy(rom, data, size);
	const char *err = vmi_ext_parse(rom, (uint32_t)size, copy_max, &e, why, sizeof(why));
	if (err)
		check_line(err);
	else if (size > copy_max || e.data_size > copy_max - size ||
		 (e.virtual_top && e.virtual_top < 0xff000000u))
		abort();
	free(rom);
}

/* The input as GetRelocationInfo's answers (repeated to 128 calls) for a
 * ROM whose base and length are its first 8 bytes. */
static void reloc(const uint8_t *data, size_t size)
{
	static uint64_t info[VMI_NCALLS];
	static uint32_t eip[VMI_NCALLS];
	static uint8_t type[VMI_NCALLS];
	uint32_t base, len;
	char why[96];

	if (size < 16)
		return;
	memcpy(&base, data, 4);
	memcpy(&len, data + 4, 4);
	data += 8;
	size -= 8;
	for (size_t i = 0; i < VMI_NCALLS * 8; i++)
		((uint8_t *)info)[i] = data[i % size];
	const char *err = vmi_reloc_check(info, base, len, eip, type, why, sizeof(why));
	if (err) {
		check_line(err);
		return;
	}
	for (uint32_t c = 0; c < VMI_NCALLS; c++) {
		if (type[c] > VMI_RELOCATION_NOP)
			abort();
		if ((type[c] == VMI_RELOCATION_CALL_REL || type[c] == VMI_RELOCATION_JUMP_REL) &&
		    (eip[c] < base || eip[c] - base >= len))
			abort();
	}
	for (uint32_t i = 0; i < vmi_nrequired_calls; i++)
		if (type[vmi_required_calls[i]] == VMI_RELOCATION_NONE)
			abort();
	if (type[VMI_CALL_IRET] != VMI_RELOCATION_JUMP_REL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ext(data, size);
	reloc(data, size);
	return 0;
}

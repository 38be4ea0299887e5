/* Measured boot through EFI_TCG2_PROTOCOL (TCG EFI Protocol Specification 1.22 §6): files, ROM, command line and backend choice into PCR 8/9, then the PCRs and our event-log entries printed. */
#include "uefi.h"
#include "../common/tpm2.h"
#include "pvboot/fmt.h"
#include "pvboot/string.h"

#define TCG2_PROTOCOL_GUID { 0x607f766c, 0x7455, 0x42be, { 0x93, 0x0b, 0xe4, 0xd7, 0x6d, 0xb2, 0x72, 0x0f } }
#define EV_IPL 0x0000000du                      /* PC Client PFP §10.4.1: what a boot loader measures */
#define TCG2_LOG_FORMAT_TCG_2 0x00000002u
#define PCR_CONFIG 8                            /* config, command line, backend choice */
#define PCR_FILES 9                             /* kernel, VMI ROM */
#define DESC_MAX 160

/* §6.3 / §6.6: the event header is packed; HeaderSize counts only the header. */
typedef struct {
	UINT32 HeaderSize;
	UINT16 HeaderVersion;
	UINT32 PCRIndex;
	UINT32 EventType;
} __attribute__((packed)) TCG2_EVENT_HEADER;

typedef struct {
	UINT32 Size;                            /* header + event data */
	TCG2_EVENT_HEADER Header;
	UINT8 Event[DESC_MAX];
} __attribute__((packed)) TCG2_EVENT;

/* §6.4: natural alignment, Size says how much the firmware may fill. */
typedef struct {
	UINT8 Size;
	UINT8 StructureVersion[2], ProtocolVersion[2];
	UINT32 HashAlgorithmBitmap, SupportedEventLogs;
	BOOLEAN TPMPresentFlag;
	UINT16 MaxCommandSize, MaxResponseSize;
	UINT32 ManufacturerID, NumberOfPCRBanks, ActivePcrBanks;
} TCG2_CAPABILITY;

struct tcg2 {
	EFI_STATUS (EFIAPI *GetCapability)(struct tcg2 *self, TCG2_CAPABILITY *cap);
	EFI_STATUS (EFIAPI *GetEventLog)(struct tcg2 *self, UINT32 format, EFI_PHYSICAL_ADDRESS *loc,
					 EFI_PHYSICAL_ADDRESS *last, BOOLEAN *truncated);
	EFI_STATUS (EFIAPI *HashLogExtendEvent)(struct tcg2 *self, UINT64 flags, EFI_PHYSICAL_ADDRESS data,
						UINT64 len, TCG2_EVENT *event);
	EFI_STATUS (EFIAPI *SubmitCommand)(struct tcg2 *self, UINT32 in_size, UINT8 *in, UINT32 out_size,
					   UINT8 *out);
};

static struct tcg2 *tcg2;
static u8 rom_digest[SHA256_LEN];       /* of the VMI ROM in use, for the backend event */
static bool have_rom;

void uefi_tpm_init(void)
{
	EFI_GUID guid = TCG2_PROTOCOL_GUID;
	TCG2_CAPABILITY cap = { .Size = sizeof(cap) };
	struct tcg2 *t;

	if (uefi.bs->LocateProtocol(&guid, NULL, (void **)&t) != EFI_SUCCESS)
		return;                         /* no TPM 2.0: nothing is measured */
	if (t->GetCapability(t, &cap) != EFI_SUCCESS || !cap.TPMPresentFlag)
		return;
	tcg2 = t;
	linfo("uefi: tpm: TPM 2.0 present (PCR banks %#x); measuring into PCR 8 and 9\n",
	      cap.ActivePcrBanks);
}

bool uefi_tpm_present(void)
{
	return tcg2 != NULL;
}

/* One event: data hashed into every active bank of pcr, desc as the log's event text. */
static void measure(u32 pcr, const void *data, u32 len, const char *desc)
{
	TCG2_EVENT ev;
	u32 n = (u32)strnlen(desc, DESC_MAX);
	EFI_STATUS s;

	if (!tcg2)
		return;
	ev.Size = (UINT32)(sizeof(ev) - DESC_MAX + n);
	ev.Header.HeaderSize = sizeof(ev.Header);
	ev.Header.HeaderVersion = 1;
	ev.Header.PCRIndex = pcr;
	ev.Header.EventType = EV_IPL;
	memcpy(ev.Event, desc, n);
	s = tcg2->HashLogExtendEvent(tcg2, 0, (EFI_PHYSICAL_ADDRESS)(uintptr_t)data, len, &ev);
	if (s != EFI_SUCCESS)
		lprintf("uefi: tpm: measuring \"%s\" into PCR %u failed (EFI status %#llx); the PCRs will not match\n",
			desc, pcr, (unsigned long long)s);
}

void uefi_measure_file(const char *path, const u8 *data, u32 size)
{
	char desc[DESC_MAX];
	bool kernel = !strcmp(path, KERNEL_PATH);

	pv_snprintf(desc, sizeof(desc), "pvboot: %s %s", kernel ? "kernel" : "config", path);
	measure(kernel ? PCR_FILES : PCR_CONFIG, data, size, desc);
}

void uefi_measure_rom(const char *name, const u8 *data, u32 size, const u8 digest[SHA256_LEN])
{
	char desc[DESC_MAX];

	memcpy(rom_digest, digest, SHA256_LEN);
	have_rom = true;
	pv_snprintf(desc, sizeof(desc), "pvboot: VMI ROM fw_cfg %s", name);
	measure(PCR_FILES, data, size, desc);
}

/* ---- at hand-off: command line, backend, read-back ---------------------- */

static void print_event(void *ctx, const struct tcg_event *e)
{
	char hex[SHA256_HEX_LEN] = "(none)";
	u32 n = e->data_len < 120 ? e->data_len : 120;
	char text[121];

	if (e->pcr != PCR_CONFIG && e->pcr != PCR_FILES)
		return;
	for (u32 i = 0; i < n; i++)             /* firmware text: printable only */
		text[i] = e->data[i] >= 0x20 && e->data[i] < 0x7f ? (char)e->data[i] : '.';
	text[n] = '\0';
	if (e->sha256)
		sha256_hex(e->sha256, hex);
	linfo("tpm: log PCR%u type %#x sha256 %s \"%s\"\n", e->pcr, e->type, hex, text);
}

/*
 * Our events are the last ones; the log area itself (OVMF: 64 KiB) goes on
 * past the last entry, so a window this size past its start is readable.
 */
#define LAST_ENTRY_MAX 2048

static void print_log(void)
{
	EFI_PHYSICAL_ADDRESS loc = 0, last = 0;
	BOOLEAN truncated = FALSE;
	char why[100];

	if (tcg2->GetEventLog(tcg2, TCG2_LOG_FORMAT_TCG_2, &loc, &last, &truncated) != EFI_SUCCESS ||
	    !loc || last < loc) {
		lprintf("uefi: tpm: no crypto-agile event log from the firmware\n");
		return;
	}
	if (tcglog_walk((const u8 *)(uintptr_t)loc, (size_t)(last - loc) + LAST_ENTRY_MAX,
			(size_t)(last - loc), print_event, NULL, why, sizeof(why)) < 0)
		lprintf("uefi: tpm: event log: %s\n", why);
	if (truncated)
		lprintf("uefi: tpm: the firmware's event log is truncated\n");
}

/* TPM2_PCR_Read through SubmitCommand: PCR 8 and 9 of the SHA-256 bank. */
static void print_pcrs(void)
{
	u8 cmd[TPM2_PCR_READ_CMD_LEN], rsp[256], pcr[24][32];
	char hex[SHA256_HEX_LEN], why[100];
	u32 got;

	tpm2_pcr_read_cmd(cmd, 1u << PCR_CONFIG | 1u << PCR_FILES);
	memset(rsp, 0, sizeof(rsp));
	if (tcg2->SubmitCommand(tcg2, sizeof(cmd), cmd, sizeof(rsp), rsp) != EFI_SUCCESS) {
		lprintf("uefi: tpm: TPM2_PCR_Read could not be submitted\n");
		return;
	}
	if (tpm2_pcr_read_parse(rsp, sizeof(rsp), pcr, &got, why, sizeof(why))) {
		lprintf("uefi: tpm: TPM2_PCR_Read: %s\n", why);
		return;
	}
	for (u32 i = PCR_CONFIG; i <= PCR_FILES; i++) {
		if (!(got & (1u << i))) {
			lprintf("uefi: tpm: PCR%u: not returned (no SHA-256 bank?)\n", i);
			continue;
		}
		sha256_hex(pcr[i], hex);
		lprintf("tpm: PCR%u sha256 %s\n", i, hex);
	}
}

void uefi_measure_handoff(const struct pvboot_info *info)
{
	char desc[DESC_MAX], hex[SHA256_HEX_LEN] = "none";
	size_t n = strnlen(info->cmdline, sizeof(info->cmdline));

	if (!tcg2)
		return;
	pv_snprintf(desc, sizeof(desc), "pvboot: cmdline %.120s", info->cmdline);
	measure(PCR_CONFIG, info->cmdline, (u32)n, desc);
	if (have_rom)
		sha256_hex(rom_digest, hex);
	/* The event's data is its own text, so a verifier recomputes the digest from what it reads. */
	pv_snprintf(desc, sizeof(desc), "pvboot: backend=%s forced=%u rom-sha256=%s",
		    pv_backend_name(info->backend_id), info->backend_forced, hex);
	measure(PCR_CONFIG, desc, (u32)strlen(desc), desc);
	print_log();
	print_pcrs();
}

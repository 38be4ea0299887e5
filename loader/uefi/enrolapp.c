/* Test tool as a UEFI app: enrols db, KEK and PK (sbvarsign output, attributes first) from \keys\ on its own volume into a variable store in Setup Mode, then ends QEMU (docs/secure-boot.md, "ia32"). */
#include <efi.h>
#include "pvboot/io.h"

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

/* UEFI 2.10 §32.6.1: db's vendor GUID; KEK and PK are global variables. */
#define IMAGE_SECURITY_DATABASE_GUID { 0xd719b2cb, 0x3d3a, 0x4596, { 0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f } }

static EFI_SYSTEM_TABLE *sys;

static void say(const CHAR16 *s)
{
	sys->ConOut->OutputString(sys->ConOut, (CHAR16 *)s);
}

static void say_hex(UINT64 v)
{
	CHAR16 buf[19] = L"0x";

	for (int i = 0; i < 16; i++)
		buf[2 + i] = L"0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
	buf[18] = 0;
	say(buf);
}

static void qemu_exit(UINT32 code)
{
	outl(QEMU_EXIT_PORT, code);
}

/* The whole file into pool memory; NULL if it cannot be read. */
static UINT8 *read_file(EFI_FILE_HANDLE root, const CHAR16 *path, UINTN *size)
{
	EFI_FILE_HANDLE h;
	UINT64 end;
	UINT8 *buf = NULL;

	if (root->Open(root, &h, (CHAR16 *)path, EFI_FILE_MODE_READ, 0) != EFI_SUCCESS)
		return NULL;
	if (h->SetPosition(h, ~0ull) == EFI_SUCCESS && h->GetPosition(h, &end) == EFI_SUCCESS &&
	    end > 4 && end < 0x100000 && h->SetPosition(h, 0) == EFI_SUCCESS &&
	    sys->BootServices->AllocatePool(EfiLoaderData, (UINTN)end, (void **)&buf) == EFI_SUCCESS) {
		*size = (UINTN)end;
		if (h->Read(h, size, buf) != EFI_SUCCESS || *size != end)
			buf = NULL;
	}
	h->Close(h);
	return buf;
}

/* One variable: the file's first 4 bytes are the attributes (sbvarsign --include-attrs). */
static BOOLEAN enrol(EFI_FILE_HANDLE root, const CHAR16 *name, const CHAR16 *path, EFI_GUID *guid)
{
	UINTN size = 0;
	UINT8 *buf = read_file(root, path, &size);
	EFI_STATUS s;

	say(L"enrol: ");
	say(name);
	if (!buf) {
		say(L": cannot read the file\r\n");
		return FALSE;
	}
	s = sys->RuntimeServices->SetVariable((CHAR16 *)name, guid, *(UINT32 *)buf, size - 4, buf + 4);
	if (s != EFI_SUCCESS) {
		say(L": SetVariable failed, status ");
		say_hex((UINT64)s);
		say(L"\r\n");
		return FALSE;
	}
	say(L": enrolled\r\n");
	return TRUE;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL, sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
	EFI_GUID db = IMAGE_SECURITY_DATABASE_GUID, global = EFI_GLOBAL_VARIABLE;
	EFI_LOADED_IMAGE *li;
	EFI_FILE_IO_INTERFACE *sfs;
	EFI_FILE_HANDLE root;
	BOOLEAN ok;

	sys = st;
	if (st->BootServices->HandleProtocol(image, &li_guid, (void **)&li) != EFI_SUCCESS ||
	    st->BootServices->HandleProtocol(li->DeviceHandle, &sfs_guid, (void **)&sfs) != EFI_SUCCESS ||
	    sfs->OpenVolume(sfs, &root) != EFI_SUCCESS) {
		say(L"enrol: no file system on our own device\r\n");
		qemu_exit(1);
		return EFI_LOAD_ERROR;
	}
	/* PK last: enrolling it ends Setup Mode, after which db and KEK would need signatures. */
	ok = enrol(root, L"db", L"\\keys\\db.auth", &db) && enrol(root, L"KEK", L"\\keys\\KEK.auth", &global) &&
	     enrol(root, L"PK", L"\\keys\\PK.auth", &global);
	qemu_exit(ok ? 0 : 1);
	return ok ? EFI_SUCCESS : EFI_LOAD_ERROR;
}

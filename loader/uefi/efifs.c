/* The loader's files through the Simple File System of the device it was loaded from (UEFI 2.10 §13.4 SFS, §13.5 EFI_FILE_PROTOCOL). */
#include "uefi.h"
#include "../common/fat.h"

bool uefi_fs_init(void)
{
	EFI_GUID sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
	EFI_FILE_IO_INTERFACE *sfs;

	if (uefi.bs->HandleProtocol(uefi.li->DeviceHandle, &sfs_guid, (void **)&sfs) != EFI_SUCCESS)
		return false;
	return sfs->OpenVolume(sfs, &uefi.root) == EFI_SUCCESS;
}

/* "/boot/x" → L"\\boot\\x"; false if it does not fit. */
static bool to_efi_path(const char *path, CHAR16 *out, size_t n)
{
	size_t i;

	for (i = 0; path[i] && i + 1 < n; i++)
		out[i] = path[i] == '/' ? L'\\' : (CHAR16)(u8)path[i];
	out[i] = 0;
	return !path[i];
}

/*
 * Open and size a file.  The size comes from seeking to the end (UEFI
 * 2.10 §13.5 SetPosition: 0xFFFF...FFFF means end of file), which saves
 * the variable-length EFI_FILE_INFO; directories refuse that seek.
 */
int uefi_file_open(const char *path, void **handle, u32 *size)
{
	CHAR16 name[96];
	EFI_FILE_HANDLE h;
	UINT64 end;
	EFI_STATUS s;

	if (!uefi.root || !to_efi_path(path, name, ARRAY_SIZE(name)))
		return FAT_ENOENT;
	s = uefi.root->Open(uefi.root, &h, name, EFI_FILE_MODE_READ, 0);
	if (s == EFI_NOT_FOUND)
		return FAT_ENOENT;
	if (s != EFI_SUCCESS)
		return FAT_EIO;
	if (h->SetPosition(h, ~0ull) != EFI_SUCCESS) {
		h->Close(h);
		return FAT_EISDIR;
	}
	if (h->GetPosition(h, &end) != EFI_SUCCESS || end > 0xffffffffull) {
		h->Close(h);
		return FAT_ECORRUPT;
	}
	*handle = h;
	*size = (u32)end;
	return FAT_OK;
}

long uefi_file_read(void *handle, u32 off, void *buf, u32 len)
{
	EFI_FILE_HANDLE h = handle;
	u8 *p = buf;
	u32 done = 0;

	if (h->SetPosition(h, off) != EFI_SUCCESS)
		return FAT_EIO;
	while (done < len) {
		UINTN n = len - done;

		if (h->Read(h, &n, p + done) != EFI_SUCCESS)
			return FAT_EIO;
		if (!n)
			break;                  /* end of file */
		done += (u32)n;
	}
	return done;
}

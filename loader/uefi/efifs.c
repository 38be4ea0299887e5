/* The loader's files through the Simple File System of the device it was loaded from (UEFI 2.10 §13.4 SFS, §13.5 EFI_FILE_PROTOCOL). */
#include "uefi.h"
#include "../common/fat.h"
#include "pvboot/string.h"

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

#define WINDOW 4096     /* small reads are served from one block this size */

/*
 * An open file and a read window: every call through the file system
 * costs ~0.2 ms under TCG whatever its size, and the ELF checks read the
 * kernel in ~20 small pieces at three places (headers, .pvbackends,
 * section table).  Reading the whole file instead would move the ~440 KB
 * of debug sections too, which costs more than the calls it saves.
 */
struct efi_file {
	EFI_FILE_HANDLE h;
	u32 size;
	u8 *whole;              /* the checked copy, when the file must be hashed */
	u32 win_off, win_len;
	u8 win[WINDOW];
};

/*
 * The size from seeking to the end (UEFI 2.10 §13.5 SetPosition:
 * 0xFFFF...FFFF means end of file) saves the variable-length
 * EFI_FILE_INFO; directories refuse that seek.
 */
static int file_size(EFI_FILE_HANDLE h, u32 *size)
{
	UINT64 end;

	if (h->SetPosition(h, ~0ull) != EFI_SUCCESS)
		return FAT_EISDIR;
	if (h->GetPosition(h, &end) != EFI_SUCCESS || end > 0xffffffffull)
		return FAT_ECORRUPT;
	*size = (u32)end;
	return FAT_OK;
}

/* len bytes at off straight from the file system; bytes read or FAT_EIO. */
static long read_at(EFI_FILE_HANDLE h, u32 off, u8 *p, u32 len)
{
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

/*
 * Under Secure Boot or with a TPM the whole file is read once and hashed
 * (checked against the bound hash, measured), and every later read is
 * served from that copy: what was checked is what boots, whatever the
 * disk returns afterwards.
 */
static int read_whole(struct efi_file *f, const char *path)
{
	if (uefi.bs->AllocatePool(EfiLoaderData, f->size ? f->size : 1, (void **)&f->whole) != EFI_SUCCESS)
		return FAT_EIO;
	if (read_at(f->h, 0, f->whole, f->size) != (long)f->size)
		return FAT_EIO;
	uefi_vet_file(path, f->whole, f->size);
	uefi_measure_file(path, f->whole, f->size);
	return FAT_OK;
}

int uefi_file_open(const char *path, void **handle, u32 *size)
{
	CHAR16 name[96];
	EFI_FILE_HANDLE h;
	struct efi_file *f;
	EFI_STATUS s;
	int r;

	if (!uefi.root || !to_efi_path(path, name, ARRAY_SIZE(name)))
		return FAT_ENOENT;
	s = uefi.root->Open(uefi.root, &h, name, EFI_FILE_MODE_READ, 0);
	if (s == EFI_NOT_FOUND)
		return uefi_vet_missing(path), FAT_ENOENT;
	if (s != EFI_SUCCESS)
		return FAT_EIO;
	r = file_size(h, size);
	if (!r && uefi.bs->AllocatePool(EfiLoaderData, sizeof(*f), (void **)&f) != EFI_SUCCESS)
		r = FAT_EIO;
	if (r) {
		h->Close(h);
		return r;
	}
	f->h = h, f->size = *size, f->win_off = 0, f->win_len = 0, f->whole = NULL;
	if ((uefi_secure_on() || uefi_tpm_present()) && (r = read_whole(f, path)) != FAT_OK) {
		h->Close(h);
		return r;
	}
	*handle = f;
	return FAT_OK;
}

long uefi_file_read(void *handle, u32 off, void *buf, u32 len)
{
	struct efi_file *f = handle;
	long n;

	if (f->whole) {
		if (off > f->size)
			return 0;
		n = len < f->size - off ? len : f->size - off;
		memcpy(buf, f->whole + off, n);
		return n;
	}
	if (len >= WINDOW)
		return read_at(f->h, off, buf, len);
	if (off < f->win_off || off + len > f->win_off + f->win_len) {
		n = read_at(f->h, off, f->win, WINDOW);
		if (n < 0)
			return n;
		f->win_off = off, f->win_len = (u32)n;
	}
	n = f->win_off + f->win_len - off;
	if (n > (long)len)
		n = len;
	memcpy(buf, f->win + (off - f->win_off), n);
	return n;
}

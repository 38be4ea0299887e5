/* Read-only FAT16/FAT32 reader (Microsoft FAT spec 1.03): every on-disk field is checked before it is used. */
#include "fat.h"
#include "pvboot/string.h"

#define DIRENT_SIZE 32
#define ATTR_VOLUME 0x08
#define ATTR_DIR    0x10
#define ATTR_LFN    0x0f
#define LFN_MAX     255

static u16 le16(const u8 *p)
{
	return p[0] | p[1] << 8;
}

static u32 le32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static int corrupt(struct fat_vol *v, const char *why)
{
	v->err = why;
	return FAT_ECORRUPT;
}

static int read_sectors(struct fat_vol *v, u64 rel_lba, u32 n, void *buf)
{
	return v->read(v->ctx, v->part_lba + rel_lba, n, buf) ? FAT_EIO : FAT_OK;
}

/* Geometry from the BPB; called with the boot sector in secbuf. */
static int parse_bpb(struct fat_vol *v, const u8 *b, u64 part_sectors)
{
	u32 spc = b[13], rsvd = le16(b + 14), nfats = b[16], rootents = le16(b + 17);
	u32 total = le16(b + 19) ? le16(b + 19) : le32(b + 32);
	u32 fatsz = le16(b + 22) ? le16(b + 22) : le32(b + 36);
	u64 data;

	if (le16(b + 510) != 0xaa55)
		return corrupt(v, "no 55 AA boot-sector signature");
	if (le16(b + 11) != FAT_SECTOR)
		return corrupt(v, "bytes per sector is not 512");
	if (!spc || spc > 128 || (spc & (spc - 1)))
		return corrupt(v, "sectors per cluster is not a power of two <= 128");
	if (!rsvd || !nfats || nfats > 4 || !fatsz || !total)
		return corrupt(v, "reserved sectors, FAT count, FAT size or total sectors is 0 or absurd");
	if (total > part_sectors)
		return corrupt(v, "the file system is larger than its partition");
	v->spc = spc;
	v->fat_lba = rsvd;
	v->fat_sectors = fatsz;
	v->root_lba = rsvd + nfats * fatsz;     /* <= 4 * 2^32: checked next */
	v->root_sectors = (rootents * DIRENT_SIZE + FAT_SECTOR - 1) / FAT_SECTOR;
	data = (u64)rsvd + (u64)nfats * fatsz + v->root_sectors;
	if (data >= total)
		return corrupt(v, "the FATs and root directory do not fit in the file system");
	v->data_lba = (u32)data;
	v->clusters = (total - v->data_lba) / spc;
	return FAT_OK;
}

/* FAT16 or FAT32 by cluster count (spec §3.5), then the type's own rules. */
static int check_type(struct fat_vol *v, const u8 *b)
{
	u32 rootents = le16(b + 17);

	if (v->clusters < 4085)
		return corrupt(v, "FAT12 (fewer than 4085 clusters) is not supported");
	v->type = v->clusters < 65525 ? 16 : 32;
	if (v->type == 16 && !rootents)
		return corrupt(v, "FAT16 with an empty root directory region");
	if (v->type == 32) {
		if (rootents || le16(b + 22))
			return corrupt(v, "FAT32 with FAT16 root directory or FAT size fields set");
		v->root_cluster = le32(b + 44);
		if (v->root_cluster < 2 || v->root_cluster > v->clusters + 1)
			return corrupt(v, "root directory cluster out of range");
	}
	/* Entries the FAT holds, without a 64-bit division (no libgcc). */
	if ((u64)v->fat_sectors * (FAT_SECTOR / (v->type / 8)) < (u64)v->clusters + 2)
		return corrupt(v, "the FAT is too small for the cluster count");
	return FAT_OK;
}

int fat_mount(struct fat_vol *v, sector_read_fn rd, void *ctx, u64 part_lba,
	      u64 part_sectors)
{
	int r;

	memset(v, 0, sizeof(*v));
	v->read = rd;
	v->ctx = ctx;
	v->part_lba = part_lba;
	v->cached_fat = ~0u;
	for (int i = 0; i < FAT_CACHE_SECTORS; i++)
		v->cache_lba[i] = ~0ull;
	if ((r = read_sectors(v, 0, 1, v->secbuf)))
		return r;
	if ((r = parse_bpb(v, v->secbuf, part_sectors)))
		return r;
	return check_type(v, v->secbuf);
}

/*
 * The FAT entry of cluster c: *next = the following cluster, or 0 at the
 * end of the chain.  Free, bad and out-of-range entries are corruption.
 */
static int fat_next(struct fat_vol *v, u32 c, u32 *next)
{
	u32 off = c * (v->type / 8), sec = off / FAT_SECTOR, e;
	int r;

	if (c < 2 || c > v->clusters + 1)
		return corrupt(v, "cluster number out of range");
	if (sec != v->cached_fat) {
		if ((r = read_sectors(v, v->fat_lba + sec, 1, v->fatbuf)))
			return r;
		v->cached_fat = sec;
	}
	off %= FAT_SECTOR;
	e = v->type == 16 ? le16(v->fatbuf + off) : le32(v->fatbuf + off) & 0x0fffffff;
	if (e >= (v->type == 16 ? 0xfff8u : 0x0ffffff8u)) {
		*next = 0;
		return FAT_OK;
	}
	if (e < 2 || e > v->clusters + 1)
		return corrupt(v, "FAT entry points outside the volume (free, bad or out of range)");
	*next = e;
	return FAT_OK;
}

static u64 cluster_lba(const struct fat_vol *v, u32 c)
{
	return v->data_lba + (u64)(c - 2) * v->spc;
}

/* A directory being read one sector at a time. */
struct dir_iter {
	bool fixed;             /* FAT16 root region */
	u32 cluster, sec;       /* sector index in cluster or in the region */
	u32 steps;
};

static const u8 *cached_sector(struct fat_vol *v, u64 lba, int *err);

/* Point *sec at the next directory sector: 1, 0 at the end, or error. */
static int dir_sector(struct fat_vol *v, struct dir_iter *it, const u8 **sec)
{
	u64 lba;
	int r;

	if (it->fixed) {
		if (it->sec >= v->root_sectors)
			return 0;
		lba = v->root_lba + it->sec++;
	} else {
		if (it->sec == v->spc) {
			if ((r = fat_next(v, it->cluster, &it->cluster)))
				return r;
			if (!it->cluster)
				return 0;
			if (++it->steps > v->clusters)
				return corrupt(v, "directory cluster chain loops");
			it->sec = 0;
		}
		lba = cluster_lba(v, it->cluster) + it->sec++;
	}
	/* Cached: the loader looks up two files in the same directories. */
	*sec = cached_sector(v, lba, &r);
	return *sec ? 1 : r;
}

/* A long name being assembled from its LFN entries (last part first). */
struct lfn {
	char name[LFN_MAX + 1];
	int expect;             /* next sequence number, 0 = complete/none */
	u8 sum;
	bool valid;
};

static u8 short_sum(const u8 *e)
{
	u8 s = 0;

	for (int i = 0; i < 11; i++)
		s = ((s & 1) << 7) + (s >> 1) + e[i];
	return s;
}

static void lfn_add(struct lfn *l, const u8 *e)
{
	static const u8 pos[13] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };
	int seq = e[0] & 0x1f;

	if (e[0] & 0x40) {
		memset(l->name, 0, sizeof(l->name));
		l->expect = seq;
		l->sum = e[13];
		l->valid = seq >= 1 && seq <= 20;
	}
	if (!l->valid || seq != l->expect || e[13] != l->sum || seq < 1) {
		l->valid = false;
		return;
	}
	for (int i = 0; i < 13; i++) {
		u16 ch = le16(e + pos[i]);
		u32 at = (seq - 1) * 13 + i;

		if (ch == 0 || ch == 0xffff || at >= LFN_MAX)
			break;
		l->name[at] = ch < 0x80 ? (char)ch : '\x01';   /* non-ASCII never matches */
	}
	l->expect--;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool name_eq(const char *a, const char *comp, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!a[i] || lower(a[i]) != lower(comp[i]))
			return false;
	return !a[n];
}

/* "PVKERNEL ELF" -> "PVKERNEL.ELF" */
static void short_name(const u8 *e, char out[13])
{
	int n = 0;

	for (int i = 0; i < 8 && e[i] != ' '; i++)
		out[n++] = i == 0 && e[0] == 0x05 ? (char)0xe5 : (char)e[i];
	if (e[8] != ' ')
		out[n++] = '.';
	for (int i = 8; i < 11 && e[i] != ' '; i++)
		out[n++] = e[i];
	out[n] = '\0';
}

/* Does directory entry e (short entry, long name in l) match comp? */
static bool entry_matches(const u8 *e, const struct lfn *l, const char *comp, size_t n)
{
	char sn[13];

	if (l->valid && l->expect == 0 && l->sum == short_sum(e) && name_eq(l->name, comp, n))
		return true;
	short_name(e, sn);
	return name_eq(sn, comp, n);
}

static int entry_to_file(struct fat_vol *v, const u8 *e, struct fat_file *f)
{
	f->first_cluster = le16(e + 26) | (v->type == 32 ? (u32)le16(e + 20) << 16 : 0);
	f->size = le32(e + 28);
	f->dir = e[11] & ATTR_DIR;
	if (f->first_cluster == 0 && (f->size || f->dir))
		return corrupt(v, "directory entry has no first cluster but data");
	if (f->first_cluster && (f->first_cluster < 2 || f->first_cluster > v->clusters + 1))
		return corrupt(v, "directory entry's first cluster out of range");
	return FAT_OK;
}

/* Find comp[0..n) in the directory it (one sector loaded per step). */
static int dir_find(struct fat_vol *v, struct dir_iter *it, const char *comp,
		    size_t n, struct fat_file *f)
{
	struct lfn l = { .valid = false };
	const u8 *sec = NULL;
	int r;

	while ((r = dir_sector(v, it, &sec)) == 1) {
		for (u32 off = 0; off < FAT_SECTOR; off += DIRENT_SIZE) {
			const u8 *e = sec + off;

			if (e[0] == 0x00)
				return FAT_ENOENT;
			if (e[0] == 0xe5) {
				l.valid = false;
			} else if ((e[11] & 0x3f) == ATTR_LFN) {
				lfn_add(&l, e);
			} else if (!(e[11] & ATTR_VOLUME) && entry_matches(e, &l, comp, n)) {
				return entry_to_file(v, e, f);
			} else {
				l.valid = false;
			}
		}
	}
	return r < 0 ? r : FAT_ENOENT;
}

int fat_open(struct fat_vol *v, const char *path, struct fat_file *f)
{
	struct dir_iter it = { .fixed = v->type == 16, .cluster = v->root_cluster };
	const char *p = path;
	int r;

	f->first_cluster = v->root_cluster;
	f->size = 0;
	f->dir = true;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return f->dir ? FAT_EISDIR : FAT_OK;
		if (!f->dir)
			return FAT_ENOTDIR;
		size_t n = 0;
		while (p[n] && p[n] != '/')
			n++;
		if (n > LFN_MAX)
			return FAT_ENOENT;
		if ((r = dir_find(v, &it, p, n, f)))
			return r;
		p += n;
		it = (struct dir_iter){ .fixed = false, .cluster = f->first_cluster };
		if (f->dir && !f->first_cluster)        /* ".." of a top directory */
			it = (struct dir_iter){ .fixed = v->type == 16, .cluster = v->root_cluster };
	}
}

/* Advance *c by n clusters along the chain. */
static int chain_skip(struct fat_vol *v, u32 *c, u32 n)
{
	int r;

	if (n > v->clusters)
		return corrupt(v, "file is larger than the volume");
	while (n--) {
		if ((r = fat_next(v, *c, c)))
			return r;
		if (!*c)
			return corrupt(v, "cluster chain is shorter than the file size");
	}
	return FAT_OK;
}

/* Whole sectors from cluster cl, extended over contiguous clusters. */
static int read_run(struct fat_vol *v, u32 *cl, u32 in_clus, u32 max_sec, u8 *buf, u32 *nsec)
{
	u32 first = in_clus / FAT_SECTOR, last = *cl;
	u32 n = v->spc - first < max_sec ? v->spc - first : max_sec;
	u32 nx;
	int r;

	while (first + n == v->spc * (last - *cl + 1) && n < max_sec) {
		if ((r = fat_next(v, last, &nx)))
			return r;
		if (nx != last + 1)
			break;
		last = nx;
		n += v->spc < max_sec - n ? v->spc : max_sec - n;
	}
	if ((r = read_sectors(v, cluster_lba(v, *cl) + first, n, buf)))
		return r;
	*cl = last;
	*nsec = n;
	return FAT_OK;
}

/* A data sector through the small cache; NULL with *err on failure. */
static const u8 *cached_sector(struct fat_vol *v, u64 lba, int *err)
{
	u32 i;

	for (i = 0; i < FAT_CACHE_SECTORS; i++)
		if (v->cache_lba[i] == lba)
			return v->cache[i];
	i = v->cache_next++ % FAT_CACHE_SECTORS;
	v->cache_lba[i] = ~0ull;
	if ((*err = read_sectors(v, lba, 1, v->cache[i])))
		return NULL;
	v->cache_lba[i] = lba;
	return v->cache[i];
}

long fat_read(struct fat_vol *v, const struct fat_file *f, u32 off, void *buf, u32 len)
{
	u32 csize = v->spc * FAT_SECTOR, cl = f->first_cluster, pos = off, done = 0;
	u8 *out = buf;
	int r;

	if (f->dir)
		return FAT_EISDIR;
	if (off >= f->size)
		return 0;
	if (len > f->size - off)
		len = f->size - off;
	/* Reads of one file mostly move forward: resume the last chain walk. */
	u32 idx = off / csize, from = 0;
	if (v->walk_first == f->first_cluster && v->walk_index <= idx)
		from = v->walk_index, cl = v->walk_cluster;
	if ((r = chain_skip(v, &cl, idx - from)))
		return r;
	v->walk_first = f->first_cluster, v->walk_index = idx, v->walk_cluster = cl;
	while (done < len) {
		u32 in_clus = pos % csize, n, nsec;

		if (in_clus % FAT_SECTOR || len - done < FAT_SECTOR) {
			const u8 *sec = cached_sector(v, cluster_lba(v, cl) + in_clus / FAT_SECTOR, &r);

			if (!sec)
				return r;
			n = FAT_SECTOR - in_clus % FAT_SECTOR;
			n = n < len - done ? n : len - done;
			memcpy(out + done, sec + in_clus % FAT_SECTOR, n);
		} else {
			if ((r = read_run(v, &cl, in_clus, (len - done) / FAT_SECTOR, out + done, &nsec)))
				return r;
			n = nsec * FAT_SECTOR;
		}
		pos += n;
		done += n;
		if (done < len && pos % csize == 0 && (r = chain_skip(v, &cl, 1)))
			return r;
	}
	return done;
}

const char *fat_strerror(int err)
{
	switch (err) {
	case FAT_OK: return "no error";
	case FAT_EIO: return "disk read error";
	case FAT_ECORRUPT: return "corrupt file system";
	case FAT_ENOENT: return "not found";
	case FAT_ENOTDIR: return "a path component is not a directory";
	case FAT_EISDIR: return "is a directory";
	}
	return "unknown error";
}

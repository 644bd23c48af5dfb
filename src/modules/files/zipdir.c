/* zipdir.c — the central directory of a ZIP archive (APPNOTE.TXT 6.3:
 * 4.3.16 end of central directory record, 4.3.14–15 ZIP64 end record and
 * locator, 4.3.12 central directory header, 4.5.3 ZIP64 extra field). All
 * values little-endian; every read is checked against the bounds first. */
#include "zipdir.h"
#include <string.h>

#define SIG_LOCAL    0x04034b50u
#define SIG_CENTRAL  0x02014b50u
#define SIG_END      0x06054b50u
#define SIG_END64    0x06064b50u
#define SIG_LOCATOR  0x07064b50u
#define LOCAL_LEN    30u   /* fixed part of a local file header */
#define CENTRAL_LEN  46u   /* fixed part of a central directory header */
#define END_LEN      22u   /* end of central directory record, without its comment */
#define END64_LEN    56u   /* ZIP64 end record, without its extensible data */
#define LOCATOR_LEN  20u
#define COMMENT_MAX  0xFFFFu
#define M16          0xFFFFu     /* "the value is in the ZIP64 record or field" */
#define M32          0xFFFFFFFFu
#define EXTRA_ZIP64  0x0001u

static uint64_t u16(const unsigned char *p) { return (uint64_t)p[0] | (uint64_t)p[1] << 8; }
static uint64_t u32(const unsigned char *p) { return u16(p) | u16(p + 2) << 16; }
static uint64_t u64(const unsigned char *p) { return u32(p) | u32(p + 4) << 32; }
static uint64_t add_sat(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

/* Whether [off, off + n) lies inside [0, end). */
static bool within(uint64_t off, uint64_t n, uint64_t end) { return off <= end && n <= end - off; }

/* The end record: the last signature whose comment ends the file exactly. */
static bool find_end(const unsigned char *d, size_t len, size_t *at)
{
    if (len < END_LEN) return false;
    size_t lowest = len - END_LEN > COMMENT_MAX ? len - END_LEN - COMMENT_MAX : 0;
    for (size_t p = len - END_LEN + 1; p-- > lowest;)
        if (u32(d + p) == SIG_END && p + END_LEN + u16(d + p + 20) == len) {
            *at = p;
            return true;
        }
    return false;
}

/* An entry whose fixed fields hold markers has their values, in this
 * order and only those marked, in its ZIP64 extra field. */
static bool zip64_values(const unsigned char *x, uint64_t xlen, uint64_t *v[4],
                         const bool marked[4])
{
    for (uint64_t p = 0; xlen - p >= 4;) {
        uint64_t id = u16(x + p), n = u16(x + p + 2);
        if (n > xlen - p - 4) return false;
        if (id == EXTRA_ZIP64) {
            const unsigned char *f = x + p + 4, *stop = f + n;
            for (int i = 0; i < 4; i++) {
                if (!marked[i]) continue;
                size_t w = i < 3 ? 8 : 4;
                if ((size_t)(stop - f) < w) return false;
                *v[i] = w == 8 ? u64(f) : u32(f);
                f += w;
            }
            return true;
        }
        p += 4 + n;
    }
    return false;
}

/* A local header that says what the directory says: an unzipper that reads
 * the local headers (a streaming one) sees the same sizes. Its sizes are
 * zero when a data descriptor follows the data (bit 3), markers in ZIP64. */
static bool local_agrees(const unsigned char *l, uint64_t method, uint64_t csize, uint64_t usize)
{
    if (u32(l) != SIG_LOCAL || u16(l + 8) != method) return false;
    uint64_t lc = u32(l + 18), lu = u32(l + 22);
    if ((u16(l + 6) & 8) || lc == M32 || lu == M32) return true;
    return lc == csize && lu == usize;
}

/* Where the directory lies and how many entries it lists. */
struct dir { uint64_t count, size, at, end; bool zip64; };

/* The end record at end, and the ZIP64 one when its locator precedes it:
 * each field of the end record holds its marker or the same value. */
static bool dir_of(const unsigned char *d, size_t end, struct dir *dir)
{
    const unsigned char *e = d + end;
    /* this disk, the directory's disk, entries here, entries, its size, its offset */
    uint64_t f[6] = {u16(e + 4), u16(e + 6), u16(e + 8), u16(e + 10), u32(e + 12), u32(e + 16)};
    static const uint64_t marker[6] = {M16, M16, M16, M16, M32, M32};
    bool marked = false;
    for (int i = 0; i < 6; i++) marked |= f[i] == marker[i];
    *dir = (struct dir){.end = end}; /* the directory ends where the next record starts */
    if (end >= LOCATOR_LEN && u32(d + end - LOCATOR_LEN) == SIG_LOCATOR) {
        const unsigned char *l = d + end - LOCATOR_LEN;
        uint64_t at = u64(l + 8), limit = end - LOCATOR_LEN;
        if (u32(l + 4) != 0 || u32(l + 16) > 1) return false; /* on another disk */
        if (!within(at, END64_LEN, limit) || u32(d + at) != SIG_END64) return false;
        const unsigned char *z = d + at;
        if (u64(z + 4) != limit - at - 12) return false; /* the record ends at its locator */
        uint64_t v[6] = {u32(z + 16), u32(z + 20), u64(z + 24),
                         u64(z + 32), u64(z + 40), u64(z + 48)};
        for (int i = 0; i < 6; i++) {
            if (f[i] != marker[i] && f[i] != v[i]) return false;
            f[i] = v[i];
        }
        dir->end = at;
        dir->zip64 = true;
    } else if (marked) {
        return false; /* a marker without its ZIP64 record */
    }
    dir->count = f[3];
    dir->size = f[4];
    dir->at = f[5];
    if (f[0] || f[1] || f[2] != dir->count) return false; /* split over disks */
    if (!within(dir->at, dir->size, dir->end) || dir->at + dir->size != dir->end) return false;
    return dir->count <= dir->size / CENTRAL_LEN;
}

/* The central header at p, added to z: its length, or 0 when malformed. */
static uint64_t entry_read(const unsigned char *d, uint64_t p, const struct dir *dir,
                           struct zipdir *z)
{
    if (!within(p, CENTRAL_LEN, dir->end) || u32(d + p) != SIG_CENTRAL) return 0;
    const unsigned char *c = d + p;
    uint64_t flags = u16(c + 8), method = u16(c + 10), csize = u32(c + 20), usize = u32(c + 24);
    uint64_t name_len = u16(c + 28), extra_len = u16(c + 30), comment_len = u16(c + 32);
    uint64_t disk = u16(c + 34), offset = u32(c + 42);
    uint64_t header = CENTRAL_LEN + name_len + extra_len + comment_len;
    if (!within(p, header, dir->end)) return 0;
    bool m[4] = {usize == M32, csize == M32, offset == M32, disk == M16};
    if (m[0] || m[1] || m[2] || m[3]) {
        uint64_t *v[4] = {&usize, &csize, &offset, &disk};
        if (!zip64_values(c + CENTRAL_LEN + name_len, extra_len, v, m)) return 0;
        z->zip64 = true;
    }
    if (disk) return 0;
    /* Its local header and its data lie in the file, before the directory. */
    if (!within(offset, LOCAL_LEN, dir->at) || !local_agrees(d + offset, method, csize, usize))
        return 0;
    uint64_t data_at = offset + LOCAL_LEN + u16(d + offset + 26) + u16(d + offset + 28);
    if (!within(data_at, csize, dir->at)) return 0;
    /* Stored (and not encrypted): the data is its own expansion. */
    if (method == 0 && !(flags & 1) && csize != usize) return 0;
    if (method != 0 && method != 8) z->other_methods++;
    z->compressed = add_sat(z->compressed, csize);
    z->expanded = add_sat(z->expanded, usize);
    return header;
}

int zipdir_read(const unsigned char *d, size_t len, struct zipdir *out)
{
    struct zipdir z = {0};
    struct dir dir;
    size_t end;
    uint64_t p = 0, i = 0;
    memset(out, 0, sizeof *out);
    if (!d || !find_end(d, len, &end) || !dir_of(d, end, &dir)) return -1;
    z.zip64 = dir.zip64;
    for (p = dir.at; i < dir.count; i++) {
        uint64_t n = entry_read(d, p, &dir, &z);
        if (!n) return -1;
        p += n;
    }
    if (p != dir.end) return -1; /* entries and the directory's size disagree */
    z.entries = dir.count;
    *out = z;
    return 0;
}

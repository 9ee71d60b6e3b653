/* csv: a line-fed libcsv reader that knows where each record starts, and a quoting writer. */
#include "io/csv.h"

#include "util/buf.h"
#include "util/err.h"

#include <csv.h>
#include <iconv.h>
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CSV_CHUNK (256 * 1024)
/* The longest record read and the longest line written: far beyond any record of our kinds. */
#define CSV_RECORD_MAX (16 * 1024 * 1024)
/* The largest file csv_slurp reads whole. */
#define CSV_FILE_MAX (1024 * 1024 * 1024)

/* libcsv's parser state between records (ROW_NOT_BEGUN in libcsv.c). struct csv_parser is
 * public in <csv.h>; libcsv has no call that says whether a record is under way, and the
 * line a record starts on depends on exactly that (test_csv checks it). */
#define CSV_PSTATE_ROW_NOT_BEGUN 0

typedef struct reader {
    struct csv_parser parser;
    csv_record_fn cb;
    void *ctx;
    csv_info *info;
    struct buf text;      /* the current record's field bytes, each followed by a NUL */
    size_t *offs, *lens;  /* per field: offset into bytes and length */
    char **ptrs;
    size_t nfields, fcap;
    long line;            /* physical line being fed */
    long rec_line;        /* line where the current record started */
    int started;          /* the BOM and the delimiter have been looked at */
    int stop;             /* the callback's nonzero return, or ERR_NOMEM */
} reader;

/* Makes room for need fields in the three per-field arrays, which share one capacity. */
static int grow_fields(reader *r, size_t need)
{
    size_t n = r->fcap ? r->fcap : 16;
    void *p;
    if (need <= r->fcap)
        return 0;
    while (n < need)
        n *= 2;
    if (!(p = realloc(r->offs, n * sizeof *r->offs)))
        return -1;
    r->offs = p;
    if (!(p = realloc(r->lens, n * sizeof *r->lens)))
        return -1;
    r->lens = p;
    if (!(p = realloc(r->ptrs, n * sizeof *r->ptrs)))
        return -1;
    r->ptrs = p;
    r->fcap = n;
    return 0;
}

/* libcsv field callback: appends the field to the record. */
static void on_field(void *data, size_t len, void *arg)
{
    reader *r = arg;
    size_t at = buf_len(&r->text);
    if (r->stop)
        return;
    if (grow_fields(r, r->nfields + 1) != 0 || buf_add(&r->text, data, len) == ERR_NOMEM ||
        buf_add(&r->text, "", 1) == ERR_NOMEM) {
        r->stop = err_set(ERR_NOMEM, "out of memory reading CSV");
        return;
    }
    if (buf_error(&r->text)) {
        r->stop = err_set(ERR_TOOBIG, "a CSV record is longer than %d bytes", CSV_RECORD_MAX);
        return;
    }
    r->offs[r->nfields] = at;
    r->lens[r->nfields] = len;
    r->nfields++;
}

/* libcsv record callback: hands the record to the caller unless it is blank. */
static void on_record(int term, void *arg)
{
    reader *r = arg;
    size_t i, filled = 0;
    (void)term;
    if (!r->stop) {
        for (i = 0; i < r->nfields; i++)
            filled += r->lens[i] > 0;
        if (filled > 0) {
            csv_record rec = { r->rec_line, r->nfields, r->ptrs, r->lens };
            for (i = 0; i < r->nfields; i++)
                r->ptrs[i] = r->text.bytes + r->offs[i];
            r->stop = r->cb(&rec, r->ctx);
        }
    }
    r->nfields = 0;
    buf_reset(&r->text);
}

/* Counts commas and tabs outside quotes on the first line and picks the commoner. */
static char detect_delim(const char *s, size_t len)
{
    size_t commas = 0, tabs = 0;
    int quoted = 0;
    for (size_t i = 0; i < len && (quoted || s[i] != '\n'); i++) {
        if (s[i] == '"')
            quoted = !quoted;
        else if (!quoted && s[i] == ',')
            commas++;
        else if (!quoted && s[i] == '\t')
            tabs++;
    }
    return tabs > commas ? '\t' : ',';
}

static int reader_init(reader *r, csv_record_fn cb, void *ctx, csv_info *info)
{
    memset(r, 0, sizeof *r);
    if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return err_set(ERR_NOMEM, "out of memory");
    r->cb = cb;
    r->ctx = ctx;
    r->info = info;
    buf_init(&r->text, CSV_RECORD_MAX);
    r->line = 1;
    r->rec_line = 1;
    return 0;
}

static void reader_free(reader *r)
{
    csv_free(&r->parser);
    buf_free(&r->text);
    free(r->offs);
    free(r->lens);
    free(r->ptrs);
}

/* Feeds one chunk of input, one physical line at a time, so that the line where each
 * record starts is known even when quoted fields hold newlines. */
static int feed(reader *r, const char *s, size_t len)
{
    if (!r->started) {
        r->started = 1;
        if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            len -= 3;
            if (r->info)
                r->info->bom = 1;
        }
        csv_set_delim(&r->parser, (unsigned char)detect_delim(s, len));
        if (r->info)
            r->info->delim = (char)csv_get_delim(&r->parser);
    }
    while (len > 0) {
        const char *nl = memchr(s, '\n', len);
        size_t seg = nl ? (size_t)(nl - s) + 1 : len;
        if (r->parser.pstate == CSV_PSTATE_ROW_NOT_BEGUN)
            r->rec_line = r->line;
        if (csv_parse(&r->parser, s, seg, on_field, on_record, r) != seg) {
            if (csv_error(&r->parser) != CSV_EPARSE)
                return err_set(ERR_NOMEM, "CSV: %s", csv_strerror(csv_error(&r->parser)));
            if (r->info)
                r->info->bad_line = r->line;
            return err_set(ERR_DATA, "line %ld: a quote inside a field that is not quoted, or "
                                     "text after a closing quote", r->line);
        }
        if (r->stop)
            return r->stop;
        if (nl)
            r->line++;
        s += seg;
        len -= seg;
    }
    return 0;
}

static int finish(reader *r)
{
    int rc;
    rc = csv_fini(&r->parser, on_field, on_record, r);
    if (r->stop)
        return r->stop;
    if (rc != 0) {
        if (r->info)
            r->info->bad_line = r->rec_line;
        return err_set(ERR_DATA, "line %ld: a quoted field is never closed", r->rec_line);
    }
    return 0;
}

int csv_read_buffer(const char *data, size_t len, csv_record_fn cb, void *ctx, csv_info *info)
{
    reader r;
    int rc;
    if (info)
        memset(info, 0, sizeof *info);
    if ((rc = reader_init(&r, cb, ctx, info)) != 0)
        return rc;
    if ((rc = feed(&r, data, len)) == 0)
        rc = finish(&r);
    reader_free(&r);
    return rc;
}

/* Opens an input file; a missing or unreadable file is the user's to fix (ERR_NOTFOUND, bad
 * data), anything else is ERR_IO. */
static int open_input(const char *path, FILE **out)
{
    if ((*out = fopen(path, "rb")))
        return 0;
    return err_set(errno == ENOENT || errno == EACCES || errno == EISDIR ? ERR_NOTFOUND : ERR_IO,
                   "cannot open '%s': %s", path, strerror(errno));
}

int csv_read_file(const char *path, csv_record_fn cb, void *ctx, csv_info *info)
{
    FILE *f;
    char *buf = NULL;
    reader r;
    size_t n;
    int rc;
    if (info)
        memset(info, 0, sizeof *info);
    if ((rc = open_input(path, &f)) != 0)
        return rc;
    if (!(buf = malloc(CSV_CHUNK))) {
        fclose(f);
        return err_set(ERR_NOMEM, "out of memory");
    }
    if ((rc = reader_init(&r, cb, ctx, info)) != 0)
        goto done;
    while ((n = fread(buf, 1, CSV_CHUNK, f)) > 0) {
        if ((rc = feed(&r, buf, n)) != 0)
            break;
    }
    if (rc == 0 && ferror(f))
        rc = err_set(ERR_IO, "cannot read '%s'", path);
    if (rc == 0)
        rc = finish(&r);
    reader_free(&r);
done:
    free(buf);
    fclose(f);
    return rc;
}

int csv_slurp(const char *path, char **out, size_t *len)
{
    FILE *f;
    struct buf text;
    char chunk[16384];
    size_t got;
    int rc;
    if ((rc = open_input(path, &f)) != 0)
        return rc;
    buf_init(&text, CSV_FILE_MAX);
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && buf_add(&text, chunk, got) == 0)
        ;
    if (ferror(f))
        rc = err_set(ERR_IO, "cannot read '%s': %s", path, strerror(errno));
    else if ((rc = buf_error(&text)) == ERR_TOOBIG)
        rc = err_set(rc, "'%s' is larger than %d MiB", path, CSV_FILE_MAX >> 20);
    else if (rc != 0 || !(*out = buf_take(&text, len)))
        rc = err_set(ERR_NOMEM, "out of memory reading '%s'", path);
    fclose(f);
    buf_free(&text);
    return rc;
}

int csv_decode_gb18030(const char *data, size_t len, char **out, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    size_t cap = len * 2 + 16, in_left = len, out_left = cap;
    char *buf, *in = (char *)data, *at;
    if (cd == (iconv_t)-1)
        return err_set(ERR_DATA, "GB18030 decoding is not available");
    if (!(buf = malloc(cap))) {
        iconv_close(cd);
        return err_set(ERR_NOMEM, "out of memory");
    }
    at = buf;
    /* Every GB18030 character takes at most twice its bytes in UTF-8. */
    if (iconv(cd, &in, &in_left, &at, &out_left) == (size_t)-1 || in_left != 0) {
        iconv_close(cd);
        free(buf);
        return err_set(ERR_DATA, "not GB18030 text");
    }
    iconv_close(cd);
    *out = buf;
    *out_len = cap - out_left;
    return 0;
}

int csv_utf8_valid(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text, *end = s + len;
    while (s < end) {
        unsigned c = *s;
        size_t n;
        uint32_t cp, min;
        if (c >= 0x01 && c < 0x80) {
            s++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1, cp = c & 0x1F, min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2, cp = c & 0x0F, min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        if ((size_t)(end - s) <= n)
            return 0;
        for (size_t i = 1; i <= n; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        s += n + 1;
    }
    return 1;
}

int csv_write_bom(FILE *out)
{
    return fputs("\xEF\xBB\xBF", out) == EOF ? err_set(ERR_IO, "cannot write CSV") : 0;
}

static int needs_quotes(const char *f, char delim)
{
    size_t len = strlen(f);
    if (len > 0 && (f[0] == ' ' || f[0] == '\t' || f[len - 1] == ' ' || f[len - 1] == '\t'))
        return 1;
    for (; *f; f++) {
        if (*f == delim || *f == '"' || *f == '\r' || *f == '\n')
            return 1;
    }
    return 0;
}

/* Appends one field, in quotes with its quotes doubled when needs_quotes says so. */
static void add_field(struct buf *line, const char *f, char delim)
{
    if (!needs_quotes(f, delim)) {
        buf_add_str(line, f);
        return;
    }
    buf_add(line, "\"", 1);
    for (; *f; f++) {
        if (*f == '"')
            buf_add(line, "\"", 1);
        buf_add(line, f, 1);
    }
    buf_add(line, "\"", 1);
}

int csv_write_row(FILE *out, const char *const *fields, size_t n, char delim)
{
    struct buf line;
    int rc;
    buf_init(&line, CSV_RECORD_MAX);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            buf_add(&line, &delim, 1);
        add_field(&line, fields[i] ? fields[i] : "", delim);
    }
    buf_add(&line, "\r\n", 2);
    if ((rc = buf_error(&line)) == ERR_TOOBIG)
        rc = err_set(rc, "a CSV line is longer than %d bytes", CSV_RECORD_MAX);
    else if (rc != 0)
        rc = err_set(rc, "out of memory");
    else if (fwrite(buf_str(&line), 1, buf_len(&line), out) != buf_len(&line))
        rc = err_set(ERR_IO, "cannot write CSV");
    buf_free(&line);
    return rc;
}

/* csv: CSV as spreadsheets write it (UTF-8 with or without the BOM Excel adds, comma or tab,
 * CRLF or LF, quoted fields holding commas, quotes and newlines), read record by record with
 * the physical line where each record starts, and written back quoted only where needed. */
#ifndef SAIMA_CSV_H
#define SAIMA_CSV_H

#include <stddef.h>
#include <stdio.h>

/* One record. Fields are NUL-terminated copies the callback may change in place; they
 * live until the callback returns. */
typedef struct csv_record {
    long line;            /* physical line (1-based) where the record starts */
    size_t nfields;
    char **fields;
    const size_t *lens;   /* byte length of each field (a field may hold a NUL byte) */
} csv_record;

/* Called once per record; a nonzero return stops the reading and is returned. */
typedef int (*csv_record_fn)(csv_record *rec, void *ctx);

/* What the reader found out about its input. */
typedef struct csv_info {
    char delim;           /* ',' or '\t', detected from the first line */
    int bom;              /* the input started with a UTF-8 byte order mark */
    long bad_line;        /* line where a malformed record (unterminated quote) starts, or 0 */
} csv_info;

/* Reads CSV text, calling cb for every record in order. Blank lines and records whose
 * fields are all empty (the ",,," rows spreadsheets leave) are skipped. Quotes are strict:
 * a quote inside an unquoted field, text after a closing quote or a quoted field never
 * closed is ERR_DATA, with info->bad_line naming the line (for a field never closed, the
 * line where its record starts). Returns 0, the callback's nonzero value, ERR_DATA,
 * ERR_TOOBIG (a record over 16 MiB) or ERR_NOMEM. info may be NULL. */
int csv_read_buffer(const char *data, size_t len, csv_record_fn cb, void *ctx, csv_info *info);

/* The same for a file, read through a fixed buffer; ERR_IO when it cannot be read. */
int csv_read_file(const char *path, csv_record_fn cb, void *ctx, csv_info *info);

/* Nonzero when s[0..len) is valid UTF-8 without NUL bytes, overlong forms or surrogates. */
int csv_utf8_valid(const char *s, size_t len);

/* Reads a whole file into *out ('\0'-terminated; the caller frees it). Returns 0, ERR_NOTFOUND
 * for a file the user named wrongly, ERR_IO, ERR_TOOBIG (over 1 GiB) or ERR_NOMEM. */
int csv_slurp(const char *path, char **out, size_t *len);

/* Decodes GB18030 (which includes GBK, what Chinese Excel writes as "CSV") into a new UTF-8
 * buffer *out (the caller frees it). Returns 0, or ERR_DATA when the bytes are not GB18030. */
int csv_decode_gb18030(const char *data, size_t len, char **out, size_t *out_len);

/* Writes the UTF-8 byte order mark. Returns 0 or ERR_IO. */
int csv_write_bom(FILE *out);

/* Writes one record ending in "\r\n", assembled whole before it is written; a field is quoted
 * when it holds the delimiter, a quote, a line break, or starts or ends with a space. Returns
 * 0, ERR_IO, or ERR_TOOBIG / ERR_NOMEM (nothing written) when the line cannot be built. */
int csv_write_row(FILE *out, const char *const *fields, size_t n, char delim);

#endif

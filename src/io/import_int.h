/* import_int: what the import_*.c and export.c files share inside src/io (names with a
 * double underscore are not for use outside this folder): column tables, the import
 * context, error recording, field helpers and hash maps. */
#ifndef SAIMA_IMPORT_INT_H
#define SAIMA_IMPORT_INT_H

#include "io/csv.h"
#include "io/import.h"

#include <stdint.h>

#define IO__MAX_COLS 24

/* A column: English key, Chinese names separated by '|' (the first is exported), and
 * whether the import needs it. */
typedef struct io__column {
    const char *key;
    const char *names_zh;
    int required;
} io__column;

struct io__ctx;

/* One kind of file: its columns in export order and the steps of its import. Each step
 * returns 0 or a fatal error code; bad data is recorded with io__error and does not stop
 * the steps. check, which judges the rows together, may be NULL where each row stands alone.
 * write runs only when nothing was refused, inside the transaction. begin sets c->kd to the
 * kind's own state, one allocation; release frees what that state holds, and runs only when
 * c->kd is set, which the caller then frees. */
typedef struct io__kind {
    const char *key;
    const io__column *cols;
    int ncols;
    int (*begin)(struct io__ctx *c);
    int (*row)(struct io__ctx *c, csv_record *rec);
    int (*check)(struct io__ctx *c);
    int (*write)(struct io__ctx *c);
    void (*release)(struct io__ctx *c);
    int bulk;             /* writes through the store's bulk insert: its own transaction is a
                             bulk one (store_begin_bulk) */
} io__kind;

extern const io__kind io__units_kind, io__groups_kind, io__indicators_kind, io__schemes_kind,
    io__targets_kind, io__observations_kind, io__categories_kind, io__contests_kind,
    io__judges_kind, io__awards_kind, io__caps_kind;

/* The values of an award's kind column (best, worst: award.worst) and source column
 * (contest, indicator: award.source), exported by key. */
extern const model_enum io__award_kinds[2], io__award_sources[2];

/* The table of a kind (enum io_kind, below IO_KIND_ALL_N). */
const io__kind *io__kind_of(int kind);

/* A map from text to a nonnegative number; keys are copied. */
typedef struct io__map {
    uint32_t *slots;      /* entry index + 1, 0 when empty */
    size_t cap;           /* slots, a power of two */
    struct io__map_entry { uint64_t hash; size_t key; long value; } *entries;
    size_t n, ecap;
    char *keys;
    size_t klen, kcap;
} io__map;

/* Sets key to value (>= 0). Returns 0 or ERR_NOMEM. */
int io__map_put(io__map *m, const char *key, long value);
/* The value of key, or -1. */
long io__map_get(const io__map *m, const char *key);
void io__map_free(io__map *m);
/* Maps the code (at code_off) of each of n elements of elem bytes to its index in m.
 * Returns 0 or ERR_NOMEM. */
int io__map_codes(io__map *m, const void *items, size_t n, size_t elem, size_t code_off);

/* A map from a nonzero 64-bit key to a nonnegative number: each key beside its value, so a
 * lookup in a map of millions touches one cache line. */
typedef struct io__keymap {
    struct io__keyslot { uint64_t key; long value; } *slots;
    size_t cap, n;
} io__keymap;

/* Sets key to value unless key is present. Returns 0, or 1 with *old set when it was
 * present, or ERR_NOMEM. */
int io__keymap_add(io__keymap *m, uint64_t key, long value, long *old);
/* Makes room for n keys without growing. Returns 0 or ERR_NOMEM. */
int io__keymap_reserve(io__keymap *m, size_t n);
/* The value of key, or -1. */
long io__keymap_get(const io__keymap *m, uint64_t key);
void io__keymap_free(io__keymap *m);

/* Everything one import works with. */
typedef struct io__ctx {
    store *s;
    const io__kind *k;
    io_import_opts opts;
    io_report *rep;
    long line;                     /* line of the record being read */
    int have_header;
    int header_bad;
    int today;                     /* yyyymmdd */
    size_t rows_hint;              /* at most this many records will come (lines of the text) */
    size_t nheader;                /* fields of the header record */
    int *field_col;                /* per header field: the column, or -1 for an unnamed one */
    int col_field[IO__MAX_COLS];   /* per column: its field, or -1 when the file has none */
    char hdr[IO__MAX_COLS][64];    /* per column: the header as written in the file */

    /* Reference lists, loaded on demand, with code -> index maps. */
    model_unit *units;
    size_t nunits;
    io__map unit_map;
    model_indicator *inds;
    size_t ninds;
    io__map ind_map;
    model_group *groups;
    size_t ngroups;
    io__map group_map;

    void *kd;                      /* the kind's own state */
} io__ctx;

/* Records an error on line at column col (-1 for none); keeps the first IO_MAX_ERRORS by
 * line and counts all. detail and hint may be NULL. */
void io__error_at(io__ctx *c, long line, int col, int reason, const char *detail, long ref_line,
                  const char *hint);
/* The same on the current line. */
void io__error(io__ctx *c, int col, int reason, const char *detail, long ref_line, const char *hint);

/* The trimmed text of column col in rec, "" when the file has no such column. */
const char *io__get(io__ctx *c, csv_record *rec, int col);

/* Copies column col into dst; records IO_TOO_LONG (and returns -1) when it does not fit,
 * IO_EMPTY_FIELD when required and empty. */
int io__text(io__ctx *c, csv_record *rec, int col, char *dst, size_t size, int required);
/* Parses a number; "" gives dflt unless required. Records IO_NOT_NUMBER or IO_EMPTY_FIELD. */
int io__number(io__ctx *c, csv_record *rec, int col, double dflt, int required, double *out);
/* Parses a whole number in [min, max]; "" gives dflt unless required. */
int io__int(io__ctx *c, csv_record *rec, int col, long min, long max, long dflt, int required,
            long *out);
/* Parses a yes/no flag ("" is no). */
int io__bool(io__ctx *c, csv_record *rec, int col, int *out);
/* Finds an enumeration value by English key (any case) or Chinese label; "" gives dflt
 * unless required. Records IO_BAD_VALUE naming the accepted values. */
int io__enum(io__ctx *c, csv_record *rec, int col, const model_enum *names, int n, int dflt,
             int required, int *out);

/* Splits a list of codes separated by ';', ',', '、' or '，' into codes; each code is trimmed
 * and empty ones are dropped. Calls fn for each; a nonzero return stops and is returned. */
int io__split_codes(const char *text, int (*fn)(const char *code, void *arg), void *arg);

/* Loads the units, indicators or groups of the store with their code maps (once). */
int io__load_units(io__ctx *c);
int io__load_indicators(io__ctx *c);
int io__load_groups(io__ctx *c);

/* The last day of a period as yyyymmdd, to compare with io__ctx.today. */
int io__period_end(const period_key *p);

/* Makes room for element n (0-based) in a growing array of *cap elements. 0 or ERR_NOMEM. */
int io__grow(void **p, size_t *cap, size_t n, size_t elem);

/* Appends row (elem bytes) to the growing array *rows of *n elements and *cap room, and maps
 * key to its index in keys: how every kind keeps a row it accepted. 0 or ERR_NOMEM, and then
 * the row is not kept. */
int io__keep(void **rows, size_t *cap, size_t *n, size_t elem, const void *row, io__map *keys,
             const char *key);

/* Records IO_DUPLICATE_KEY at column col when code is in seen (code -> index of an earlier
 * row, whose line line_of gives); returns -1 then, else 0. */
int io__unique(io__ctx *c, const io__map *seen, int col, const char *code,
               long (*line_of)(const void *kd, long index));

/* Records the outcome of writing one entity. */
void io__count(io__ctx *c, enum store_put_result outcome);

/* Writes the n rows at rows (stride bytes apart) with put, which returns what the store did,
 * and counts each as new, changed or unchanged: the one write step of every kind but
 * observations. The first error stops the writes and is returned. */
int io__write_counted(io__ctx *c, const void *rows, size_t n, size_t stride,
                      int (*put)(io__ctx *c, const void *row, enum store_put_result *result));

/* Nonzero when ASCII-case-insensitive text equals the key or one of the '|' separated names. */
int io__name_matches(const char *text, const char *key, const char *names);

#endif

/* table: terminal tables whose columns line up with Chinese text, by display width. */
#include "util/table.h"

#include "util/err.h"
#include "util/grow.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

struct table {
    int ncols;
    size_t nrows, cap;
    char **cells;         /* (nrows + 1) * ncols strings, row 0 is the header */
    int *right;           /* per column: right-aligned */
};

int table_text_width(const char *text)
{
    const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)text;
    utf8proc_int32_t cp;
    int width = 0;
    while (*s) {
        utf8proc_ssize_t n = utf8proc_iterate(s, -1, &cp);
        if (n <= 0) {
            width++;
            s++;
            continue;
        }
        width += utf8proc_charwidth(cp);
        s += n;
    }
    return width;
}

static int table_push_row(table *t, const char *const *cells)
{
    char **rows = grow_array(t->cells, &t->cap, t->nrows + 2, (size_t)t->ncols * sizeof *rows, 16);
    if (!rows)
        return err_set(ERR_NOMEM, "out of memory");
    t->cells = rows;
    for (int c = 0; c < t->ncols; c++) {
        char *copy = strdup(cells[c] ? cells[c] : "");
        if (!copy) {
            for (int k = 0; k < c; k++)
                free(t->cells[t->nrows * (size_t)t->ncols + (size_t)k]);
            return err_set(ERR_NOMEM, "out of memory");
        }
        t->cells[t->nrows * (size_t)t->ncols + (size_t)c] = copy;
    }
    t->nrows++;
    return 0;
}

table *table_new(int ncols, const char *const *headers)
{
    table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ncols = ncols;
    t->right = calloc((size_t)ncols, sizeof *t->right);
    if (!t->right || table_push_row(t, headers) != 0) {
        table_free(t);
        return NULL;
    }
    return t;
}

void table_right(table *t, int col)
{
    if (col >= 0 && col < t->ncols)
        t->right[col] = 1;
}

int table_add(table *t, const char *const *cells)
{
    return table_push_row(t, cells);
}

static void print_padded(FILE *out, const char *text, int width, int right)
{
    int pad = width - table_text_width(text);
    if (right)
        fprintf(out, "%*s%s", pad > 0 ? pad : 0, "", text);
    else
        fprintf(out, "%s%*s", text, pad > 0 ? pad : 0, "");
}

void table_print(const table *t, FILE *out)
{
    int *width = calloc((size_t)t->ncols, sizeof *width);
    int total = 0;
    if (!width)
        return;
    for (size_t r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            int w = table_text_width(t->cells[r * (size_t)t->ncols + (size_t)c]);
            if (w > width[c])
                width[c] = w;
        }
    }
    for (size_t r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            if (c > 0)
                fputs("  ", out);
            /* The last left-aligned column needs no trailing spaces. */
            if (c == t->ncols - 1 && !t->right[c])
                fputs(t->cells[r * (size_t)t->ncols + (size_t)c], out);
            else
                print_padded(out, t->cells[r * (size_t)t->ncols + (size_t)c], width[c], t->right[c]);
        }
        fputc('\n', out);
        if (r == 0) {
            for (int c = 0; c < t->ncols; c++)
                total += width[c] + (c > 0 ? 2 : 0);
            for (int i = 0; i < total; i++)
                fputs("─", out);
            fputc('\n', out);
        }
    }
    free(width);
}

void table_free(table *t)
{
    if (!t)
        return;
    for (size_t i = 0; t->cells && i < t->nrows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->right);
    free(t);
}

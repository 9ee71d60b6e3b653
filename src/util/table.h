/* table: plain-text tables whose columns stay aligned with Chinese text, measured in
 * terminal display width (a CJK character takes two columns), for the CLI and text reports. */
#ifndef SAIMA_TABLE_H
#define SAIMA_TABLE_H

#include <stdio.h>

typedef struct table table;

/* A table with ncols columns and these headers; NULL on allocation failure. */
table *table_new(int ncols, const char *const *headers);

/* Right-aligns a column (numbers). */
void table_right(table *t, int col);

/* Appends a row of ncols cells (copied). Returns 0 or ERR_NOMEM. */
int table_add(table *t, const char *const *cells);

/* Prints the table with a rule under the header. */
void table_print(const table *t, FILE *out);

/* Frees the table; NULL is allowed. */
void table_free(table *t);

/* Display width of UTF-8 text in terminal columns (CJK characters count 2, combining marks 0). */
int table_text_width(const char *text);

#endif

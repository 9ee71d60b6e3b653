/* buf: the bounded, growable byte buffer; every failure frees the contents so that no caller
 * can use half a text. */
#include "util/buf.h"

#include "util/err.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first allocation, so short texts need one malloc. */
#define BUF_MIN_CAP 64

void buf_init(struct buf *b, size_t limit)
{
    b->bytes = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit < SIZE_MAX / 2 ? limit : SIZE_MAX / 2;
    b->failed = 0;
}

/* Frees the contents and records code, which every later append returns until a reset. */
static int fail(struct buf *b, int code)
{
    free(b->bytes);
    b->bytes = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = code;
    return code;
}

/* Makes room for n more bytes and the '\0', within the limit. */
static int reserve(struct buf *b, size_t n)
{
    size_t need, cap;
    char *p;
    if (b->failed)
        return b->failed;
    if (n > b->limit - b->len)
        return fail(b, ERR_TOOBIG);
    need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : BUF_MIN_CAP;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->limit + 1)
        cap = b->limit + 1;
    if (!(p = realloc(b->bytes, cap)))
        return fail(b, ERR_NOMEM);
    b->bytes = p;
    b->cap = cap;
    return 0;
}

int buf_add(struct buf *b, const void *bytes, size_t n)
{
    int rc = reserve(b, n);
    if (rc != 0)
        return rc;
    if (n > 0)
        memcpy(b->bytes + b->len, bytes, n);
    b->len += n;
    b->bytes[b->len] = '\0';
    return 0;
}

int buf_add_str(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list again;
    int n, rc;
    if (b->failed)
        return b->failed;
    va_copy(again, ap);
    n = vsnprintf(NULL, 0, fmt, again);
    va_end(again);
    if (n < 0)
        return fail(b, ERR_INTERNAL);
    if ((rc = reserve(b, (size_t)n)) != 0)
        return rc;
    vsnprintf(b->bytes + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->bytes)
        b->bytes[0] = '\0';
}

const char *buf_str(const struct buf *b)
{
    return b->bytes ? b->bytes : "";
}

size_t buf_len(const struct buf *b)
{
    return b->len;
}

int buf_error(const struct buf *b)
{
    return b->failed;
}

char *buf_take(struct buf *b, size_t *len)
{
    char *bytes;
    if (len)
        *len = 0;
    if (b->failed || (!b->bytes && buf_add(b, "", 0) != 0))
        return NULL;
    bytes = b->bytes;
    if (len)
        *len = b->len;
    b->bytes = NULL;
    b->len = 0;
    b->cap = 0;
    return bytes;
}

void buf_free(struct buf *b)
{
    if (!b)
        return;
    free(b->bytes);
    buf_init(b, b->limit);
}

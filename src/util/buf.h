/* buf: one bounded, growable byte buffer (in the spirit of curl's dynbuf) for text built
 * piece by piece: JSON, CSV lines, messages and reply bodies. */
#ifndef SAIMA_BUF_H
#define SAIMA_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* A buffer owned by whoever declared it (a struct tag, no typedef, so locals may still be
 * called buf). The bytes are always followed by a '\0' once anything was added. When an
 * append fails (over the limit or out of memory), the buffer frees its bytes and refuses
 * every later append with the same code until buf_reset. */
struct buf {
    char *bytes;  /* NULL until the first append; owned by the buffer */
    size_t len;   /* bytes held, not counting the terminating '\0' */
    size_t cap;   /* bytes allocated */
    size_t limit; /* the most bytes it may hold, not counting the '\0' */
    int failed;   /* 0, or the error code of the append that failed */
};

/* Starts an empty buffer that will hold at most limit bytes; allocates nothing. */
void buf_init(struct buf *b, size_t limit);

/* Appends n bytes. Returns 0, or ERR_TOOBIG / ERR_NOMEM after freeing the contents. */
int buf_add(struct buf *b, const void *bytes, size_t n);

/* Appends a string without its '\0'. Returns as buf_add. */
int buf_add_str(struct buf *b, const char *s);

/* Appends printf-formatted text. Returns as buf_add. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends printf-formatted text from a va_list. Returns as buf_add. */
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Empties the buffer and clears a failure; keeps its memory for reuse. */
void buf_reset(struct buf *b);

/* The text held, "" when empty or failed; lent until the next append, reset or free. */
const char *buf_str(const struct buf *b);

/* The number of bytes held (0 after a failure). */
size_t buf_len(const struct buf *b);

/* 0, or the error code of the append that failed since the last reset. */
int buf_error(const struct buf *b);

/* Hands the text ('\0'-terminated, "" when empty; the caller frees it) and its length (when
 * len is not NULL) to the caller and leaves the buffer empty. NULL after a failure, which
 * stays until buf_reset, or when even "" cannot be allocated. */
char *buf_take(struct buf *b, size_t *len);

/* Frees the bytes and clears a failure, leaving the buffer empty and usable with its limit;
 * NULL is allowed. */
void buf_free(struct buf *b);

#endif

/* static: a sorted in-memory table of the dashboard's files, found by binary search. */
#include "http/static.h"
#include "util/err.h"
#include "util/grow.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct http_static {
    http_static_file *f;
    size_t n, cap, bytes;
};

static const struct {
    const char *ext, *type;
} types[] = {
    { ".html", "text/html; charset=utf-8" },
    { ".css", "text/css; charset=utf-8" },
    { ".js", "text/javascript; charset=utf-8" },
    { ".mjs", "text/javascript; charset=utf-8" },
    { ".json", "application/json; charset=utf-8" },
    { ".svg", "image/svg+xml" },
    { ".png", "image/png" },
    { ".ico", "image/x-icon" },
    { ".woff2", "font/woff2" },
    { ".txt", "text/plain; charset=utf-8" },
    { ".csv", "text/csv; charset=utf-8" },
};

const char *http_static_type(const char *name)
{
    const char *dot = strrchr(name, '.');

    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++) {
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    }
    return "application/octet-stream";
}

/* Reads one file whole into a new table entry. */
static int add_file(http_static *st, const char *fs_path, const char *url_path, size_t size)
{
    http_static_file *e;
    FILE *fp;

    if (st->n >= HTTP_STATIC_MAX_FILES || st->bytes + size > HTTP_STATIC_MAX_BYTES)
        return err_set(ERR_DATA, "static files: more than %d files or %u MiB under the directory",
                       HTTP_STATIC_MAX_FILES, HTTP_STATIC_MAX_BYTES >> 20);
    if (!(e = grow_array(st->f, &st->cap, st->n + 1, sizeof *e, 32)))
        return err_set(ERR_NOMEM, "out of memory");
    st->f = e;
    e = &st->f[st->n];
    memset(e, 0, sizeof *e);
    if (!(e->path = strdup(url_path)) || !(e->data = malloc(size ? size : 1))) {
        free(e->path);
        return err_set(ERR_NOMEM, "out of memory");
    }
    if (!(fp = fopen(fs_path, "rb")) || fread(e->data, 1, size, fp) != size) {
        if (fp)
            fclose(fp);
        free(e->path);
        free(e->data);
        return err_set(ERR_IO, "cannot read %s", fs_path);
    }
    fclose(fp);
    e->len = size;
    e->type = http_static_type(url_path);
    http_etag(e->data, e->len, e->etag);
    st->bytes += size;
    st->n++;
    return 0;
}

/* Walks dir, adding regular files; url is the request path prefix of dir. Hidden entries
 * (".git", editor files) are skipped. */
static int walk(http_static *st, const char *dir, const char *url, int depth)
{
    DIR *d;
    struct dirent *de;
    int rc = 0;

    if (depth > 8)
        return 0;
    if (!(d = opendir(dir)))
        return err_set(ERR_NOTFOUND, "static directory %s cannot be opened", dir);
    while (rc == 0 && (de = readdir(d))) {
        char fs[1024], up[1024];
        struct stat sb;
        if (de->d_name[0] == '.')
            continue;
        if ((size_t)snprintf(fs, sizeof fs, "%s/%s", dir, de->d_name) >= sizeof fs ||
            (size_t)snprintf(up, sizeof up, "%s/%s", url, de->d_name) >= sizeof up ||
            lstat(fs, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode))
            rc = walk(st, fs, up, depth + 1);
        else if (S_ISREG(sb.st_mode))
            rc = add_file(st, fs, up, (size_t)sb.st_size);
    }
    closedir(d);
    return rc;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const http_static_file *)a)->path, ((const http_static_file *)b)->path);
}

int http_static_load(const char *dir, http_static **out)
{
    http_static *st = calloc(1, sizeof *st);
    int rc;

    *out = NULL;
    if (!st)
        return err_set(ERR_NOMEM, "out of memory");
    if ((rc = walk(st, dir, "", 0)) != 0) {
        http_static_free(st);
        return rc;
    }
    if (st->n)
        qsort(st->f, st->n, sizeof *st->f, by_path);
    *out = st;
    return 0;
}

void http_static_free(http_static *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->n; i++) {
        free(st->f[i].path);
        free(st->f[i].data);
    }
    free(st->f);
    free(st);
}

const http_static_file *http_static_find(const http_static *st, const char *path)
{
    char key[1024];
    size_t n = strcspn(path, "?#");
    http_static_file probe = { 0 };

    if (!st || !st->n || n == 0 || n >= sizeof key)
        return NULL;
    if (n == 1 && path[0] == '/')
        snprintf(key, sizeof key, "/index.html");
    else
        snprintf(key, sizeof key, "%.*s", (int)n, path);
    probe.path = key;
    return bsearch(&probe, st->f, st->n, sizeof *st->f, by_path);
}

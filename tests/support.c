/* support: the shared fixtures of the test suites. */
#include "support.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

int test_db_open(test_db *db)
{
    int fd;
    memset(db, 0, sizeof *db);
    snprintf(db->path, sizeof db->path, "/tmp/saima-test-XXXXXX");
    if ((fd = mkstemp(db->path)) < 0)
        return -1;
    close(fd);
    unlink(db->path); /* the store creates it */
    return store_open(db->path, &db->s) == 0 ? 0 : -1;
}

void test_db_remove_files(const char *path)
{
    char side[80];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

void test_db_close(test_db *db)
{
    store_close(db->s);
    db->s = NULL;
    if (db->path[0])
        test_db_remove_files(db->path);
    db->path[0] = '\0';
}

int test_db_setup(void **state)
{
    test_db *db = calloc(1, sizeof *db);
    if (!db || test_db_open(db) != 0) {
        free(db);
        return -1;
    }
    *state = db;
    return 0;
}

int test_db_teardown(void **state)
{
    test_db_close(*state);
    free(*state);
    return 0;
}

int test_points_text(const char *s, engine_points *out)
{
    engine_points whole = 0, frac = 0;
    int neg = 0, nfrac = 0, ndigits = 0;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    for (; *s >= '0' && *s <= '9'; s++, ndigits++)
        whole = whole * 10 + (*s - '0');
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++, nfrac++) {
            if (nfrac == 4)
                return -1;
            frac = frac * 10 + (*s - '0');
        }
    }
    if (*s != '\0' || ndigits == 0)
        return -1;
    for (; nfrac < 4; nfrac++)
        frac *= 10;
    *out = (whole * ENGINE_POINT_SCALE + frac) * (neg ? -1 : 1);
    return 0;
}

engine_points test_points(const char *s)
{
    engine_points p = 0;
    if (test_points_text(s, &p) != 0)
        fail_msg("bad points literal '%s'", s);
    return p;
}

static json_t *load_case_file(const char *dir, const char *name, const char *file)
{
    char path[1024];
    json_error_t e;
    json_t *j;
    snprintf(path, sizeof path, "%s/%s/%s", dir, name, file);
    if (!(j = json_load_file(path, 0, &e)))
        fail_msg("%s: line %d: %s", path, e.line, e.text);
    return j;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int test_cases_each(const char *dir, void (*fn)(const char *name, json_t *in, json_t *want, void *ctx),
                    void *ctx)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0;
    if (!d)
        fail_msg("cannot open the cases in %s", dir);
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **bigger = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *names);
            assert_non_null(bigger);
            names = bigger;
        }
        names[n] = strdup(de->d_name);
        assert_non_null(names[n]);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        json_t *in = load_case_file(dir, names[i], "input.json");
        json_t *want = load_case_file(dir, names[i], "expected.json");
        fn(names[i], in, want, ctx);
        json_decref(in);
        json_decref(want);
        free(names[i]);
    }
    free(names);
    return (int)n;
}

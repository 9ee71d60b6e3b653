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

void test_db_close(test_db *db)
{
    char side[80];
    store_close(db->s);
    db->s = NULL;
    if (!db->path[0])
        return;
    unlink(db->path);
    snprintf(side, sizeof side, "%s-wal", db->path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db->path);
    unlink(side);
    db->path[0] = '\0';
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

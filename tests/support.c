/* support: the shared fixtures of the test suites. */
#include "support.h"
#include "app/auth.h"
#include "app/entry.h"
#include "http/server.h"
#include "app/app.h"
#include "io/demo.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

enum store_put_result test_put_result;

int test_temp_path(char *path, size_t size)
{
    int fd;
    snprintf(path, size, "/tmp/saima-test-XXXXXX"); /* mkstemp's template */
    if ((fd = mkstemp(path)) < 0)
        return -1;
    close(fd);
    unlink(path);
    return 0;
}

int test_db_open(test_db *db)
{
    memset(db, 0, sizeof *db);
    if (test_temp_path(db->path, sizeof db->path) != 0) /* the store creates the file */
        return -1;
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

/* ---- a blocking HTTP/1.1 client ---- */


void test_resp_free(test_resp *r)
{
    free(r->body);
    memset(r, 0, sizeof *r);
}

int test_connect(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Parses the reply in raw (len bytes) into r; returns 0 or -1. */
static int parse_reply(const char *raw, size_t len, test_resp *r)
{
    const char *end = strstr(raw, "\r\n\r\n");
    size_t hlen;

    if (!end || sscanf(raw, "HTTP/1.1 %d", &r->status) != 1)
        return -1;
    hlen = (size_t)(end - raw);
    if (hlen >= sizeof r->head)
        return -1;
    memcpy(r->head, raw, hlen);
    r->head[hlen] = '\0';
    r->body_len = len - hlen - 4;
    r->body = malloc(r->body_len + 1);
    if (!r->body)
        return -1;
    memcpy(r->body, end + 4, r->body_len);
    r->body[r->body_len] = '\0';
    return 0;
}

/* Sends one request (raw header lines in extra, each ending in \r\n) with Connection: close
 * and reads the reply until the server closes. Returns 0 or -1. */
int test_http_raw(int port, const char *method, const char *path, const char *extra,
                    const char *body, size_t body_len, test_resp *r)
{
    char head[2048], length[48] = "";
    char *raw = NULL;
    size_t len = 0, cap = 0;
    ssize_t k;
    int fd, n, rc = -1;

    memset(r, 0, sizeof *r);
    if ((fd = test_connect(port)) < 0)
        return -1;
    if (body && !(extra && strcasestr(extra, "Content-Length:")))
        snprintf(length, sizeof length, "Content-Length: %zu\r\n", body_len);
    n = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s\r\n",
                 method, path, extra ? extra : "", length);
    if (send_all(fd, head, (size_t)n) != 0 || (body_len && send_all(fd, body, body_len) != 0))
        goto done;
    for (;;) {
        if (len + 4097 > cap) {
            char *g = realloc(raw, cap = cap * 2 + 8192);
            if (!g)
                goto done;
            raw = g;
        }
        if ((k = recv(fd, raw + len, cap - len - 1, 0)) <= 0)
            break;
        len += (size_t)k;
    }
    if (raw) {
        raw[len] = '\0';
        rc = parse_reply(raw, len, r);
    }
done:
    free(raw);
    close(fd);
    return rc;
}

int test_http_get(int port, const char *path, const char *extra, test_resp *r)
{
    return test_http_raw(port, "GET", path, extra, NULL, 0, r);
}

/* The value of a header (case-insensitive name) copied into buf, or NULL. */
const char *test_header(const test_resp *r, const char *name, char *buf, size_t size)
{
    const char *p = r->head;
    size_t n = strlen(name);

    while ((p = strstr(p, "\r\n"))) {
        p += 2;
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1, *e;
            while (*v == ' ')
                v++;
            e = strstr(v, "\r\n");
            n = e ? (size_t)(e - v) : strlen(v);
            if (n >= size)
                return NULL;
            memcpy(buf, v, n);
            buf[n] = '\0';
            return buf;
        }
    }
    return NULL;
}

int test_login(int port, const char *login, const char *password, char *headers, size_t size)
{
    char body[512], cookie[128], *semi;
    const char *csrf;
    test_resp r;
    json_t *j;
    int n = snprintf(body, sizeof body, "{\"login\":\"%s\",\"password\":\"%s\"}", login, password);

    if (test_http_raw(port, "POST", "/api/login", "Content-Type: application/json\r\n", body,
                      (size_t)n, &r) != 0)
        return -1;
    if (r.status != 200 || !test_header(&r, "Set-Cookie", cookie, sizeof cookie) ||
        !(j = json_loadb(r.body, r.body_len, 0, NULL))) {
        int status = r.status;
        test_resp_free(&r);
        return status ? status : -1;
    }
    if ((semi = strchr(cookie, ';')))
        *semi = '\0';
    csrf = json_string_value(json_object_get(j, "csrf"));
    snprintf(headers, size, "Cookie: %s\r\nX-CSRF-Token: %s\r\n", cookie, csrf ? csrf : "");
    json_decref(j);
    test_resp_free(&r);
    return 0;
}

int test_add_user(store *s, const char *login, int role, const char *unit_code, const char *password)
{
    model_user u;

    memset(&u, 0, sizeof u);
    snprintf(u.login, sizeof u.login, "%s", login);
    snprintf(u.display_name, sizeof u.display_name, "%s", login);
    snprintf(u.unit_code, sizeof u.unit_code, "%s", unit_code ? unit_code : "");
    u.role = role;
    if (app_auth_hash_cost(password, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
                            u.password_hash) != 0)
        return -1;
    return store_user_put(s, &u, NULL);
}

int test_demo_create(test_demo *t, const char *tag)
{
    demo_opts d = { .as_of = { PERIOD_MONTH, 2026, 10 }, .seed = DEMO_SEED_DEFAULT,
                      .entry = app_demo_entry };
    store *s = NULL;
    int rc;

    memset(t, 0, sizeof *t);
    snprintf(t->dir, sizeof t->dir, "/tmp/saima_test_%.16s_XXXXXX", tag);
    if (!mkdtemp(t->dir))
        return -1;
    snprintf(t->db, sizeof t->db, "%s/demo.db", t->dir);
    rc = store_open(t->db, &s) == 0 && demo_build(s, &d) == 0 ? 0 : -1;
    store_close(s);
    return rc;
}

int test_demo_serve(test_demo *t, const char *static_dir)
{
    http_server_opts o;

    memset(&o, 0, sizeof o);
    o.db_path = t->db;
    o.static_dir = static_dir;
    if (http_server_start(&o, &t->srv) != 0)
        return -1;
    t->port = http_server_port(t->srv);
    return 0;
}

int test_demo_remove(test_demo *t)
{
    char cmd[160];

    http_server_stop(t->srv);
    t->srv = NULL;
    if (!t->dir[0])
        return 0;
    snprintf(cmd, sizeof cmd, "rm -rf %s", t->dir);
    return system(cmd) == 0 ? 0 : -1;
}

const char *test_data_path(const char *rel)
{
    static char path[512];
    const char *slash = strrchr(__FILE__, '/');
    int dir = slash ? (int)(slash - __FILE__) : 1;
    snprintf(path, sizeof path, "%.*s/%s", dir, slash ? __FILE__ : ".", rel);
    return path;
}

const char *test_fixture_path(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "fixtures/import/%s", name);
    return test_data_path(rel);
}

engine_points test_json_points(const char *case_name, json_t *v, const char *what)
{
    engine_points p = 0;
    if (json_is_string(v) && test_points_text(json_string_value(v), &p) == 0)
        return p;
    if (json_is_number(v) && engine_points_from(json_number_value(v), &p) == 0)
        return p;
    fail_msg("case %s: %s is not a number of points", case_name, what);
    return 0;
}

io_import_opts test_import_opts(const char *today)
{
    io_import_opts o = IO_IMPORT_OPTS_INIT;
    o.today = today;
    o.actor = "tester";
    o.lock_of = app_lock_state; /* the period lock, as the app imports with it */
    return o;
}

const char *test_saima_bin(void)
{
    const char *b = getenv("SAIMA_BIN");
    return b ? b : "build/asan/saima";
}

int test_run_saima(const char *db, const char *args, char *out, size_t size)
{
    char cmd[512];
    FILE *p;
    size_t n;
    int status;
    snprintf(cmd, sizeof cmd, "%s --db %s %s 2>/dev/null", test_saima_bin(), db, args);
    assert_non_null(p = popen(cmd, "r"));
    n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

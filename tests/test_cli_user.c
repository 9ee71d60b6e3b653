/* test_cli_user: `saima user` as an administrator runs it — passwords piped on stdin, every
 * role, the list never showing a hash, passwd, disable/enable, the audit lines and the
 * refusals with their exit codes. SAIMA_BIN names the binary. */
#include "app/auth.h"
#include "store/store.h"
#include "util/err.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define OUT_MAX 65536

typedef struct fixture {
    char dir[64];
    char db[96];
    char out[OUT_MAX];
} fixture;

static const char *bin(void)
{
    const char *b = getenv("SAIMA_BIN");
    return b ? b : "build/asan/saima";
}

/* Runs `saima --db DB ARGS` with input (may be NULL: empty stdin) on stdin, capturing stdout
 * into f->out; returns the exit code. */
static int run_in(fixture *f, const char *input, const char *args)
{
    char cmd[1024], path[128];
    FILE *p;
    size_t n;
    int status;
    snprintf(path, sizeof path, "%s/stdin", f->dir);
    if (!(p = fopen(path, "w")))
        fail_msg("cannot write %s", path);
    if (input)
        fputs(input, p);
    fclose(p);
    snprintf(cmd, sizeof cmd, "%s --db %s %s <%s 2>%s/stderr", bin(), f->db, args, path, f->dir);
    if (!(p = popen(cmd, "r")))
        fail_msg("cannot run %s", cmd);
    n = fread(f->out, 1, sizeof f->out - 1, p);
    f->out[n] = '\0';
    status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run(fixture *f, const char *args)
{
    return run_in(f, NULL, args);
}

static void read_stderr(const fixture *f, char *buf, size_t size)
{
    char path[128];
    FILE *fp;
    size_t n;
    snprintf(path, sizeof path, "%s/stderr", f->dir);
    fp = fopen(path, "r");
    assert_non_null(fp);
    n = fread(buf, 1, size - 1, fp);
    buf[n] = '\0';
    fclose(fp);
}

static void assert_stderr_has(const fixture *f, const char *text)
{
    char err[4096];
    read_stderr(f, err, sizeof err);
    if (!strstr(err, text))
        fail_msg("stderr '%s' does not say '%s'", err, text);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/saima-user-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
    *state = f;
    if (run(f, "import units tests/fixtures/import/units.csv") != 0) {
        fprintf(stderr, "cannot import the units fixture\n");
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    free(f);
    return 0;
}

/* The stored account login, read through the store as the server will. */
static int stored_user(const fixture *f, const char *login, model_user *out)
{
    store *s;
    model_user *all = NULL;
    size_t n = 0;
    int found = 0;
    assert_int_equal(store_open(f->db, &s), 0);
    assert_int_equal(store_users(s, &all, &n), 0);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(all[i].login, login) == 0) {
            *out = all[i];
            found = 1;
        }
    }
    free(all);
    store_close(s);
    return found;
}

static json_t *list_json(fixture *f)
{
    json_t *rows;
    assert_int_equal(run(f, "--json user list"), 0);
    rows = json_loads(f->out, 0, NULL);
    assert_non_null(rows);
    assert_true(json_is_array(rows));
    return rows;
}

static json_t *find_row(json_t *rows, const char *login)
{
    size_t i;
    json_t *row;
    json_array_foreach (rows, i, row) {
        if (strcmp(json_string_value(json_object_get(row, "login")), login) == 0)
            return row;
    }
    fail_msg("no row for %s", login);
    return NULL;
}

static void assert_no_secret(const fixture *f, const char *hash, const char *password)
{
    if (strstr(f->out, "$argon2") || strstr(f->out, hash) || strstr(f->out, password))
        fail_msg("output shows a secret:\n%s", f->out);
}

static void test_add_each_role(void **state)
{
    fixture *f = *state;
    static const char *const logins[] = { "office", "clerk", "boss", "guest" };
    static const char *const roles[] = { "admin", "reporter", "leader", "public" };
    model_user u;
    json_t *rows, *row;
    assert_int_equal(run_in(f, "office-pass-1\n", "user add office --role admin --name 考核办王"), 0);
    assert_int_equal(run_in(f, "clerk-pass-22\n", "user add clerk --role 填报员 --unit D01"), 0);
    assert_int_equal(run_in(f, "boss-pass-333\n", "user add boss --role 领导"), 0);
    assert_int_equal(run_in(f, "guest-pass-4444", "--json user add guest --role 公开"), 0);
    row = json_loads(f->out, 0, NULL);
    assert_non_null(row);
    assert_string_equal(json_string_value(json_object_get(row, "role")), "public");
    json_decref(row);

    rows = list_json(f);
    assert_int_equal(json_array_size(rows), 4);
    for (int i = 0; i < 4; i++) {
        row = find_row(rows, logins[i]);
        assert_string_equal(json_string_value(json_object_get(row, "role")), roles[i]);
        assert_true(json_is_false(json_object_get(row, "disabled")));
        assert_non_null(json_string_value(json_object_get(row, "created_at")));
        assert_null(json_object_get(row, "password_hash"));
        assert_null(json_object_get(row, "hash"));
        assert_null(json_object_get(row, "password"));
    }
    assert_string_equal(json_string_value(json_object_get(find_row(rows, "clerk"), "unit")), "D01");
    assert_true(json_is_null(json_object_get(find_row(rows, "boss"), "unit")));
    assert_string_equal(json_string_value(json_object_get(find_row(rows, "office"), "name")),
                        "考核办王");
    json_decref(rows);

    /* each stored hash is argon2id of the line piped in, without its newline */
    assert_true(stored_user(f, "clerk", &u));
    assert_int_equal(app_auth_verify(u.password_hash, "clerk-pass-22", NULL), 0);
    assert_int_equal(app_auth_verify(u.password_hash, "clerk-pass-22\n", NULL), ERR_DATA);
    assert_true(stored_user(f, "guest", &u));
    assert_int_equal(app_auth_verify(u.password_hash, "guest-pass-4444", NULL), 0);

    assert_int_equal(run(f, "--json user list"), 0);
    assert_no_secret(f, u.password_hash, "guest-pass-4444");
    assert_int_equal(run(f, "user list"), 0);
    assert_no_secret(f, u.password_hash, "guest-pass-4444");
    assert_non_null(strstr(f->out, "填报员"));
    assert_non_null(strstr(f->out, "考核办王"));
    assert_int_equal(run(f, "--lang en user list"), 0);
    assert_non_null(strstr(f->out, "reporter"));

    /* the audit names each account and holds no secret */
    assert_int_equal(run(f, "--json list audit"), 0);
    assert_no_secret(f, u.password_hash, "guest-pass-4444");
    assert_non_null(strstr(f->out, "\"user_add\""));
    assert_non_null(strstr(f->out, "clerk role=reporter unit=D01"));
}

static void test_passwd(void **state)
{
    fixture *f = *state;
    model_user before, after;
    assert_int_equal(run_in(f, "first-secret-1\n", "user add zhang --role leader"), 0);
    assert_true(stored_user(f, "zhang", &before));
    assert_int_equal(run_in(f, "second-secret-2\n", "user passwd zhang"), 0);
    assert_true(stored_user(f, "zhang", &after));
    assert_string_not_equal(before.password_hash, after.password_hash);
    assert_int_equal(app_auth_verify(after.password_hash, "second-secret-2", NULL), 0);
    assert_int_equal(app_auth_verify(after.password_hash, "first-secret-1", NULL), ERR_DATA);
    assert_int_equal(after.role, ROLE_LEADER);
    assert_string_equal(after.created_at, before.created_at);

    /* a weak new password leaves the old hash in place */
    assert_int_equal(run_in(f, "short\n", "user passwd zhang"), 2);
    assert_stderr_has(f, "too short");
    assert_true(stored_user(f, "zhang", &before));
    assert_string_equal(before.password_hash, after.password_hash);

    assert_int_equal(run(f, "--json list audit"), 0);
    assert_non_null(strstr(f->out, "\"user_passwd\""));
    assert_no_secret(f, after.password_hash, "second-secret-2");
}

static void test_refusals(void **state)
{
    fixture *f = *state;
    model_user u;
    /* the store refuses a reporter bound to no unit, and the message says so */
    assert_int_equal(run_in(f, "clerk-pass-22\n", "user add clerk --role reporter"), 2);
    assert_stderr_has(f, "reporter must be bound to a unit");
    assert_false(stored_user(f, "clerk", &u));
    assert_int_equal(run_in(f, "clerk-pass-22\n", "user add clerk --role reporter --unit NOPE"), 2);
    assert_false(stored_user(f, "clerk", &u));

    /* the policy, each rule */
    assert_int_equal(run_in(f, "abc12345\n", "user add li --role leader"), 2);
    assert_stderr_has(f, "too short");
    assert_int_equal(run_in(f, "123456789012\n", "user add li --role leader"), 2);
    assert_stderr_has(f, "only digits");
    assert_int_equal(run_in(f, "lisi-leader\n", "user add lisi-leader --role leader"), 2);
    assert_stderr_has(f, "the login");
    assert_int_equal(run_in(f, NULL, "user add li --role leader"), 2);
    assert_stderr_has(f, "no password");
    assert_false(stored_user(f, "li", &u));
    assert_false(stored_user(f, "lisi-leader", &u));

    /* usage errors */
    assert_int_equal(run_in(f, "good-password-1\n", "user add li"), 1);
    assert_int_equal(run_in(f, "good-password-1\n", "user add li --role king"), 1);
    assert_int_equal(run(f, "user frobnicate li"), 1);
    assert_int_equal(run(f, "user passwd"), 1);
    assert_int_equal(run(f, "user list li"), 1);
    assert_int_equal(run_in(f, "good-password-1\n", "user add 'a b' --role leader"), 1);

    /* an existing login is not added twice */
    assert_int_equal(run_in(f, "good-password-1\n", "user add li --role leader"), 0);
    assert_int_equal(run_in(f, "good-password-2\n", "user add li --role admin"), 2);
    assert_true(stored_user(f, "li", &u));
    assert_int_equal(u.role, ROLE_LEADER);

    /* unknown logins */
    assert_int_equal(run_in(f, "good-password-1\n", "user passwd nobody"), 2);
    assert_stderr_has(f, "nobody");
    assert_int_equal(run(f, "user disable nobody"), 2);
    assert_int_equal(run(f, "user enable nobody"), 2);
}

static void test_disable_enable(void **state)
{
    fixture *f = *state;
    json_t *rows;
    model_user u;
    assert_int_equal(run_in(f, "clerk-pass-22\n", "user add clerk --role reporter --unit D02"), 0);
    assert_int_equal(run(f, "user disable clerk"), 0);
    rows = list_json(f);
    assert_true(json_is_true(json_object_get(find_row(rows, "clerk"), "disabled")));
    json_decref(rows);
    assert_true(stored_user(f, "clerk", &u));
    assert_int_equal(u.disabled, 1);
    /* disabling keeps the password, role and unit */
    assert_int_equal(app_auth_verify(u.password_hash, "clerk-pass-22", NULL), 0);
    assert_string_equal(u.unit_code, "D02");

    assert_int_equal(run(f, "user enable clerk"), 0);
    rows = list_json(f);
    assert_true(json_is_false(json_object_get(find_row(rows, "clerk"), "disabled")));
    json_decref(rows);

    assert_int_equal(run(f, "--json list audit"), 0);
    assert_non_null(strstr(f->out, "\"user_disable\""));
    assert_non_null(strstr(f->out, "\"user_enable\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_add_each_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_passwd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disable_enable, setup, teardown),
    };
    return cmocka_run_group_tests_name("cli_user", tests, NULL, NULL);
}

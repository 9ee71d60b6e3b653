/* test_auth: argon2id hashing and verification, the rehash signal, the password policy and
 * session tokens. Hashes use the minimum cost except one, so the suite stays fast under ASan. */
#include "app/auth.h"
#include "util/err.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The cheapest cost libsodium accepts: enough to exercise the format, not to protect. */
#define TEST_OPS crypto_pwhash_OPSLIMIT_MIN
#define TEST_MEM ((size_t)crypto_pwhash_MEMLIMIT_MIN)

static void cheap_hash(const char *password, char out[APP_AUTH_HASH_SIZE])
{
    if (app_auth_hash_cost(password, TEST_OPS, TEST_MEM, out) != 0)
        fail_msg("hash failed: %s", err_msg());
}

static void test_round_trip(void **state)
{
    char h[APP_AUTH_HASH_SIZE];
    int rehash = -1;
    (void)state;
    cheap_hash("correct horse 马", h);
    assert_true(strncmp(h, "$argon2id$", 10) == 0);
    assert_true(strlen(h) < APP_AUTH_HASH_SIZE);
    assert_null(strstr(h, "correct horse"));
    assert_int_equal(app_auth_verify(h, "correct horse 马", &rehash), 0);
    /* made below today's cost: the caller is told to store a fresh hash */
    assert_int_equal(rehash, 1);
    assert_int_equal(app_auth_verify(h, "correct horse 马", NULL), 0);
}

static void test_wrong_password(void **state)
{
    char h[APP_AUTH_HASH_SIZE];
    int rehash = -1;
    (void)state;
    cheap_hash("Sesame-open-1", h);
    assert_int_equal(app_auth_verify(h, "Sesame-open-2", &rehash), ERR_DATA);
    assert_int_equal(rehash, 0);
    assert_int_equal(app_auth_verify(h, "sesame-open-1", NULL), ERR_DATA);
    assert_int_equal(app_auth_verify(h, "", NULL), ERR_DATA);
    assert_int_equal(app_auth_verify("", "Sesame-open-1", NULL), ERR_DATA);
    assert_int_equal(app_auth_verify(NULL, "Sesame-open-1", NULL), ERR_DATA);
    assert_int_equal(app_auth_verify("$argon2id$garbage", "Sesame-open-1", NULL), ERR_DATA);
}

static void test_salted(void **state)
{
    char a[APP_AUTH_HASH_SIZE], b[APP_AUTH_HASH_SIZE];
    (void)state;
    cheap_hash("same password 123", a);
    cheap_hash("same password 123", b);
    assert_string_not_equal(a, b);
    assert_int_equal(app_auth_verify(a, "same password 123", NULL), 0);
    assert_int_equal(app_auth_verify(b, "same password 123", NULL), 0);
}

/* One hash at the production cost: it verifies and needs no rehash. */
static void test_production_cost(void **state)
{
    char h[APP_AUTH_HASH_SIZE];
    int rehash = -1;
    (void)state;
    assert_int_equal(app_auth_hash("production pass", h), 0);
    assert_int_equal(app_auth_verify(h, "production pass", &rehash), 0);
    assert_int_equal(rehash, 0);
    assert_int_equal(app_auth_hash_cost("x", 0, TEST_MEM, h), ERR_USAGE);
    assert_string_equal(h, "");
}

static void assert_refused(const char *login, const char *password, const char *why)
{
    err_clear();
    if (app_auth_check_password(login, password) != ERR_DATA)
        fail_msg("'%s' was accepted", password);
    if (!strstr(err_msg(), why))
        fail_msg("'%s': message '%s' does not say '%s'", password, err_msg(), why);
}

static void test_policy(void **state)
{
    char big[APP_AUTH_PASSWORD_MAX_BYTES + 2];
    (void)state;
    assert_int_equal(app_auth_check_password("zhang", "abcdefghij"), 0);
    assert_int_equal(app_auth_check_password("zhang", "1234567890a"), 0);
    assert_int_equal(app_auth_check_password(NULL, "long enough pass"), 0);
    /* ten Chinese characters are ten characters, though thirty bytes */
    assert_int_equal(app_auth_check_password("zhang", "赛马赛马赛马赛马赛马"), 0);
    assert_refused("zhang", "赛马赛马赛马赛马赛", "too short");
    assert_refused("zhang", "abcdefghi", "too short");
    assert_refused("zhang", "", "too short");
    assert_refused("zhang", "12345678901234", "only digits");
    assert_refused("zhangsan01", "zhangsan01", "the login");
    assert_refused("ZhangSan01", "zhangsan01", "the login");
    assert_refused("zhang", "abcde\tfghij", "control");
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_refused("zhang", big, "too long");
    big[sizeof big - 2] = '\0';
    assert_int_equal(app_auth_check_password("zhang", big), 0);
}

static int url_safe(const char *s)
{
    for (; *s; s++) {
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return 0;
    }
    return 1;
}

static void test_token(void **state)
{
    char a[APP_AUTH_TOKEN_SIZE], b[APP_AUTH_TOKEN_SIZE], small[APP_AUTH_TOKEN_SIZE - 1];
    unsigned char raw[APP_AUTH_TOKEN_BYTES + 1];
    size_t raw_len = 0;
    (void)state;
    assert_int_equal(app_auth_token(a, sizeof a), 0);
    assert_int_equal(app_auth_token(b, sizeof b), 0);
    assert_int_equal(strlen(a), 43);
    assert_int_equal(strlen(b), 43);
    assert_true(url_safe(a));
    assert_true(url_safe(b));
    assert_string_not_equal(a, b);
    /* it decodes back to 32 bytes */
    assert_int_equal(sodium_base642bin(raw, sizeof raw, a, strlen(a), NULL, &raw_len, NULL,
                                       sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                     0);
    assert_int_equal(raw_len, APP_AUTH_TOKEN_BYTES);
    assert_int_equal(app_auth_token(small, sizeof small), ERR_INTERNAL);
    assert_string_equal(small, "");
}

static void *token_thread(void *arg)
{
    char *out = arg;
    return app_auth_token(out, APP_AUTH_TOKEN_SIZE) == 0 ? out : NULL;
}

/* Tokens made at once on several threads (the first use initialises libsodium) all differ. */
static void test_threads(void **state)
{
    enum { N = 8 };
    pthread_t t[N];
    char tok[N][APP_AUTH_TOKEN_SIZE];
    (void)state;
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&t[i], NULL, token_thread, tok[i]), 0);
    for (int i = 0; i < N; i++) {
        void *r;
        assert_int_equal(pthread_join(t[i], &r), 0);
        assert_non_null(r);
    }
    for (int i = 0; i < N; i++) {
        assert_int_equal(strlen(tok[i]), 43);
        for (int j = i + 1; j < N; j++)
            assert_string_not_equal(tok[i], tok[j]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads),         cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_wrong_password),  cmocka_unit_test(test_salted),
        cmocka_unit_test(test_production_cost), cmocka_unit_test(test_policy),
        cmocka_unit_test(test_token),
    };
    return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}

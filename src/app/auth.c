/* auth: argon2id password hashes, the password policy and session tokens (libsodium). */
#include "app/auth.h"
#include "util/err.h"

#include <pthread.h>
#include <string.h>
#include <strings.h>

/* The cost of every stored hash. INTERACTIVE (2 passes over 64 MiB, some 100 ms on a laptop)
 * is libsodium's recommendation for online logins: slow enough that a stolen database costs
 * an attacker real work per guess, fast enough that a login stays instant and a burst of
 * logins on a small office server does not exhaust its memory (MODERATE would take 256 MiB
 * and about a second per attempt). Raising it later is safe: app_auth_verify reports old
 * hashes as needing a rehash. */
#define AUTH_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define AUTH_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

_Static_assert(APP_AUTH_HASH_SIZE <= 256, "a hash fits user.password_hash (MODEL_NAME_MAX)");
_Static_assert(APP_AUTH_TOKEN_SIZE ==
                   sodium_base64_ENCODED_LEN(APP_AUTH_TOKEN_BYTES,
                                             sodium_base64_VARIANT_URLSAFE_NO_PADDING),
               "the token text size matches its encoding");

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result = -1;

static void init_sodium(void)
{
    init_result = sodium_init() < 0 ? -1 : 0;
}

int app_auth_init(void)
{
    if (pthread_once(&init_once, init_sodium) != 0 || init_result != 0)
        return err_set(ERR_INTERNAL, "cannot initialise libsodium");
    return 0;
}

int app_auth_hash_cost(const char *password, unsigned long long opslimit, size_t memlimit,
                        char out[APP_AUTH_HASH_SIZE])
{
    int rc;
    out[0] = '\0';
    if ((rc = app_auth_init()) != 0)
        return rc;
    if (opslimit < crypto_pwhash_OPSLIMIT_MIN || memlimit < crypto_pwhash_MEMLIMIT_MIN)
        return err_set(ERR_USAGE, "password hash cost below the minimum (%llu passes, %zu bytes)",
                       (unsigned long long)crypto_pwhash_OPSLIMIT_MIN,
                       (size_t)crypto_pwhash_MEMLIMIT_MIN);
    /* crypto_pwhash_str always uses argon2id13 in libsodium >= 1.0.15. */
    if (crypto_pwhash_str_alg(out, password, strlen(password), opslimit, memlimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        out[0] = '\0';
        return err_set(ERR_NOMEM, "cannot hash the password (out of memory)");
    }
    return 0;
}

int app_auth_hash(const char *password, char out[APP_AUTH_HASH_SIZE])
{
    return app_auth_hash_cost(password, AUTH_OPSLIMIT, AUTH_MEMLIMIT, out);
}

int app_auth_verify(const char *hash, const char *password, int *needs_rehash)
{
    int rc;
    if (needs_rehash)
        *needs_rehash = 0;
    if ((rc = app_auth_init()) != 0)
        return rc;
    if (!hash || hash[0] == '\0' || strnlen(hash, APP_AUTH_HASH_SIZE) == APP_AUTH_HASH_SIZE)
        return err_set(ERR_DATA, "wrong login or password");
    if (crypto_pwhash_str_verify(hash, password, strlen(password)) != 0)
        return err_set(ERR_DATA, "wrong login or password");
    if (needs_rehash)
        *needs_rehash = crypto_pwhash_str_needs_rehash(hash, AUTH_OPSLIMIT, AUTH_MEMLIMIT) != 0;
    return 0;
}

/* The number of UTF-8 code points in s (bytes that do not continue a sequence). */
static size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int all_digits(const char *s)
{
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
    }
    return 1;
}

static int has_control(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7F)
            return 1;
    }
    return 0;
}

int app_auth_check_password(const char *login, const char *password)
{
    if (utf8_length(password) < APP_AUTH_PASSWORD_MIN)
        return err_set(ERR_DATA, "the password is too short: at least %d characters",
                       APP_AUTH_PASSWORD_MIN);
    if (strlen(password) > APP_AUTH_PASSWORD_MAX_BYTES)
        return err_set(ERR_DATA, "the password is too long: at most %d bytes",
                       APP_AUTH_PASSWORD_MAX_BYTES);
    if (all_digits(password))
        return err_set(ERR_DATA, "the password must not be only digits");
    if (login && strcasecmp(login, password) == 0)
        return err_set(ERR_DATA, "the password must not be the login");
    if (has_control(password))
        return err_set(ERR_DATA, "the password must not contain control characters");
    return 0;
}

int app_auth_token(char *out, size_t size)
{
    unsigned char raw[APP_AUTH_TOKEN_BYTES];
    int rc;
    if (size > 0)
        out[0] = '\0';
    if (size < APP_AUTH_TOKEN_SIZE)
        return err_set(ERR_INTERNAL, "token buffer of %zu bytes, %d needed", size,
                       APP_AUTH_TOKEN_SIZE);
    if ((rc = app_auth_init()) != 0)
        return rc;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, size, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    return 0;
}

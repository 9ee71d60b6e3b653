/* auth: accounts' secrets — argon2id password hashes, the password policy and random session
 * tokens, all through libsodium. No storage and no HTTP here: the CLI and the server call it. */
#ifndef SAIMA_APP_AUTH_H
#define SAIMA_APP_AUTH_H

#include <sodium.h>
#include <stddef.h>

/* The size of a password hash string, NUL included (fits user.password_hash). */
#define APP_AUTH_HASH_SIZE crypto_pwhash_STRBYTES

/* Random bytes in a session token, and the size of its text: base64url without padding, NUL
 * included (32 bytes give 43 characters). */
#define APP_AUTH_TOKEN_BYTES 32
#define APP_AUTH_TOKEN_SIZE 44

/* Password length limits, in characters (UTF-8 code points) and bytes. */
#define APP_AUTH_PASSWORD_MIN 10
#define APP_AUTH_PASSWORD_MAX_BYTES 1024

/* Initialises libsodium once per process; safe to call from any thread, any number of times.
 * Returns 0, or ERR_INTERNAL when the library cannot start. Every function below calls it. */
int app_auth_init(void);

/* Hashes password with argon2id at the interactive cost into out (a NUL-terminated
 * "$argon2id$..." string with its own random salt). Returns 0, ERR_NOMEM when the memory
 * cost cannot be allocated, or ERR_INTERNAL. */
int app_auth_hash(const char *password, char out[APP_AUTH_HASH_SIZE]);

/* The same with an explicit cost (opslimit passes, memlimit bytes), for tests and benchmarks;
 * the server and the CLI always use app_auth_hash. Costs below libsodium's minimum are
 * ERR_USAGE. */
int app_auth_hash_cost(const char *password, unsigned long long opslimit, size_t memlimit,
                        char out[APP_AUTH_HASH_SIZE]);

/* Checks password against hash in constant time with respect to the password. Returns 0 when
 * it matches, ERR_DATA when it does not (or hash is empty or malformed). When it matches and
 * needs_rehash is not NULL, *needs_rehash is set to 1 if hash was made with other parameters
 * than app_auth_hash uses today (the caller should then store a fresh hash), else 0. */
int app_auth_verify(const char *hash, const char *password, int *needs_rehash);

/* Checks the password policy: at least APP_AUTH_PASSWORD_MIN characters, at most
 * APP_AUTH_PASSWORD_MAX_BYTES bytes, not only digits, not the login (ignoring ASCII case),
 * no control characters. Returns 0, or ERR_DATA with an English message saying what is wrong. */
int app_auth_check_password(const char *login, const char *password);

/* Writes a new random session token (APP_AUTH_TOKEN_BYTES from the system's CSPRNG, base64url
 * without padding) to out, which must hold APP_AUTH_TOKEN_SIZE bytes. Returns 0, or
 * ERR_INTERNAL when size is too small (out is then emptied if size > 0). */
int app_auth_token(char *out, size_t size);

#endif

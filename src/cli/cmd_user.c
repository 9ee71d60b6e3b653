/* cmd_user: `saima user add|passwd|list|disable|enable` — accounts with roles and argon2id
 * passwords. Passwords come from the terminal without echo or one line of stdin, never argv. */
#include "cli/cli.h"
#include "io/json.h"
#include "app/auth.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

const cli_opt cmd_user_opts[] = {
    { "--role", "ROLE", "add: admin|reporter|leader|public (考核办|填报员|领导|公开)" },
    { "--unit", "CODE", "add: the unit a reporter may write (required for reporters)" },
    { "--name", "NAME", "add: the person's display name" },
    { NULL, NULL, NULL },
};

/* A password line: the policy's byte limit, the newline and the NUL. */
#define PASSWORD_BUF (APP_AUTH_PASSWORD_MAX_BYTES + 2)

/* Logins are codes: 1..63 bytes, printable, no spaces (they appear in logs and the audit). */
static int check_login(const char *login)
{
    size_t n = strlen(login);
    if (n == 0 || n >= MODEL_CODE_MAX)
        return err_set(ERR_USAGE, "login must be 1 to %d bytes", MODEL_CODE_MAX - 1);
    for (const char *p = login; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c == 0x7F)
            return err_set(ERR_USAGE, "login '%s' must not contain spaces or control characters",
                           login);
    }
    return 0;
}

/* Reads one line from in into buf without its line ending. ERR_DATA on end of input or a
 * line longer than the policy allows. */
static int read_line(FILE *in, char *buf, size_t size)
{
    size_t n;
    if (!fgets(buf, (int)size, in))
        return err_set(ERR_DATA, "no password on standard input");
    n = strlen(buf);
    if (n == size - 1 && buf[n - 1] != '\n')
        return err_set(ERR_DATA, "the password is too long: at most %d bytes",
                       APP_AUTH_PASSWORD_MAX_BYTES);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return 0;
}

/* Prompts on stderr and reads a line from the terminal with echo turned off, restoring the
 * terminal's settings before returning. */
static int read_hidden(const char *prompt, char *buf, size_t size)
{
    struct termios old, quiet;
    int rc;
    fprintf(stderr, "%s", prompt);
    fflush(stderr);
    if (tcgetattr(STDIN_FILENO, &old) != 0)
        return err_set(ERR_IO, "cannot read the terminal's settings");
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
        return err_set(ERR_IO, "cannot turn off the terminal's echo");
    rc = read_line(stdin, buf, size);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    return rc;
}

/* Reads a new password: twice from a terminal (the two must match), else one line of stdin. */
static int read_password(const cli_ctx *ctx, char *buf, size_t size)
{
    char again[PASSWORD_BUF];
    int rc;
    if (!isatty(STDIN_FILENO))
        return read_line(stdin, buf, size);
    if ((rc = read_hidden(cli_tr(ctx, "新密码: ", "New password: "), buf, size)) != 0)
        return rc;
    rc = read_hidden(cli_tr(ctx, "再次输入: ", "Again: "), again, sizeof again);
    if (rc == 0 && strcmp(buf, again) != 0)
        rc = err_set(ERR_DATA, "%s", cli_tr(ctx, "两次输入的密码不一致", "the passwords differ"));
    sodium_memzero(again, sizeof again);
    return rc;
}

/* Reads, checks and hashes a new password for login into u->password_hash; the clear text
 * is wiped from memory before returning. */
static int new_password_hash(const cli_ctx *ctx, model_user *u)
{
    char pw[PASSWORD_BUF];
    char hash[APP_AUTH_HASH_SIZE];
    int rc;
    _Static_assert(sizeof hash <= sizeof u->password_hash, "a hash fits user.password_hash");
    if ((rc = read_password(ctx, pw, sizeof pw)) == 0 &&
        (rc = app_auth_check_password(u->login, pw)) == 0 && (rc = app_auth_hash(pw, hash)) == 0)
        memcpy(u->password_hash, hash, sizeof hash);
    sodium_memzero(pw, sizeof pw);
    return rc;
}

/* Finds the account login into *out; ERR_NOTFOUND when there is none. */
static int find_user(const cli_ctx *ctx, store *s, const char *login, model_user *out)
{
    int rc = store_user_get(s, login, out);
    if (rc == ERR_NOTFOUND)
        return err_set(ERR_NOTFOUND, "%s '%s'", cli_tr(ctx, "无此用户", "no user"), login);
    return rc;
}

/* Saves u and its audit line in one transaction; the detail never holds a secret. */
static int save_user(const cli_ctx *ctx, store *s, const model_user *u, const char *action)
{
    char detail[MODEL_TEXT_MAX];
    int rc;
    snprintf(detail, sizeof detail, "%s role=%s unit=%s disabled=%d", u->login,
             model_roles[u->role].key, u->unit_code, u->disabled);
    if ((rc = store_begin(s)) != 0)
        return rc;
    if ((rc = store_user_put(s, u, NULL)) == 0)
        rc = store_audit_add(s, ctx->actor ? ctx->actor : "", action, "users", detail);
    if (rc == 0)
        return store_commit(s);
    store_rollback(s);
    return rc;
}

/* Lets the store judge the account (role, unit) before anyone types a password: the same
 * save, rolled back at once. */
static int probe_user(store *s, const model_user *u)
{
    int rc;
    if ((rc = store_begin(s)) != 0)
        return rc;
    rc = store_user_put(s, u, NULL);
    store_rollback(s);
    return rc;
}

/* Prints the account after a change: JSON with --json, else one line. */
static int report_user(const cli_ctx *ctx, const model_user *u, const char *zh, const char *en)
{
    if (ctx->json)
        return cli_print_json(io_json_user(u));
    printf("%s %s (%s)\n", cli_tr(ctx, zh, en), u->login,
           ctx->english ? model_roles[u->role].key : model_roles[u->role].label_zh);
    return 0;
}

static int user_add(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, store *s)
{
    const char *role = cli_opt_value(cmd, args, "--role");
    const char *unit_code = cli_opt_value(cmd, args, "--unit");
    const char *name = cli_opt_value(cmd, args, "--name");
    model_user u, old;
    int r, rc;
    memset(&u, 0, sizeof u);
    if (!role)
        return cli_usage_error(cmd, "user add needs --role (admin, reporter, leader, public)");
    if ((r = model_enum_find(model_roles, ROLE_N, role)) < 0)
        return cli_usage_error(cmd, "--role: '%s' is not admin, reporter, leader or public", role);
    snprintf(u.login, sizeof u.login, "%s", args->pos[1]);
    snprintf(u.display_name, sizeof u.display_name, "%s", name ? name : "");
    snprintf(u.unit_code, sizeof u.unit_code, "%s", unit_code ? unit_code : "");
    u.role = r;
    if (find_user(ctx, s, u.login, &old) == 0)
        return err_set(ERR_CONFLICT, "%s '%s' (saima user passwd)",
                       cli_tr(ctx, "用户已存在", "user already exists"), u.login);
    err_clear();
    if ((rc = probe_user(s, &u)) != 0 || (rc = new_password_hash(ctx, &u)) != 0 ||
        (rc = save_user(ctx, s, &u, "user_add")) != 0 || (rc = find_user(ctx, s, u.login, &u)) != 0)
        return rc;
    return report_user(ctx, &u, "已添加用户", "added user");
}

static int user_passwd(const cli_ctx *ctx, store *s, const char *login)
{
    model_user u;
    int rc;
    if ((rc = find_user(ctx, s, login, &u)) != 0 || (rc = new_password_hash(ctx, &u)) != 0 ||
        (rc = save_user(ctx, s, &u, "user_passwd")) != 0)
        return rc;
    return report_user(ctx, &u, "已修改密码", "password changed for");
}

static int user_set_disabled(const cli_ctx *ctx, store *s, const char *login, int disabled)
{
    model_user u;
    int rc;
    if ((rc = find_user(ctx, s, login, &u)) != 0)
        return rc;
    u.disabled = disabled;
    if ((rc = save_user(ctx, s, &u, disabled ? "user_disable" : "user_enable")) != 0)
        return rc;
    return disabled ? report_user(ctx, &u, "已停用用户", "disabled user")
                    : report_user(ctx, &u, "已启用用户", "enabled user");
}

static const cli_column user_cols[] = {
    CLI_COL("login", "账号", "login", 0),
    CLI_COL("name", "姓名", "name", 0),
    CLI_ENUM_COL("role", "角色", "role", model_roles, ROLE_N),
    CLI_COL("unit", "单位", "unit", 0),
    CLI_COL("disabled", "停用", "disabled", 0),
    CLI_COL("created_at", "创建时间", "created", 0),
};

/* Every account without its hash: the hash never leaves the store through this command. */
static int user_list(const cli_ctx *ctx, store *s)
{
    model_user *all = NULL;
    size_t n = 0;
    json_t *rows;
    int rc;
    if ((rc = store_users(s, &all, &n)) != 0)
        return rc;
    rows = json_array();
    for (size_t i = 0; rows && i < n; i++) {
        if (json_array_append_new(rows, io_json_user(&all[i])) != 0) {
            json_decref(rows);
            rows = NULL;
        }
    }
    free(all);
    return cli_emit_rows(ctx, rows, user_cols, CLI_NCOLS(user_cols));
}

int cmd_user(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    static const char *const subs[] = { "add", "passwd", "list", "disable", "enable" };
    const char *sub = args->pos[0];
    int known = 0, rc;
    store *s;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        known |= strcmp(sub, subs[i]) == 0;
    if (!known)
        return cli_usage_error(cmd, "saima user add|passwd|list|disable|enable [LOGIN]");
    if (strcmp(sub, "list") == 0 && args->npos != 1)
        return cli_usage_error(cmd, "saima user list takes no LOGIN");
    if (strcmp(sub, "list") != 0 && args->npos != 2)
        return cli_usage_error(cmd, "saima user %s needs a LOGIN", sub);
    if (args->npos == 2 && (rc = check_login(args->pos[1])) != 0)
        return cli_usage_error(cmd, "%s", err_msg());
    if ((rc = strcmp(sub, "add") == 0 ? cli_open_store(ctx, &s) : cli_open_existing(ctx, &s)) != 0)
        return rc;
    if (strcmp(sub, "add") == 0)
        rc = user_add(ctx, cmd, args, s);
    else if (strcmp(sub, "passwd") == 0)
        rc = user_passwd(ctx, s, args->pos[1]);
    else if (strcmp(sub, "list") == 0)
        rc = user_list(ctx, s);
    else
        rc = user_set_disabled(ctx, s, args->pos[1], strcmp(sub, "disable") == 0);
    store_close(s);
    return rc;
}

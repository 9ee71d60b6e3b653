/* cmd_user: `saima user add|passwd|list|disable|enable` — accounts with roles, through the
 * app_user_* calls (rules, hashing, writes and audit live there). Passwords come from the
 * terminal without echo or one line of stdin, never argv. */
#include "cli/scope.h"
#include "io/json.h"
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

/* Reads one line from in into buf without its line ending. ERR_DATA on end of input or a
 * line longer than the policy allows. */
static int read_line(FILE *in, char *buf, size_t size)
{
    size_t n;
    if (!fgets(buf, (int)size, in))
        return err_set(ERR_DATA, "no password on standard input");
    n = strlen(buf);
    if (n == size - 1 && buf[n - 1] != '\n')
        return err_set(ERR_DATA, "the password is too long: at most %d bytes", APP_PASSWORD_BUF - 2);
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
    char again[APP_PASSWORD_BUF];
    int rc;
    if (!isatty(STDIN_FILENO))
        return read_line(stdin, buf, size);
    if ((rc = read_hidden(cli_tr(ctx, "新密码: ", "New password: "), buf, size)) != 0)
        return rc;
    rc = read_hidden(cli_tr(ctx, "再次输入: ", "Again: "), again, sizeof again);
    if (rc == 0 && strcmp(buf, again) != 0)
        rc = err_set(ERR_DATA, "%s", cli_tr(ctx, "两次输入的密码不一致", "the passwords differ"));
    app_password_wipe(again, sizeof again);
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

static int user_add(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, const app_ctx *q)
{
    const char *role = cli_opt_value(cmd, args, "--role");
    const char *unit_code = cli_opt_value(cmd, args, "--unit");
    const char *name = cli_opt_value(cmd, args, "--name");
    char pw[APP_PASSWORD_BUF];
    model_user u;
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
    if ((rc = app_user_check_new(q, &u)) == 0 && (rc = read_password(ctx, pw, sizeof pw)) == 0)
        rc = app_user_add(q, &u, pw, &u);
    app_password_wipe(pw, sizeof pw);
    return rc ? rc : report_user(ctx, &u, "已添加用户", "added user");
}

static int user_passwd(const cli_ctx *ctx, const app_ctx *q, const char *login)
{
    char pw[APP_PASSWORD_BUF];
    model_user u;
    int rc;
    if ((rc = app_user_get(q, login, &u)) == 0 && (rc = read_password(ctx, pw, sizeof pw)) == 0)
        rc = app_user_passwd(q, login, pw, &u);
    app_password_wipe(pw, sizeof pw);
    return rc ? rc : report_user(ctx, &u, "已修改密码", "password changed for");
}

static int user_set_disabled(const cli_ctx *ctx, const app_ctx *q, const char *login, int disabled)
{
    model_user u;
    int rc;
    if ((rc = app_user_set_disabled(q, login, disabled, &u)) != 0)
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

/* Every account; app_users_list blanks the hashes, and io_json_user never shows one. */
static int user_list(const cli_ctx *ctx, const app_ctx *q)
{
    model_user *all = NULL;
    size_t n = 0;
    json_t *rows;
    int rc;
    if ((rc = app_users_list(q, &all, &n)) != 0)
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
    app_ctx q;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        known |= strcmp(sub, subs[i]) == 0;
    if (!known)
        return cli_usage_error(cmd, "saima user add|passwd|list|disable|enable [LOGIN]");
    if (strcmp(sub, "list") == 0 && args->npos != 1)
        return cli_usage_error(cmd, "saima user list takes no LOGIN");
    if (strcmp(sub, "list") != 0 && args->npos != 2)
        return cli_usage_error(cmd, "saima user %s needs a LOGIN", sub);
    if (args->npos == 2 && (rc = app_user_check_login(args->pos[1])) != 0)
        return cli_usage_error(cmd, "%s", err_msg());
    if ((rc = strcmp(sub, "add") == 0 ? cli_open_store(ctx, &s) : cli_open_existing(ctx, &s)) != 0)
        return rc;
    q = cli_query_ctx(ctx, s);
    if (strcmp(sub, "add") == 0)
        rc = user_add(ctx, cmd, args, &q);
    else if (strcmp(sub, "passwd") == 0)
        rc = user_passwd(ctx, &q, args->pos[1]);
    else if (strcmp(sub, "list") == 0)
        rc = user_list(ctx, &q);
    else
        rc = user_set_disabled(ctx, &q, args->pos[1], strcmp(sub, "disable") == 0);
    store_close(s);
    return rc;
}

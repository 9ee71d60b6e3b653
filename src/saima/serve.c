/* serve: `saima serve` runs the HTTP server on the database until SIGINT or SIGTERM, then
 * stops gracefully; one access log line per request goes to stderr. Options through cli. */
#include "saima/serve.h"
#include "http/server.h"
#include "util/err.h"
#include "util/num.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const cli_opt cmd_serve_opts[] = {
    { "--port", "N", "port to listen on (default 8080; 0 picks a free one)" },
    { "--bind", "ADDR", "address to listen on (default 127.0.0.1)" },
    { "--threads", "N", "worker threads (default 2)" },
    { "--web", "DIR", "the dashboard's files (default ./web when it holds index.html)" },
    { NULL, NULL, NULL },
};

/* Reads the options into o; usage errors name the option. */
static int serve_opts(const cli_cmd *cmd, const cli_args *args, http_server_opts *o)
{
    const char *port = cli_opt_value(cmd, args, "--port");
    const char *threads = cli_opt_value(cmd, args, "--threads");
    long v;

    o->port = 8080;
    o->bind = cli_opt_value(cmd, args, "--bind");
    o->static_dir = cli_opt_value(cmd, args, "--web");
    if (!o->static_dir && access("web/index.html", R_OK) == 0)
        o->static_dir = "web";
    if (port) {
        if (num_parse_int(port, 0, 65535, &v) != 0)
            return cli_usage_error(cmd, "--port takes a number from 0 to 65535, not '%s'", port);
        o->port = (int)v;
    }
    if (threads) {
        if (num_parse_int(threads, 1, HTTP_SERVER_THREADS_MAX, &v) != 0)
            return cli_usage_error(cmd, "--threads takes a number from 1 to %d, not '%s'",
                                   HTTP_SERVER_THREADS_MAX, threads);
        o->threads = (int)v;
    }
    return 0;
}

/* Blocks the stop signals in this thread (and so in the server's threads, which inherit the
 * mask), so that sigwait receives them here and nowhere else. */
static void block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int cmd_serve(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    http_server_opts o;
    http_server *srv = NULL;
    store *check = NULL;
    sigset_t set;
    int rc, sig = 0;

    memset(&o, 0, sizeof o);
    if ((rc = serve_opts(cmd, args, &o)) != 0)
        return rc;
    if ((rc = cli_open_existing(ctx, &check)) != 0)
        return rc;
    store_close(check);
    o.db_path = ctx->db_path;
    o.access_log = stderr;
    block_signals(&set);
    if ((rc = http_server_start(&o, &srv)) != 0)
        return rc;
    if (o.bind && strchr(o.bind, ':'))
        printf("http://[%s]:%d/\n", o.bind, http_server_port(srv));
    else
        printf("http://%s:%d/\n", o.bind ? o.bind : "127.0.0.1", http_server_port(srv));
    printf("%s\n", cli_tr(ctx, "Saima 服务已启动，按 Ctrl+C 停止。", "Saima is serving; Ctrl+C stops it."));
    fflush(stdout);
    sigwait(&set, &sig);
    fprintf(stderr, "%s (%s)\n", cli_tr(ctx, "正在停止：等待进行中的请求完成", "stopping: finishing requests in flight"),
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    http_server_stop(srv);
    fprintf(stderr, "%s\n", cli_tr(ctx, "已停止。", "stopped."));
    return 0;
}

/* err: the error table and the per-thread detail message. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char err_detail[1024];

int err_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err_detail, sizeof err_detail, fmt, ap);
    va_end(ap);
    return code;
}

const char *err_msg(void)
{
    return err_detail;
}

void err_clear(void)
{
    err_detail[0] = '\0';
}

const char *err_name(int code)
{
    switch (code) {
#define ERR_CASE(name, value, exit_code, http, msg) case value: return msg;
        ERR_TABLE(ERR_CASE)
#undef ERR_CASE
    }
    return "unknown error";
}

int err_exit_code(int code)
{
    switch (code) {
#define ERR_CASE(name, value, exit_code, http, msg) case value: return exit_code;
        ERR_TABLE(ERR_CASE)
#undef ERR_CASE
    }
    return 3;
}

int err_http_status(int code)
{
    switch (code) {
#define ERR_CASE(name, value, exit_code, http, msg) case value: return http;
        ERR_TABLE(ERR_CASE)
#undef ERR_CASE
    }
    return 500;
}

/* scheme: a scheme with its checks as `saima scheme show` shows it — each item's method and
 * parameters and the weights' sum against the total (engine_scheme_check), the grading and
 * the warning settings (their engine parsers). */
#include "app/app.h"

#include "util/err.h"
#include "util/period.h"

#include <stdlib.h>
#include <string.h>

/* The engine's view of the items: each with its indicator's direction (higher when unknown). */
static int check_items(store *s, const model_scheme_item *items, size_t n, engine_scheme_item *out)
{
    model_indicator *inds = NULL;
    size_t nind = 0;
    int rc = store_indicators(s, &inds, &nind);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        out[i] = (engine_scheme_item){ items[i].method, items[i].weight, 1, items[i].params };
        for (size_t k = 0; k < nind; k++) {
            if (strcmp(inds[k].code, items[i].indicator_code) == 0)
                out[i].higher_better = inds[k].direction == DIR_HIGHER;
        }
    }
    free(inds);
    return rc;
}

/* The "ok" or the parser's detail of the settings and the grading; counts the problems. */
static void check_texts(const model_scheme *sc, char *settings, char *grading, size_t size, size_t *problems)
{
    engine_params params;
    engine_grading g;
    char names[8][ENGINE_GRADE_NAME_MAX];
    snprintf(settings, size, "ok");
    snprintf(grading, size, "ok");
    if (engine_params_parse(sc->settings, &params) != 0) {
        (*problems)++;
        snprintf(settings, size, "%s", err_msg());
    }
    if (sc->grading[0] && engine_grading_parse(sc->grading, &g, names) != 0) {
        (*problems)++;
        snprintf(grading, size, "%s", err_msg());
    }
    err_clear();
}

static json_t *items_json(const model_scheme_item *items, size_t n, const engine_scheme_problem *pr, size_t npr)
{
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < n; i++) {
        const char *check = "ok";
        for (size_t k = 0; k < npr; k++) {
            if (pr[k].code == ENGINE_SCHEME_BAD_METHOD && pr[k].item == (long)i)
                check = pr[k].detail;
        }
        json_array_append_new(rows, json_pack("{s:s, s:f, s:s, s:s, s:s}", "indicator", items[i].indicator_code,
                                              "weight", items[i].weight, "method",
                                              model_methods[items[i].method].key, "params", items[i].params,
                                              "check", check));
    }
    return rows;
}

int app_scheme_show(const app_ctx *q, const char *code, json_t **out, size_t *problems)
{
    model_scheme sc;
    model_scheme_item *items = NULL;
    engine_scheme_item *in = NULL;
    engine_scheme_problem *pr = NULL;
    char settings_check[ENGINE_SCHEME_DETAIL_MAX], grading_check[ENGINE_SCHEME_DETAIL_MAX];
    size_t n = 0, npr = 0;
    double sum = 0;
    int rc;
    if ((rc = app_pick_scheme(q->s, code, "", &sc)) != 0 || (rc = store_scheme_items(q->s, sc.code, &items, &n)) != 0)
        goto done;
    in = malloc((n ? n : 1) * sizeof *in);
    pr = malloc((n + 1) * sizeof *pr);
    if (!in || !pr) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((rc = check_items(q->s, items, n, in)) != 0)
        goto done;
    npr = engine_scheme_check(in, n, sc.total_weight, pr, &sum);
    *problems = npr;
    check_texts(&sc, settings_check, grading_check, sizeof settings_check, problems);
    *out = json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:s, s:s, s:s, s:s, s:o}", "code", sc.code, "name", sc.name,
                     "group", sc.group_code, "period_kind", period_kind_name(sc.period_kind), "total_weight",
                     sc.total_weight, "weights_sum", sum, "grading", sc.grading, "grading_check", grading_check,
                     "settings", sc.settings, "settings_check", settings_check, "items",
                     items_json(items, n, pr, npr));
    if (!*out)
        rc = err_set(ERR_NOMEM, "out of memory building JSON");
done:
    free(items);
    free(in);
    free(pr);
    return rc;
}

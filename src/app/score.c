/* score: a scheme's scores, totals, overall rank and grades at a month (SPEC §6), with
 * the year's events under caps, and how every rank and score was reached, as JSON. The
 * figures are the engine's. */
#include "app/app.h"

#include "util/err.h"

#include <stdlib.h>
#include <string.h>

void app_scored_free(app_scored *r)
{
    for (size_t i = 0; r->an && i < r->nitems; i++)
        app_analysis_free(&r->an[i]);
    app_members_free(&r->members);
    free(r->an);
    free(r->items);
    free(r->methods);
    free(r->scores);
    free(r->why);
    free(r->totals);
    memset(r, 0, sizeof *r);
}

int app_pick_scheme(store *s, const char *code, const char *group_code, model_scheme *out)
{
    model_scheme *all;
    size_t n;
    int rc, found = 0;
    if (code && code[0]) {
        rc = store_scheme_get(s, code, out);
        return rc == ERR_NOTFOUND ? err_set(ERR_NOTFOUND, "unknown scheme code '%s'", code) : rc;
    }
    /* the group's scheme, else the first */
    if ((rc = store_schemes(s, &all, &n)) != 0)
        return rc;
    for (size_t i = 0; i < n && !found; i++) {
        if (group_code && strcmp(all[i].group_code, group_code) == 0) {
            *out = all[i];
            found = 1;
        }
    }
    if (!found && n > 0) {
        *out = all[0];
        found = 1;
    }
    free(all);
    return found ? 0 : err_set(ERR_NOTFOUND, "no schemes yet (saima import schemes, or saima demo)");
}

/* Scores every unit on one item from its analysis. */
static int score_item(app_scored *r, size_t i)
{
    const app_analysis *a = &r->an[i];
    size_t months = a->sp.p.nmonths, t = (size_t)a->t;
    double *v = malloc((r->nunits + 1) * sizeof *v);
    unsigned char *pres = malloc(r->nunits + 1);
    engine_item_group g;
    int rc = 0;
    if (!v || !pres) {
        free(v);
        free(pres);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t u = 0; u < r->nunits; u++) {
        v[u] = a->sp.value[u * months + t];
        pres[u] = a->sp.present[u * months + t];
    }
    g = engine_item_group_of(v, pres, r->nunits, a->sp.p.higher_better);
    for (size_t u = 0; rc == 0 && u < r->nunits; u++) {
        engine_item_input in = { a->st[u].rank.rank, v[u], pres[u], a->sp.target[u],
                                 a->sp.target_present[u], 0, 0 };
        rc = engine_score_item(&r->methods[i], &in, &g, &r->scores[u * r->nitems + i],
                               r->why ? &r->why[u * r->nitems + i] : NULL);
    }
    free(v);
    free(pres);
    return rc;
}

static long member_index(const model_unit *members, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(members[i].code, code) == 0)
            return (long)i;
    }
    return -1;
}

/* The index of a category in a growing list of names, adding it when new. */
static int category_index(char (*names)[MODEL_CODE_MAX], size_t *n, size_t cap, const char *name)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(names[i], name) == 0)
            return (int)i;
    }
    if (*n >= cap)
        return -1;
    snprintf(names[*n], MODEL_CODE_MAX, "%s", name);
    return (int)(*n)++;
}

int app_year_events(const model_event *evs, size_t nev, const model_event_cap *caps, size_t ncap, const model_unit *members,
                      size_t nunits, engine_event **out_ev, size_t *nout_ev, engine_cap **out_cap,
                      size_t *nout_cap)
{
    char (*cats)[MODEL_CODE_MAX] = calloc(nev + ncap + 1, sizeof *cats);
    engine_event *ee = calloc(nev + 1, sizeof *ee);
    engine_cap *ec = calloc(ncap + 1, sizeof *ec);
    size_t ncat = 0, ne = 0, nc = 0;
    int rc = 0;
    if (!cats || !ee || !ec)
        rc = err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < nev; i++) {
        long u = member_index(members, nunits, evs[i].unit_code);
        if (u < 0)
            continue;
        ee[ne].unit = (size_t)u;
        ee[ne].category = category_index(cats, &ncat, nev + ncap, evs[i].category);
        ee[ne].veto = evs[i].kind == EVENT_VETO;
        ee[ne].revoked = evs[i].revoked;
        if ((rc = engine_points_from(evs[i].points, &ee[ne].points)) != 0)
            break;
        ne++;
    }
    for (size_t i = 0; rc == 0 && i < ncap; i++) {
        ec[nc].category = category_index(cats, &ncat, nev + ncap, caps[i].category);
        if ((rc = engine_points_from(caps[i].max_bonus, &ec[nc].max_bonus)) != 0 ||
            (rc = engine_points_from(caps[i].max_deduction, &ec[nc].max_deduction)) != 0)
            break;
        nc++;
    }
    free(cats);
    if (rc != 0) {
        free(ee);
        free(ec);
        return rc;
    }
    *out_ev = ee;
    *nout_ev = ne;
    *out_cap = ec;
    *nout_cap = nc;
    return 0;
}

/* Totals the item scores with the year's events (bonuses, deductions, vetoes) under the
 * year's caps: SPEC §6's total = indicator scores + bonuses − deductions. */
static int add_events(app_scored *r)
{
    model_event *evs = NULL;
    model_event_cap *caps = NULL;
    engine_event *ee = NULL;
    engine_cap *ec = NULL;
    size_t nev = 0, ncap = 0, ne = 0, nc = 0;
    int rc;
    if ((rc = store_events(r->sc.s, r->sc.month.year, &evs, &nev)) == 0 &&
        (rc = store_event_caps(r->sc.s, r->sc.month.year, &caps, &ncap)) == 0 &&
        (rc = app_year_events(evs, nev, caps, ncap, r->an[0].sp.units, r->nunits, &ee, &ne, &ec, &nc)) == 0)
        rc = engine_totals(r->scores, r->nunits, r->nitems, ee, ne, ec, nc, r->totals);
    free(evs);
    free(caps);
    free(ee);
    free(ec);
    return rc;
}

/* Analyses every item's indicator (read together) and parses its method, with the scheme and
 * indicator in the message of a bad one. */
static int parse_methods(app_scored *r)
{
    model_indicator *inds = calloc(r->nitems, sizeof *inds);
    int rc = inds ? 0 : err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < r->nitems; i++) {
        if ((rc = store_indicator_get(r->sc.s, r->items[i].indicator_code, &inds[i])) == ERR_NOTFOUND)
            rc = err_set(ERR_NOTFOUND, "unknown indicator code '%s'", r->items[i].indicator_code);
    }
    if (rc == 0)
        rc = app_analyze_many(&r->sc, inds, r->nitems, r->an);
    free(inds);
    for (size_t i = 0; rc == 0 && i < r->nitems; i++) {
        if ((rc = engine_method_parse(r->items[i].method, r->items[i].weight, r->an[i].sp.p.higher_better,
                                      r->items[i].params, &r->methods[i])) != 0) {
            char why[512];
            snprintf(why, sizeof why, "%s", err_msg());
            return err_set(rc, "scheme '%s', indicator '%s': %s", r->sch.code, r->items[i].indicator_code, why);
        }
    }
    return rc;
}

/* Analyses and scores every item of r->sch at r->sc's month, totals and grades; with
 * explained, keeps the explanation of every score. */
static int score_opened(app_scored *r, int explained)
{
    int rc;
    if ((rc = app_scope_set_group(&r->sc, r->sch.group_code)) != 0 ||
        (rc = app_scope_share_members(&r->sc, &r->members)) != 0 ||
        (rc = store_scheme_items(r->sc.s, r->sch.code, &r->items, &r->nitems)) != 0)
        goto fail;
    if (r->nitems == 0) {
        rc = err_set(ERR_DATA, "scheme '%s' has no indicators", r->sch.code);
        goto fail;
    }
    r->an = calloc(r->nitems, sizeof *r->an);
    r->methods = calloc(r->nitems, sizeof *r->methods);
    if (!r->an || !r->methods) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto fail;
    }
    if ((rc = parse_methods(r)) != 0)
        goto fail;
    r->nunits = r->an[0].sp.nunits;
    r->scores = calloc(r->nunits * r->nitems + 1, sizeof *r->scores);
    r->why = explained ? calloc(r->nunits * r->nitems + 1, sizeof *r->why) : NULL;
    r->totals = calloc(r->nunits + 1, sizeof *r->totals);
    if (!r->scores || (explained && !r->why) || !r->totals) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < r->nitems; i++) {
        if ((rc = score_item(r, i)) != 0)
            goto fail;
    }
    if ((rc = add_events(r)) != 0)
        goto fail;
    if (r->sch.grading[0]) {
        if ((rc = engine_grading_parse(r->sch.grading, &r->grading, r->grade_names)) != 0 ||
            (rc = engine_grade(&r->grading, r->totals, r->nunits)) != 0)
            goto fail;
        r->has_grading = 1;
    }
    return 0;
fail:
    app_scored_free(r);
    return rc;
}

int app_score_open(const app_ctx *q, const app_params *p, int explained, app_scored *r)
{
    int rc;
    memset(r, 0, sizeof *r);
    if ((rc = app_scope_open(q, p->group, p->period, &r->sc)) != 0 ||
        (rc = app_pick_scheme(r->sc.s, p->scheme, r->sc.group, &r->sch)) != 0) {
        app_scored_free(r);
        return rc;
    }
    return score_opened(r, explained);
}

int app_score_scheme_at(const app_ctx *q, const char *scheme_code, const period_key *month,
                          app_scored *r)
{
    int rc;
    memset(r, 0, sizeof *r);
    r->sc.s = q->s;
    r->sc.published_only = q->published_only;
    r->sc.english = q->english;
    r->sc.month = *month;
    period_format(month, r->sc.month_code, sizeof r->sc.month_code);
    if ((rc = app_pick_scheme(q->s, scheme_code, "", &r->sch)) != 0) {
        app_scored_free(r);
        return rc;
    }
    return score_opened(r, 0);
}

static json_t *points_json(engine_points p)
{
    return json_real(engine_points_to_double(p));
}

static const char *grade_name(const app_scored *r, int grade)
{
    return r->has_grading && grade >= 0 ? r->grade_names[grade] : NULL;
}

/* ---- scores ---- */

static int cmp_total_rank(const void *a, const void *b, void *arg)
{
    const engine_total *t = arg;
    int x = t[*(const size_t *)a].rank, y = t[*(const size_t *)b].rank;
    return (x > y) - (x < y);
}

/* What every unit's row repeats, made once and shared by reference: each item's indicator
 * code and the ranks 1..n. */
typedef struct score_shared {
    json_t **codes;              /* per item */
    json_t **ranks;              /* ranks[k] is k, 1..nunits */
} score_shared;

static void score_shared_free(score_shared *sh, const app_scored *r)
{
    for (size_t i = 0; sh->codes && i < r->nitems; i++)
        json_decref(sh->codes[i]);
    for (size_t k = 0; sh->ranks && k <= r->nunits; k++)
        json_decref(sh->ranks[k]);
    free(sh->codes);
    free(sh->ranks);
    memset(sh, 0, sizeof *sh);
}

/* The items' indicator codes, in the order of every unit's "scores" and "ranks". */
static json_t *item_codes_json(const score_shared *sh, const app_scored *r)
{
    json_t *codes = json_array();
    for (size_t i = 0; codes && i < r->nitems; i++)
        json_array_append(codes, sh->codes[i]);
    return codes;
}

static int score_shared_init(score_shared *sh, const app_scored *r)
{
    int ok;
    sh->codes = calloc(r->nitems + 1, sizeof *sh->codes);
    sh->ranks = calloc(r->nunits + 1, sizeof *sh->ranks);
    ok = sh->codes && sh->ranks;
    for (size_t i = 0; ok && i < r->nitems; i++)
        ok = (sh->codes[i] = json_string(r->items[i].indicator_code)) != NULL;
    for (size_t k = 1; ok && k <= r->nunits; k++)
        ok = (sh->ranks[k] = json_integer((json_int_t)k)) != NULL;
    return ok ? 0 : err_set(ERR_NOMEM, "out of memory");
}

/* A unit's scores on the items, in the order of the reply's "indicators", and its rank on
 * each (null when unranked): two arrays, not an object per item (a province's scores hold
 * 39,000). */
static void item_scores_json(const score_shared *sh, const app_scored *r, size_t u, json_t *scores, json_t *ranks)
{
    for (size_t i = 0; i < r->nitems; i++) {
        int rank = r->an[i].st[u].rank.rank;
        json_array_append_new(scores, points_json(r->scores[u * r->nitems + i]));
        json_array_append_new(ranks, rank > 0 && (size_t)rank <= r->nunits ? json_incref(sh->ranks[rank])
                                                                           : json_null());
    }
}

static json_t *unit_score_json(const app_ctx *q, const score_shared *sh, const app_scored *r, size_t u)
{
    const engine_total *t = &r->totals[u];
    const char *grade = grade_name(r, t->grade);
    json_t *scores = json_array(), *ranks = json_array(), *o;
    item_scores_json(sh, r, u, scores, ranks);
    o = json_pack("{s:s, s:s, s:i, s:o, s:o, s:o, s:o, s:b, s:s?, s:o, s:o}", "unit", r->an[0].sp.units[u].code,
                  "name", r->an[0].sp.units[u].name, "rank", t->rank, "items_total", points_json(t->items),
                  "bonus", points_json(t->bonus), "deduction", points_json(t->deduction), "total",
                  points_json(t->total), "veto", t->veto, "grade", grade, "scores", scores, "ranks", ranks);
    if (o && q->texts) {
        static const char *const keys[] = { "items", "bonus", "deduction", "total" };
        const engine_points vals[] = { t->items, t->bonus, t->deduction, t->total };
        for (size_t k = 0; k < 4; k++) {
            char key[32], text[32];
            engine_points_format(vals[k], 2, text, sizeof text);
            snprintf(key, sizeof key, "%s_text", keys[k]);
            json_object_set_new(o, key, json_string(text));
        }
    }
    return o;
}

int app_scores(const app_ctx *q, const app_params *p, json_t **out)
{
    app_scored r;
    score_shared sh = { NULL, NULL };
    size_t *order;
    json_t *rows;
    int rc;
    if ((rc = app_score_open(q, p, 0, &r)) != 0)
        return rc;
    if ((rc = score_shared_init(&sh, &r)) != 0 || !(order = malloc((r.nunits + 1) * sizeof *order))) {
        score_shared_free(&sh, &r);
        app_scored_free(&r);
        return rc ? rc : err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t u = 0; u < r.nunits; u++)
        order[u] = u;
    qsort_r(order, r.nunits, sizeof *order, cmp_total_rank, r.totals);
    rows = json_array();
    for (size_t k = 0; k < r.nunits; k++)
        json_array_append_new(rows, unit_score_json(q, &sh, &r, order[k]));
    free(order);
    *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o}", "scheme", r.sch.code, "scheme_name",
                     r.sch.name, "group", r.sc.group,
                     "group_name", r.sc.group_name, "period", r.sc.month_code, "published_only",
                     r.sc.published_only, "indicators", item_codes_json(&sh, &r), "units", rows);
    score_shared_free(&sh, &r);
    app_scored_free(&r);
    return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
}

/* ---- explain ---- */

static long unit_index(const app_scored *r, const char *code)
{
    for (size_t u = 0; u < r->nunits; u++) {
        if (strcmp(r->an[0].sp.units[u].code, code) == 0)
            return (long)u;
    }
    return -1;
}

static json_t *inputs_json(const engine_explain *why)
{
    json_t *o = json_object();
    for (int k = 0; k < why->ninputs && k < 8; k++)
        json_object_set_new(o, why->input_name[k], json_real(why->input[k]));
    return o;
}

static json_t *item_explain_json(const app_scored *r, size_t i, size_t u)
{
    const app_analysis *a = &r->an[i];
    const engine_ranked *rk = &a->st[u].rank;
    const engine_explain *why = &r->why[u * r->nitems + i];
    size_t cell = u * a->sp.p.nmonths + (size_t)a->t;
    return json_pack("{s:s, s:s, s:s, s:o, s:i, s:o, s:i, s:i, s:i, s:s, s:o, s:s, s:o, s:s}", "indicator",
                     a->sp.ind.code, "name", a->sp.ind.name, "measure", a->sp.ind.measure, "value",
                     a->sp.present[cell] ? json_real(a->sp.value[cell]) : json_null(), "precision",
                     a->sp.ind.precision, "rank", rk->rank ? json_integer(rk->rank) : json_null(), "better",
                     rk->rank ? rk->rank - 1 : 0, "ties", rk->ties, "ranked",
                     rk->rank ? rk->rank - 1 + rk->ties + rk->worse : 0, "method", model_methods[why->method].key,
                     "inputs", inputs_json(why), "formula", why->formula, "score", points_json(why->result),
                     "params", r->items[i].params);
}

int app_explain(const app_ctx *q, const app_params *p, json_t **out)
{
    const char *only = p->indicator && p->indicator[0] ? p->indicator : NULL;
    char code[MODEL_CODE_MAX];
    app_scored r;
    json_t *items;
    const engine_total *t;
    long u;
    int rc;
    if ((rc = app_score_open(q, p, 1, &r)) != 0)
        return rc;
    if (p->unit && p->unit[0])
        snprintf(code, sizeof code, "%s", p->unit);
    else if ((rc = app_our_unit(r.sc.s, r.sc.group, code)) != 0)
        goto done;
    if ((u = unit_index(&r, code)) < 0) {
        rc = err_set(ERR_NOTFOUND, "unit '%s' is not in group '%s'", code, r.sc.group);
        goto done;
    }
    items = json_array();
    for (size_t i = 0; i < r.nitems; i++) {
        if (!only || strcmp(only, r.items[i].indicator_code) == 0)
            json_array_append_new(items, item_explain_json(&r, i, (size_t)u));
    }
    if (only && json_array_size(items) == 0) {
        json_decref(items);
        rc = err_set(ERR_NOTFOUND, "indicator '%s' is not in scheme '%s'", only, r.sch.code);
        goto done;
    }
    t = &r.totals[u];
    *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:o, s:o, s:o, s:o, s:o, s:i, s:b, s:s?}", "unit",
                     code, "unit_name", r.an[0].sp.units[u].name, "scheme", r.sch.code, "scheme_name",
                     r.sch.name, "grading", r.sch.grading,
                     "period", r.sc.month_code, "published_only", r.sc.published_only, "units",
                     (json_int_t)r.nunits, "items", items, "items_total", points_json(t->items), "bonus",
                     points_json(t->bonus), "deduction", points_json(t->deduction), "total",
                     points_json(t->total), "rank", t->rank, "veto", t->veto, "grade", grade_name(&r, t->grade));
    rc = *out ? 0 : err_set(ERR_NOMEM, "out of memory");
done:
    app_scored_free(&r);
    return rc;
}

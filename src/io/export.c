/* export: every kind written back as CSV in the import's own columns, with canonical codes
 * and exact numbers, so that an export imports to the same data. */
#include "io/import_int.h"

#include "util/buf.h"
#include "util/err.h"
#include "util/num.h"

#include <stdlib.h>
#include <string.h>

/* Everything a kind's writer needs. */
typedef struct exporter {
    store *s;
    FILE *out;
    const io_export_opts *opts;
    obs_filter filter;
} exporter;

static int row(exporter *x, const char *const *fields, size_t n)
{
    return csv_write_row(x->out, fields, n, ',');
}

static int write_header(exporter *x, const io__kind *k)
{
    const char *names[IO__MAX_COLS];
    char zh[IO__MAX_COLS][64];
    for (int i = 0; i < k->ncols; i++) {
        snprintf(zh[i], sizeof zh[i], "%.*s", (int)strcspn(k->cols[i].names_zh, "|"),
                 k->cols[i].names_zh);
        names[i] = x->opts->english ? k->cols[i].key : zh[i];
    }
    return row(x, names, (size_t)k->ncols);
}

static const char *flag(int v)
{
    return v ? "1" : "0";
}

static int export_units(exporter *x)
{
    model_unit *us = NULL;
    size_t n = 0;
    int rc;
    if ((rc = store_units(x->s, &us, &n)) != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char sort[16];
        snprintf(sort, sizeof sort, "%d", us[i].sort_order);
        const char *f[] = { us[i].code, us[i].name, model_unit_kinds[us[i].kind].key,
                            us[i].parent_code, us[i].name_en, flag(us[i].is_self), sort };
        rc = row(x, f, sizeof f / sizeof f[0]);
    }
    free(us);
    return rc;
}

/* The member codes of a group joined by ';' (the caller frees *out). */
static int member_list(store *s, const char *code, char **out)
{
    model_unit *ms = NULL;
    size_t n = 0;
    struct buf text;
    int rc;
    if ((rc = store_group_members(s, code, &ms, &n)) != 0)
        return rc;
    buf_init(&text, n * MODEL_CODE_MAX);
    for (size_t i = 0; i < n; i++)
        buf_printf(&text, "%s%s", i ? ";" : "", ms[i].code);
    free(ms);
    if (!(*out = buf_take(&text, NULL)))
        return err_set(ERR_NOMEM, "out of memory");
    return 0;
}

static int export_groups(exporter *x)
{
    model_group *gs = NULL;
    size_t n = 0;
    int rc;
    if ((rc = store_groups(x->s, &gs, &n)) != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *members = NULL;
        if ((rc = member_list(x->s, gs[i].code, &members)) != 0)
            break;
        const char *f[] = { gs[i].code, gs[i].name, model_group_kinds[gs[i].kind].key, members,
                            gs[i].name_en, gs[i].description };
        rc = row(x, f, sizeof f / sizeof f[0]);
        free(members);
    }
    free(gs);
    return rc;
}

static int export_indicators(exporter *x)
{
    model_indicator *is = NULL;
    size_t n = 0;
    int rc;
    if ((rc = store_indicators(x->s, &is, &n)) != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const model_indicator *d = &is[i];
        char precision[16], weight[NUM_TEXT_MAX], sort[16];
        snprintf(precision, sizeof precision, "%d", d->precision);
        num_format(d->weight, weight, sizeof weight);
        snprintf(sort, sizeof sort, "%d", d->sort_order);
        const char *f[] = { d->code, d->name, d->measure, model_directions[d->direction].key,
                            model_value_kinds[d->value_kind].key, model_categories[d->category].key,
                            precision, weight, model_methods[d->method].key, d->lead_unit,
                            d->coop_units, d->leader, flag(d->is_bonus), flag(d->is_veto),
                            d->definition, d->source, d->name_en, sort };
        rc = row(x, f, sizeof f / sizeof f[0]);
    }
    free(is);
    return rc;
}

/* One row per item; a scheme without items has nothing to write. */
static int export_schemes(exporter *x)
{
    model_scheme *ss = NULL;
    size_t n = 0;
    int rc;
    if ((rc = store_schemes(x->s, &ss, &n)) != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const model_scheme *sc = &ss[i];
        model_scheme_item *items = NULL;
        size_t ni = 0;
        char total[NUM_TEXT_MAX];
        if ((rc = store_scheme_items(x->s, sc->code, &items, &ni)) != 0)
            break;
        num_format(sc->total_weight, total, sizeof total);
        for (size_t j = 0; rc == 0 && j < ni; j++) {
            char weight[NUM_TEXT_MAX];
            num_format(items[j].weight, weight, sizeof weight);
            const char *f[] = { sc->code, sc->name, sc->group_code, period_kind_name(sc->period_kind),
                                total, sc->grading, items[j].indicator_code, weight,
                                model_methods[items[j].method].key, items[j].params, sc->name_en,
                                sc->description, sc->settings };
            rc = row(x, f, sizeof f / sizeof f[0]);
        }
        free(items);
    }
    free(ss);
    return rc;
}

static int matches(const char *want, const char *code)
{
    return !want || !want[0] || strcmp(want, code) == 0;
}

static int export_targets(exporter *x)
{
    model_target *ts = NULL;
    size_t n = 0;
    int rc;
    if ((rc = store_targets(x->s, x->opts->year, &ts, &n)) != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char year[16], value[NUM_TEXT_MAX];
        if (!matches(x->opts->indicator, ts[i].indicator_code) ||
            !matches(x->opts->unit, ts[i].unit_code))
            continue;
        snprintf(year, sizeof year, "%d", ts[i].year);
        num_format(ts[i].value, value, sizeof value);
        const char *f[] = { ts[i].indicator_code, ts[i].unit_code, year, value, ts[i].note };
        rc = row(x, f, sizeof f / sizeof f[0]);
    }
    free(ts);
    return rc;
}

/* store_observations_each callback: writes one observation. */
static int write_obs(const model_observation *o, void *arg)
{
    char value[NUM_TEXT_MAX];
    num_format(o->value, value, sizeof value);
    const char *f[] = { o->indicator_code, o->unit_code, o->period_code, value,
                        model_obs_states[o->state].key, o->note };
    return row(arg, f, sizeof f / sizeof f[0]);
}

/* The observation filter of the options; ERR_DATA for a period that does not parse. */
static int make_filter(const io_export_opts *o, obs_filter *f)
{
    *f = store_filter_all();
    if (o->indicator)
        snprintf(f->indicator_code, sizeof f->indicator_code, "%s", o->indicator);
    if (o->unit)
        snprintf(f->unit_code, sizeof f->unit_code, "%s", o->unit);
    if (o->period && o->period[0]) {
        period_key key;
        if (period_parse(o->period, &key) != 0)
            return ERR_DATA;
        period_format(&key, f->period_code, sizeof f->period_code);
    }
    f->year = o->year;
    return 0;
}

static int export_observations(exporter *x)
{
    return store_observations_each(x->s, &x->filter, write_obs, x);
}

static int export_categories(exporter *x)
{
    model_contest_category *ks = NULL;
    size_t n = 0;
    int rc;
    if ((rc = store_categories(x->s, &ks, &n)) != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char sort[16];
        snprintf(sort, sizeof sort, "%d", ks[i].sort_order);
        const char *f[] = { ks[i].code, ks[i].name, ks[i].name_en, sort };
        rc = row(x, f, sizeof f / sizeof f[0]);
    }
    free(ks);
    return rc;
}

/* Weights in percent (stored in basis points), the tie rule by its key. */
static int export_contests(exporter *x)
{
    model_contest *cs = NULL;
    size_t n = 0;
    int rc;
    if ((rc = store_contests(x->s, "", &cs, &n)) != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const model_contest *c = &cs[i];
        char sw[NUM_TEXT_MAX], jw[NUM_TEXT_MAX];
        num_format(c->engine_weight_bp / 100.0, sw, sizeof sw);
        num_format(c->judge_weight_bp / 100.0, jw, sizeof jw);
        const char *f[] = { c->code, c->name, c->group_code, c->category_code, c->period_code,
                            c->scheme_code, sw, jw, flag(c->drop_extremes), c->points,
                            model_flag_tie_rules[c->flag_tie_rule].key };
        rc = row(x, f, sizeof f / sizeof f[0]);
    }
    free(cs);
    return rc;
}

/* The scores of every contest, contest by contest. */
static int export_judges(exporter *x)
{
    model_contest *cs = NULL;
    size_t n = 0;
    int rc;
    if ((rc = store_contests(x->s, "", &cs, &n)) != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        model_judge_score *js = NULL;
        size_t nj = 0;
        if ((rc = store_judge_scores(x->s, cs[i].code, &js, &nj)) != 0)
            break;
        for (size_t j = 0; rc == 0 && j < nj; j++) {
            char score[NUM_TEXT_MAX];
            num_format(js[j].score, score, sizeof score);
            const char *f[] = { js[j].contest_code, js[j].unit_code, js[j].judge, score };
            rc = row(x, f, sizeof f / sizeof f[0]);
        }
        free(js);
    }
    free(cs);
    return rc;
}

static int export_awards(exporter *x)
{
    model_award *as = NULL;
    size_t n = 0;
    int rc;
    if ((rc = store_awards(x->s, &as, &n)) != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const model_award *a = &as[i];
        const char *f[] = { a->code, a->name, a->name_en, io__award_kinds[a->worst ? 1 : 0].key,
                            a->source, a->source_code, a->group_code, a->rule };
        rc = row(x, f, sizeof f / sizeof f[0]);
    }
    free(as);
    return rc;
}

static int export_caps(exporter *x)
{
    model_event_cap *es = NULL;
    size_t n = 0;
    int rc;
    if ((rc = store_event_caps(x->s, 0, &es, &n)) != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char year[16], bonus[NUM_TEXT_MAX], deduction[NUM_TEXT_MAX];
        snprintf(year, sizeof year, "%d", es[i].year);
        num_format(es[i].max_bonus, bonus, sizeof bonus);
        num_format(es[i].max_deduction, deduction, sizeof deduction);
        const char *f[] = { es[i].category, year, bonus, deduction };
        rc = row(x, f, sizeof f / sizeof f[0]);
    }
    free(es);
    return rc;
}

int io_export(store *s, int kind, FILE *out, const io_export_opts *opts)
{
    static const io_export_opts defaults;
    static int (*const writers[IO_KIND_ALL_N])(exporter *) = {
        export_units, export_groups, export_indicators, export_schemes, export_targets,
        export_observations, export_categories, export_contests, export_judges, export_awards,
        export_caps,
    };
    exporter x = { s, out, opts ? opts : &defaults, store_filter_all() };
    const io__kind *k = io__kind_of(kind);
    int rc;
    if (!k)
        return err_set(ERR_USAGE, "unknown export kind %d", kind);
    if ((rc = make_filter(x.opts, &x.filter)) != 0)
        return rc;
    if ((!x.opts->no_bom && (rc = csv_write_bom(out)) != 0) || (rc = write_header(&x, k)) != 0 ||
        (rc = writers[kind](&x)) != 0)
        return rc;
    return fflush(out) == 0 ? 0 : err_set(ERR_IO, "cannot write CSV");
}

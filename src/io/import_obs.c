/* import_obs: the observation import, built for files of a million rows: codes resolved
 * through maps built once, rows kept in one growing array (no allocation per row), the
 * stored values of the file's indicators read once (for locks, unchanged rows and soft
 * validation), and every write in the one transaction of the import. */
#include "io/import_int.h"

#include "engine/validate.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/num.h"

#include <stdlib.h>
#include <string.h>

enum { OC_INDICATOR, OC_UNIT, OC_PERIOD, OC_VALUE, OC_STATE, OC_NOTE, OC_N };

static const io__column obs_cols[OC_N] = {
    { "indicator", "指标代码|指标", 1 },
    { "unit", "单位代码|单位", 1 },
    { "period", "期间|时期", 1 },
    { "value", "数值|值", 1 },
    { "state", "状态", 0 },
    { "note", "备注|说明", 0 },
};

/* Indices into the unit, indicator and period tables fit in 21 bits each. */
#define KEY_BITS 21
#define KEY_LIMIT (1u << KEY_BITS)

/* One row of the file. */
typedef struct obs_row {
    uint32_t ind, unit_ix, per;
    uint32_t note;        /* offset into the notes; 0 is the empty note */
    double value;
    long line;
    signed char state;    /* enum obs_state */
    signed char outcome;  /* enum store_put_result the write will have */
} obs_row;

/* A period the file names: from the store (id > 0) or new. */
typedef struct obs_period {
    period_key key;
    int64_t id;
    int used;             /* a row will be written to it */
} obs_period;

/* A stored observation of one of the file's indicators. */
typedef struct obs_old {
    uint32_t ind, unit_ix, per;
    uint32_t note;
    signed char state;
    double value;
} obs_old;

typedef struct obs_kd {
    obs_row *rows;
    size_t n, cap;
    char *notes;
    size_t nlen, ncap;
    obs_period *pers;
    size_t npers, pcap;
    io__map per_code;     /* canonical code -> period index */
    io__map per_text;     /* text as written -> period index */
    io__keymap seen;      /* (indicator, unit, period) -> row, when seen_dense is not used */
    uint32_t **seen_dense; /* per period: indicator × unit -> row + 1 (0: none), or NULL */
    size_t seen_pcap;     /* periods seen_dense has room for */
    obs_old *old;
    size_t nold, oldcap;
    io__keymap old_map;   /* (indicator, unit, period) -> index in old */
    size_t *old_start;    /* per indicator: its first stored value in old */
    size_t *old_count;
    unsigned char *used;  /* per indicator: named by the file */
    validate_flag *flags; /* soft-validation findings to write, by row */
    size_t nflags, flagcap;
    io__keymap locks;     /* (unit, period) -> enum lock_state, as the lock rule answered */
} obs_kd;

/* Imports into a store of at most this many (indicator, unit) pairs, and not many more than
 * the file has rows, find duplicates in a table per period (4 bytes a pair); others in a hash
 * map. */
#define DENSE_SEEN_MAX (4u << 20)
#define DENSE_SEEN_SLACK 1024u

static uint64_t obs_key(uint32_t ind, uint32_t unit_ix, uint32_t per)
{
    return ((uint64_t)(ind + 1) << (2 * KEY_BITS)) | ((uint64_t)unit_ix << KEY_BITS) | per;
}

/* Marks (ind, unit_ix, per) as read at row (0-based). Returns 0, or 1 with *old set to the
 * row that had it, or ERR_NOMEM. */
static int seen_add(io__ctx *c, obs_kd *d, uint32_t ind, uint32_t unit_ix, uint32_t per, long row, long *old)
{
    uint32_t *cell;
    if (!d->seen_dense)
        return io__keymap_add(&d->seen, obs_key(ind, unit_ix, per), row, old);
    if (per >= d->seen_pcap) {
        size_t cap = d->seen_pcap;
        uint32_t **bigger = grow_array(d->seen_dense, &cap, (size_t)per + 1, sizeof *bigger, 64);
        if (!bigger)
            return ERR_NOMEM;
        memset(bigger + d->seen_pcap, 0, (cap - d->seen_pcap) * sizeof *bigger);
        d->seen_dense = bigger;
        d->seen_pcap = cap;
    }
    if (!d->seen_dense[per] && !(d->seen_dense[per] = calloc((size_t)c->ninds * c->nunits + 1, sizeof **d->seen_dense)))
        return ERR_NOMEM;
    cell = &d->seen_dense[per][(size_t)ind * c->nunits + unit_ix];
    if (*cell) {
        *old = (long)*cell - 1;
        return 1;
    }
    *cell = (uint32_t)row + 1;
    return 0;
}

static int reserve(void **p, size_t *cap, size_t need, size_t elem)
{
    void *bigger;
    if (need <= *cap)
        return 0;
    if (!(bigger = grow_array(*p, cap, need, elem, 1024)))
        return err_set(ERR_NOMEM, "out of memory");
    *p = bigger;
    return 0;
}

/* Appends a note to the notes; returns its offset (0 for "") or -1 when out of memory
 * (offsets are 32-bit: 4 GB of notes). */
static long add_note(obs_kd *d, const char *note, size_t len)
{
    size_t at;
    if (len == 0)
        return 0;
    if (d->nlen + len + 1 > UINT32_MAX)
        return -1;
    if (reserve((void **)&d->notes, &d->ncap, d->nlen + len + 1, 1) != 0)
        return -1;
    at = d->nlen;
    memcpy(d->notes + at, note, len + 1);
    d->nlen += len + 1;
    return (long)at;
}

static int add_period(obs_kd *d, const period_key *key, int64_t id, long *index)
{
    char code[PERIOD_CODE_MAX];
    int rc;
    if (d->npers + 1 >= KEY_LIMIT)
        return err_set(ERR_DATA, "too many periods");
    if ((rc = reserve((void **)&d->pers, &d->pcap, d->npers + 1, sizeof *d->pers)) != 0)
        return rc;
    d->pers[d->npers] = (obs_period){ *key, id, 0 };
    period_format(key, code, sizeof code);
    if ((rc = io__map_put(&d->per_code, code, (long)d->npers)) != 0)
        return rc;
    *index = (long)d->npers++;
    return 0;
}

static int obs_begin(io__ctx *c)
{
    obs_kd *d = calloc(1, sizeof *d);
    model_period *ps = NULL;
    size_t nps = 0;
    int rc;
    if (!d)
        return err_set(ERR_NOMEM, "out of memory");
    c->kd = d;
    /* Offset 0 of the notes is the empty note. */
    if ((rc = reserve((void **)&d->notes, &d->ncap, 1, 1)) != 0)
        return rc;
    d->notes[0] = '\0';
    d->nlen = 1;
    if ((rc = io__load_units(c)) != 0 || (rc = io__load_indicators(c)) != 0 ||
        (rc = store_periods(c->s, &ps, &nps)) != 0)
        return rc;
    if (c->nunits >= KEY_LIMIT || c->ninds >= KEY_LIMIT)
        rc = err_set(ERR_DATA, "too many units or indicators for one import");
    /* sized once for every row the text can hold: no rehash or regrowth while reading; a
     * file's rows come grouped, so a table per period of indicator × unit is visited nearly
     * in order, where a hash of a million keys would miss the cache on every row */
    if (rc == 0 && ((uint64_t)c->ninds * c->nunits > DENSE_SEEN_MAX ||
                    (uint64_t)c->ninds * c->nunits > 4 * (uint64_t)c->rows_hint + DENSE_SEEN_SLACK))
        rc = io__keymap_reserve(&d->seen, c->rows_hint);
    else if (rc == 0)
        d->seen_dense = calloc(d->seen_pcap = 64, sizeof *d->seen_dense);
    if (rc == 0 && !d->seen_dense && d->seen.cap == 0)
        rc = err_set(ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = reserve((void **)&d->rows, &d->cap, c->rows_hint, sizeof *d->rows);
    for (size_t i = 0; rc == 0 && i < nps; i++) {
        long ix;
        rc = add_period(d, &ps[i].key, ps[i].id, &ix);
    }
    free(ps);
    return rc;
}

/* The period index of text, parsing it once per distinct spelling; -1 after an error. */
static long resolve_period(io__ctx *c, const char *text)
{
    obs_kd *d = c->kd;
    char code[PERIOD_CODE_MAX], today[16];
    period_key key;
    long ix = io__map_get(&d->per_text, text);
    if (ix >= 0)
        return ix;
    if (period_parse(text, &key) != 0) {
        int lo, hi, range = period_out_of_range(text, &lo, &hi);
        char allowed[32] = "";
        if (range)
            snprintf(allowed, sizeof allowed, "%d..%d", lo, hi);
        io__error(c, OC_PERIOD, range ? IO_PERIOD_RANGE : IO_BAD_PERIOD, text, 0, allowed);
        return -1;
    }
    if (io__period_end(&key) > c->today) {
        snprintf(today, sizeof today, "%04d-%02d-%02d", c->today / 10000, c->today / 100 % 100,
                 c->today % 100);
        io__error(c, OC_PERIOD, IO_PERIOD_RANGE, text, 0, today);
        return -1;
    }
    period_format(&key, code, sizeof code);
    if ((ix = io__map_get(&d->per_code, code)) < 0 && add_period(d, &key, 0, &ix) != 0)
        return -2;
    if (io__map_put(&d->per_text, text, ix) != 0)
        return -2;
    return ix;
}

/* Resolves a code through map, recording reason when it is unknown; -1 when bad. */
static long resolve_code(io__ctx *c, csv_record *rec, int col, const io__map *map, int reason)
{
    const char *t = io__get(c, rec, col);
    long ix;
    if (!t[0]) {
        io__error(c, col, IO_EMPTY_FIELD, NULL, 0, NULL);
        return -1;
    }
    if ((ix = io__map_get(map, t)) < 0)
        io__error(c, col, reason, t, 0, NULL);
    return ix;
}

/* An entry upload (opts.unit / opts.period): rows of another unit or period, or another
 * state than the workflow's, are refused at their column, naming what is accepted. */
static int restrict_row(io__ctx *c, csv_record *rec, long unit_ix, long per, int state)
{
    obs_kd *d = c->kd;
    char code[PERIOD_CODE_MAX];
    int bad = 0;
    if (c->opts.unit && unit_ix >= 0 && strcmp(c->units[unit_ix].code, c->opts.unit) != 0) {
        io__error(c, OC_UNIT, IO_BAD_VALUE, c->units[unit_ix].code, 0, c->opts.unit);
        bad = -1;
    }
    if (c->opts.period && per >= 0) {
        period_format(&d->pers[per].key, code, sizeof code);
        if (strcmp(code, c->opts.period) != 0) {
            io__error(c, OC_PERIOD, IO_BAD_VALUE, io__get(c, rec, OC_PERIOD), 0, c->opts.period);
            bad = -1;
        }
    }
    if ((c->opts.unit || c->opts.period) && state != c->opts.state) {
        io__error(c, OC_STATE, IO_BAD_VALUE, io__get(c, rec, OC_STATE), 0,
                  model_obs_states[c->opts.state].key);
        bad = -1;
    }
    return bad;
}

static int obs_row_read(io__ctx *c, csv_record *rec)
{
    obs_kd *d = c->kd;
    obs_row r;
    const char *t, *note;
    long ind, unit_ix, per = -1, old, noff;
    int state = c->opts.state, bad = 0;
    size_t nlen;

    ind = resolve_code(c, rec, OC_INDICATOR, &c->ind_map, IO_UNKNOWN_INDICATOR);
    unit_ix = resolve_code(c, rec, OC_UNIT, &c->unit_map, IO_UNKNOWN_UNIT);
    if (!*(t = io__get(c, rec, OC_PERIOD)))
        io__error(c, OC_PERIOD, IO_EMPTY_FIELD, NULL, 0, NULL);
    else if ((per = resolve_period(c, t)) == -2)
        return ERR_NOMEM;
    bad |= io__number(c, rec, OC_VALUE, 0, 1, &r.value);
    bad |= io__enum(c, rec, OC_STATE, model_obs_states, OBS_STATE_N, c->opts.state, 0, &state);
    bad |= restrict_row(c, rec, unit_ix, per, state);
    note = io__get(c, rec, OC_NOTE);
    if ((nlen = strlen(note)) >= MODEL_TEXT_MAX) {
        char max[16];
        snprintf(max, sizeof max, "%d", MODEL_TEXT_MAX - 1);
        io__error(c, OC_NOTE, IO_TOO_LONG, note, 0, max);
        bad = -1;
    }
    if (bad || ind < 0 || unit_ix < 0 || per < 0)
        return 0;
    r.ind = (uint32_t)ind;
    r.unit_ix = (uint32_t)unit_ix;
    r.per = (uint32_t)per;
    r.line = c->line;
    r.state = (signed char)state;
    r.outcome = STORE_INSERTED;
    switch (seen_add(c, d, r.ind, r.unit_ix, r.per, (long)d->n, &old)) {
    case 0:
        break;
    case 1: {
        char what[3 * MODEL_CODE_MAX + 8], code[PERIOD_CODE_MAX];
        period_format(&d->pers[r.per].key, code, sizeof code);
        snprintf(what, sizeof what, "%s / %s / %s", c->inds[r.ind].code, c->units[r.unit_ix].code,
                 code);
        io__error(c, -1, IO_DUPLICATE_KEY, what, d->rows[old].line, NULL);
        return 0;
    }
    default:
        return ERR_NOMEM;
    }
    if ((noff = add_note(d, note, nlen)) < 0 ||
        reserve((void **)&d->rows, &d->cap, d->n + 1, sizeof *d->rows) != 0)
        return err_set(ERR_NOMEM, "out of memory");
    r.note = (uint32_t)noff;
    d->rows[d->n++] = r;
    return 0;
}

/* store_observations_each callback: keeps one stored value of an indicator of the file. */
static int keep_old(const model_observation *o, void *arg)
{
    io__ctx *c = arg;
    obs_kd *d = c->kd;
    long ind = io__map_get(&c->ind_map, o->indicator_code);
    long unit_ix = io__map_get(&c->unit_map, o->unit_code);
    long per = io__map_get(&d->per_code, o->period_code);
    long noff;
    int rc;
    if (ind < 0 || !d->used[ind])
        return 0;
    if (unit_ix < 0 || per < 0)
        return err_set(ERR_INTERNAL, "stored observation %s/%s/%s has no unit or period",
                       o->indicator_code, o->unit_code, o->period_code);
    if ((rc = reserve((void **)&d->old, &d->oldcap, d->nold + 1, sizeof *d->old)) != 0)
        return rc;
    if ((noff = add_note(d, o->note, strlen(o->note))) < 0)
        return err_set(ERR_NOMEM, "out of memory");
    d->old[d->nold++] = (obs_old){ (uint32_t)ind, (uint32_t)unit_ix, (uint32_t)per, (uint32_t)noff,
                                   (signed char)o->state, o->value };
    return 0;
}

/* Orders the stored values by indicator (a counting sort) and indexes them by key. */
static int index_old(io__ctx *c)
{
    obs_kd *d = c->kd;
    obs_old *sorted = malloc((d->nold + 1) * sizeof *sorted);
    size_t *fill = calloc(c->ninds + 1, sizeof *fill);
    long dup;
    int rc = 0;
    if (!sorted || !fill) {
        free(sorted);
        free(fill);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < d->nold; i++)
        d->old_count[d->old[i].ind]++;
    for (size_t i = 1; i < c->ninds; i++)
        d->old_start[i] = d->old_start[i - 1] + d->old_count[i - 1];
    memcpy(fill, d->old_start, c->ninds * sizeof *fill);
    for (size_t i = 0; i < d->nold; i++)
        sorted[fill[d->old[i].ind]++] = d->old[i];
    free(fill);
    free(d->old);
    d->old = sorted;
    d->oldcap = d->nold + 1;
    rc = io__keymap_reserve(&d->old_map, d->nold);
    for (size_t i = 0; rc == 0 && i < d->nold; i++) {
        const obs_old *o = &d->old[i];
        rc = io__keymap_add(&d->old_map, obs_key(o->ind, o->unit_ix, o->per), (long)i, &dup);
        rc = rc < 0 ? rc : 0;
    }
    return rc;
}

/* Reads the stored values of the indicators the file names. The store's filter does not
 * narrow its scan, so several indicators are read in one pass rather than one pass each. */
static int load_old(io__ctx *c)
{
    obs_kd *d = c->kd;
    obs_filter f = store_filter_all();
    size_t nused = 0, last = 0;
    int rc;
    d->used = calloc(c->ninds + 1, 1);
    d->old_start = calloc(c->ninds + 1, sizeof *d->old_start);
    d->old_count = calloc(c->ninds + 1, sizeof *d->old_count);
    if (!d->used || !d->old_start || !d->old_count)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < d->n; i++) {
        if (!d->used[d->rows[i].ind]) {
            d->used[d->rows[i].ind] = 1;
            last = d->rows[i].ind;
            nused++;
        }
    }
    if (nused == 0)
        return 0;
    if (nused == 1)
        snprintf(f.indicator_code, sizeof f.indicator_code, "%s", c->inds[last].code);
    if ((rc = store_observations_each(c->s, &f, keep_old, c)) != 0)
        return rc;
    return index_old(c);
}

/* The (unit, period) key of the lock answers. */
static uint64_t lock_key(uint32_t unit_ix, uint32_t per)
{
    return ((uint64_t)(unit_ix + 1) << KEY_BITS) | per;
}

/* The lock state of a unit's figures of a period: the rule's answer (opts.lock_of), asked
 * once per pair; open when no rule is given. */
static int lock_of(io__ctx *c, uint32_t unit_ix, uint32_t per, int *state)
{
    obs_kd *d = c->kd;
    char code[PERIOD_CODE_MAX];
    long known = io__keymap_get(&d->locks, lock_key(unit_ix, per)), dup;
    int rc;
    *state = LOCK_OPEN;
    if (known >= 0) {
        *state = (int)known;
        return 0;
    }
    if (!c->opts.lock_of)
        return 0;
    period_format(&d->pers[per].key, code, sizeof code);
    if ((rc = c->opts.lock_of(c->s, c->units[unit_ix].code, code, state)) != 0)
        return rc;
    rc = io__keymap_add(&d->locks, lock_key(unit_ix, per), *state, &dup);
    return rc < 0 ? rc : 0;
}

/* Decides each row's outcome against the stored value: unchanged, or refused when the
 * stored value is published or the lock rule says the unit's figures of the period are
 * locked. */
static int plan_rows(io__ctx *c)
{
    obs_kd *d = c->kd;
    char text[NUM_TEXT_MAX], code[PERIOD_CODE_MAX];
    int rc, lock;
    for (size_t i = 0; i < d->n; i++) {
        obs_row *r = &d->rows[i];
        const obs_period *p = &d->pers[r->per];
        long o = io__keymap_get(&d->old_map, obs_key(r->ind, r->unit_ix, r->per));
        const obs_old *old = o >= 0 ? &d->old[o] : NULL;
        if (old && old->value == r->value && old->state == r->state &&
            strcmp(d->notes + old->note, d->notes + r->note) == 0) {
            r->outcome = STORE_UNCHANGED;
            continue;
        }
        if (old && old->state == OBS_PUBLISHED) {
            char was[NUM_TEXT_MAX];
            num_format(r->value, text, sizeof text);
            num_format(old->value, was, sizeof was);
            io__error_at(c, r->line, OC_VALUE, IO_PUBLISHED, text, 0, was);
            continue;
        }
        if ((rc = lock_of(c, r->unit_ix, r->per, &lock)) != 0)
            return rc;
        if (lock != LOCK_OPEN) {
            period_format(&p->key, code, sizeof code);
            io__error_at(c, r->line, OC_PERIOD, IO_LOCKED_PERIOD, code, 0,
                         lock == LOCK_APPROVED ? c->units[r->unit_ix].code : NULL);
            continue;
        }
        r->outcome = old ? STORE_CHANGED : STORE_INSERTED;
        d->pers[r->per].used = 1;
    }
    return 0;
}

/* Soft validation of one indicator: its stored values and the file's rows (by index). */
static int validate_indicator(io__ctx *c, size_t ind, const size_t *rows, size_t nrows)
{
    obs_kd *d = c->kd;
    size_t n = 0, nflags = 0, changing = 0;
    validate_point *pts;
    validate_flag *flags = NULL;
    int rc;
    /* Nothing to flag when every row of the indicator is unchanged. */
    for (size_t i = 0; i < nrows && !changing; i++)
        changing = d->rows[rows[i]].outcome != STORE_UNCHANGED;
    if (!changing)
        return 0;
    if (!(pts = malloc((d->old_count[ind] + nrows) * sizeof *pts)))
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = d->old_start[ind]; i < d->old_start[ind] + d->old_count[ind]; i++)
        pts[n++] = (validate_point){ d->old[i].unit_ix, d->pers[d->old[i].per].key, d->old[i].value,
                                     -1 };
    for (size_t i = 0; i < nrows; i++) {
        const obs_row *r = &d->rows[rows[i]];
        pts[n++] = (validate_point){ r->unit_ix, d->pers[r->per].key, r->value, (long)rows[i] };
    }
    rc = validate_points(c->inds[ind].value_kind, pts, n, NULL, &flags, &nflags);
    free(pts);
    /* An unchanged value was checked when it was first written. */
    for (size_t i = 0; rc == 0 && i < nflags; i++) {
        if (d->rows[flags[i].row].outcome == STORE_UNCHANGED)
            continue;
        if ((rc = reserve((void **)&d->flags, &d->flagcap, d->nflags + 1, sizeof *d->flags)) == 0)
            d->flags[d->nflags++] = flags[i];
    }
    free(flags);
    return rc;
}

/* Groups the rows by indicator (a counting sort) and validates each indicator once. */
static int validate_all(io__ctx *c)
{
    obs_kd *d = c->kd;
    size_t *start = calloc(c->ninds + 1, sizeof *start);
    size_t *fill = malloc((c->ninds + 1) * sizeof *fill);
    size_t *order = malloc(d->n * sizeof *order);
    int rc = 0;
    if (!start || !fill || !order) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < d->n; i++)
        start[d->rows[i].ind + 1]++;
    for (size_t i = 1; i <= c->ninds; i++)
        start[i] += start[i - 1];
    memcpy(fill, start, (c->ninds + 1) * sizeof *fill);
    for (size_t i = 0; i < d->n; i++)
        order[fill[d->rows[i].ind]++] = i;
    for (size_t ind = 0; rc == 0 && ind < c->ninds; ind++) {
        if (start[ind + 1] > start[ind])
            rc = validate_indicator(c, ind, order + start[ind], start[ind + 1] - start[ind]);
    }
done:
    free(start);
    free(fill);
    free(order);
    return rc;
}

static int obs_check(io__ctx *c)
{
    obs_kd *d = c->kd;
    int rc;
    if ((rc = load_old(c)) != 0 || (rc = plan_rows(c)) != 0)
        return rc;
    if (c->rep->nerrors_total > 0 || d->n == 0)
        return 0;
    return validate_all(c);
}

/* Fills the ids, value, state and note of row r into o. */
static void fill_obs(io__ctx *c, const obs_row *r, model_observation *o)
{
    obs_kd *d = c->kd;
    const char *note = d->notes + r->note;
    o->indicator_id = c->inds[r->ind].id;
    o->unit_id = c->units[r->unit_ix].id;
    o->period_id = d->pers[r->per].id;
    o->value = r->value;
    o->state = r->state;
    memcpy(o->note, note, strlen(note) + 1);
}

/* A write the store refused as published or locked (a concurrent publication or lock; rc
 * says which): a row error. */
static void locked_row(io__ctx *c, const obs_row *r, int rc)
{
    obs_kd *d = c->kd;
    char text[NUM_TEXT_MAX], code[PERIOD_CODE_MAX];
    if (rc == ERR_PUBLISHED) {
        num_format(r->value, text, sizeof text);
        io__error_at(c, r->line, OC_VALUE, IO_PUBLISHED, text, 0, NULL);
    } else {
        period_format(&d->pers[r->per].key, code, sizeof code);
        io__error_at(c, r->line, OC_PERIOD, IO_LOCKED_PERIOD, code, 0, NULL);
    }
}

static int write_flags(io__ctx *c, model_observation *o)
{
    obs_kd *d = c->kd;
    char msg[MODEL_TEXT_MAX];
    int rc;
    for (size_t i = 0; i < d->nflags; i++) {
        const validate_flag *f = &d->flags[i];
        fill_obs(c, &d->rows[f->row], o);
        validate_message(f, 0, msg, sizeof msg);
        if ((rc = store_flag_add(c->s, o, validate_rule_key(f->rule), msg)) != 0)
            return rc;
        c->rep->flagged++;
        if (c->rep->nflags < IO_MAX_FLAGS) {
            io_flag *kept = &c->rep->flags[c->rep->nflags++];
            kept->line = d->rows[f->row].line;
            snprintf(kept->indicator_code, sizeof kept->indicator_code, "%s",
                     c->inds[d->rows[f->row].ind].code);
            kept->f = *f;
        }
    }
    return 0;
}

/* Writes the rows: new ones go to the store in bulk (it writes them in its own best order);
 * changed ones go one by one so that each keeps its earlier version. */
static int obs_write(io__ctx *c)
{
    obs_kd *d = c->kd;
    model_observation *o = calloc(1, sizeof *o);
    uint32_t *order = malloc((d->n ? d->n : 1) * sizeof *order);
    obs_new *fresh = malloc((d->n ? d->n : 1) * sizeof *fresh);
    const char *actor = c->opts.actor ? c->opts.actor : "";
    size_t nwrite = 0, nfresh = 0;
    enum store_put_result result;
    int rc = 0;
    if (!o || !order || !fresh) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; rc == 0 && i < d->npers; i++) {
        if (d->pers[i].used && d->pers[i].id == 0)
            rc = store_period_ensure(c->s, &d->pers[i].key, &d->pers[i].id);
    }
    for (size_t i = 0; i < d->n; i++) {
        if (d->rows[i].outcome == STORE_UNCHANGED)
            io__count(c, STORE_UNCHANGED);
        else
            order[nwrite++] = (uint32_t)i;
    }
    for (size_t k = 0; rc == 0 && k < nwrite; k++) {
        const obs_row *r = &d->rows[order[k]];
        fill_obs(c, r, o);
        if (r->outcome == STORE_INSERTED) {
            obs_new *f = &fresh[nfresh++];
            f->indicator_id = o->indicator_id;
            f->period_id = o->period_id;
            f->unit_id = o->unit_id;
            f->value = r->value;
            f->state = r->state;
            f->note = d->notes + r->note;
            continue;
        }
        rc = store_observation_put(c->s, o, actor, &result);
        if (rc == ERR_LOCKED || rc == ERR_PUBLISHED) {
            locked_row(c, r, rc);
            rc = 0;
        } else if (rc == 0) {
            io__count(c, result);
        }
    }
    if (rc == 0 && nfresh > 0 && (rc = store_observations_insert(c->s, fresh, nfresh, actor)) == 0) {
        for (size_t k = 0; k < nfresh; k++)
            io__count(c, STORE_INSERTED);
    }
    if (rc == 0 && c->rep->nerrors_total == 0)
        rc = write_flags(c, o);
done:
    free(fresh);
    free(order);
    free(o);
    return rc;
}

static void obs_release(io__ctx *c)
{
    obs_kd *d = c->kd;
    free(d->rows);
    free(d->notes);
    free(d->pers);
    io__map_free(&d->per_code);
    io__map_free(&d->per_text);
    io__keymap_free(&d->seen);
    for (size_t p = 0; d->seen_dense && p < d->seen_pcap; p++)
        free(d->seen_dense[p]);
    free(d->seen_dense);
    free(d->old);
    io__keymap_free(&d->old_map);
    io__keymap_free(&d->locks);
    free(d->old_start);
    free(d->old_count);
    free(d->used);
    free(d->flags);
}

const io__kind io__observations_kind = {
    "observations", obs_cols, OC_N, obs_begin, obs_row_read, obs_check, obs_write, obs_release, 1,
};

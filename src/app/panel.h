/* panel: one indicator's monthly values for the members of a group, read through the store
 * interface and laid out as the engine's panel (engine/analyze.h), with the units, the
 * reference unit (参照) and the targets of the analysed year. Works with any back end. */
#ifndef SAIMA_APP_PANEL_H
#define SAIMA_APP_PANEL_H

#include "engine/analyze.h"
#include "store/store.h"
#include "util/idmap.h"

/* Years of history a panel holds before the analysed year (for movement, growth and the
 * seasonal forecast). */
#define APP_PANEL_HISTORY_YEARS 2
/* Months a panel spans: the history years and the analysed year. */
#define APP_PANEL_MONTHS ((APP_PANEL_HISTORY_YEARS + 1) * 12)

/* A group's members read once and shared by the panels of many indicators: the units in the
 * group's order, the reference unit, and each unit's place found by its id. */
typedef struct app_members {
    model_unit *units;
    size_t n;
    model_unit reference;              /* valid when has_reference */
    int has_reference;
    idmap ids;                         /* unit id → index in units */
} app_members;

/* Reads the members of a group; the reference is their common parent when it is a reference
 * unit. *out is zeroed first; release with app_members_free. Returns 0, ERR_NOTFOUND for an
 * unknown group, ERR_NOMEM. */
int app_members_load(store *s, const char *group_code, app_members *out);

/* Releases the members; a zeroed struct is fine. */
void app_members_free(app_members *m);

typedef struct app_panel {
    engine_panel p;              /* points into the arrays below */
    model_indicator ind;
    const model_unit *units;     /* the group's members, in the group's order (of members) */
    size_t nunits;
    model_unit reference;        /* valid when has_reference */
    int has_reference;
    int year;                    /* the analysed year: the panel's last */
    double *value, *ref, *target;
    unsigned char *present, *ref_present, *target_present;
    app_members *own;            /* the members when the panel read them itself, else NULL */
    struct app_panel_block *block; /* holds the arrays above, shared by the panels of a batch
                                    read together; released with the last of them */
} app_panel;

/* Loads months January of year − APP_PANEL_HISTORY_YEARS to December of year for the members
 * of a group, reading only published values when published_only is nonzero (what a reader who
 * may not see unpublished figures is shown); targets are read either way. *out is zeroed
 * first; release it with app_panel_free. Returns 0, ERR_NOTFOUND for an unknown group or
 * indicator, ERR_NOMEM. */
int app_panel_load_visible(store *s, const char *group_code, const char *indicator_code,
                           int year, int published_only, app_panel *out);

/* The panel of the analysis at month, holding only the months an analysis reads
 * (engine/analyze.h): the month and the one before it, and the same month and December of each
 * earlier year; the other months are absent. Reads a few keyed months, not the history. The
 * members are m's (borrowed: they must outlive the panel), or read for the panel when m is
 * NULL (then group_code names the group). */
int app_panel_load_at(store *s, const app_members *m, const char *group_code, const char *indicator_code,
                      const period_key *month, int published_only, app_panel *out);

/* The panels of n indicators at month for m's members, as app_panel_load_at gives each, read
 * together: one store read per run of months and one for the targets, whatever n is. out
 * has n panels (zeroed first; release each with app_panel_free). */
int app_panels_load_at(store *s, const app_members *m, const model_indicator *inds, size_t n,
                       const period_key *month, int published_only, app_panel *out);

/* The month index of a month period in a panel, or -1 when it falls outside. */
long app_panel_month(const app_panel *sp, const period_key *month);

/* Releases the panel's arrays; a zeroed panel is fine. */
void app_panel_free(app_panel *sp);

#endif

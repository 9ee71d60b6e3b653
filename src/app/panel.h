/* panel: one indicator's monthly values for the members of a group, read through the store
 * interface and laid out as the engine's panel (engine/analyze.h), with the units, the
 * reference unit (参照) and the targets of the analysed year. Works with any back end. */
#ifndef SAIMA_APP_PANEL_H
#define SAIMA_APP_PANEL_H

#include "engine/analyze.h"
#include "store/store.h"

/* Years of history a panel holds before the analysed year (for movement, growth and the
 * seasonal forecast). */
#define APP_PANEL_HISTORY_YEARS 2

typedef struct app_panel {
    engine_panel p;              /* points into the arrays below */
    model_indicator ind;
    model_unit *units;                 /* the group's members, in the group's order */
    size_t nunits;
    model_unit reference;              /* valid when has_reference */
    int has_reference;
    int year;                    /* the analysed year: the panel's last */
    double *value, *ref, *target;
    unsigned char *present, *ref_present, *target_present;
} app_panel;

/* Loads months January of year − APP_PANEL_HISTORY_YEARS to December of year. The reference
 * is the members' common parent when it is a reference unit. *out is zeroed first; release it
 * with app_panel_free. Returns 0, ERR_NOTFOUND for an unknown group or indicator, ERR_NOMEM. */
int app_panel_load(store *s, const char *group_code, const char *indicator_code, int year,
                     app_panel *out);

/* The same, reading only published values when published_only is nonzero (what a reader who
 * may not see unpublished figures is shown); targets are read either way. */
int app_panel_load_visible(store *s, const char *group_code, const char *indicator_code,
                             int year, int published_only, app_panel *out);

/* The month index of a month period in a panel, or -1 when it falls outside. */
long app_panel_month(const app_panel *sp, const period_key *month);

/* Releases the panel's arrays; a zeroed panel is fine. */
void app_panel_free(app_panel *sp);

#endif

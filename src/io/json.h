/* json: every entity of the store (store/model.h) as a JSON object (jansson), the one
 * representation the CLI's --json output and the server's API share. Each returns a new
 * object (the caller's) or NULL when out of memory. Enumerations are their English keys. */
#ifndef SAIMA_JSON_H
#define SAIMA_JSON_H

#include "store/model.h"

#include <jansson.h>

json_t *io_json_unit(const unit *u);
json_t *io_json_group(const group *g);
json_t *io_json_indicator(const indicator *i);
json_t *io_json_scheme(const scheme *sc);
json_t *io_json_scheme_item(const scheme_item *it);
json_t *io_json_period(const period *p);
json_t *io_json_target(const target *t);
json_t *io_json_observation(const observation *o);
json_t *io_json_flag(const obs_flag *f);
/* An account without its password hash. */
json_t *io_json_user(const user *u);
json_t *io_json_audit(const audit_entry *a);

#endif

/* json: every entity of the store (model/model.h) as a JSON object (jansson), the one
 * representation the CLI's --json output and the server's API share. Each returns a new
 * object (the caller's) or NULL when out of memory. Enumerations are their English keys. */
#ifndef SAIMA_JSON_H
#define SAIMA_JSON_H

#include "model/model.h"

#include <jansson.h>

json_t *io_json_unit(const model_unit *u);
json_t *io_json_group(const model_group *g);
json_t *io_json_indicator(const model_indicator *i);
json_t *io_json_scheme(const model_scheme *sc);
json_t *io_json_scheme_item(const model_scheme_item *it);
json_t *io_json_period(const model_period *p);
json_t *io_json_target(const model_target *t);
json_t *io_json_observation(const model_observation *o);
json_t *io_json_flag(const model_obs_flag *f);
/* An account without its password hash. */
json_t *io_json_user(const model_user *u);
json_t *io_json_audit(const model_audit_entry *a);

#endif

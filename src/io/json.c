/* json: every entity of the store as a JSON object, the one representation the CLI's --json
 * and the server's API share (a user never carries its password hash). */
#include "io/json.h"

json_t *io_json_unit(const model_unit *u)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:b, s:i}", "code", u->code, "name", u->name,
                     "name_en", u->name_en, "kind", model_unit_kinds[u->kind].key, "parent",
                     u->parent_code[0] ? u->parent_code : NULL, "is_self", u->is_self, "sort",
                     u->sort_order);
}

json_t *io_json_group(const model_group *g)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", g->code, "name", g->name, "name_en",
                     g->name_en, "kind", model_group_kinds[g->kind].key, "description", g->description);
}

json_t *io_json_indicator(const model_indicator *i)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:f, s:s}", "code",
                          i->code, "name", i->name, "name_en", i->name_en, "measure", i->measure,
                          "definition", i->definition, "source", i->source, "direction",
                          model_directions[i->direction].key, "value_kind",
                          model_value_kinds[i->value_kind].key, "category",
                          model_categories[i->category].key, "precision", i->precision, "weight",
                          i->weight, "method", model_methods[i->method].key);
    json_t *more = json_pack("{s:s?, s:s, s:s, s:b, s:b}", "lead_unit",
                             i->lead_unit[0] ? i->lead_unit : NULL, "coop_units", i->coop_units,
                             "leader", i->leader, "bonus", i->is_bonus, "veto", i->is_veto);
    if (!o || !more || json_object_update(o, more) != 0) {
        json_decref(o);
        o = NULL;
    }
    json_decref(more);
    return o;
}

json_t *io_json_scheme(const model_scheme *sc)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:s, s:s, s:s}", "code", sc->code, "name",
                     sc->name, "name_en", sc->name_en, "group", sc->group_code, "period_kind",
                     period_kind_name(sc->period_kind), "total_weight", sc->total_weight, "grading",
                     sc->grading, "settings", sc->settings, "description", sc->description);
}

json_t *io_json_scheme_item(const model_scheme_item *it)
{
    return json_pack("{s:s, s:f, s:s, s:s}", "indicator", it->indicator_code, "weight", it->weight,
                     "method", model_methods[it->method].key, "params", it->params);
}

json_t *io_json_period(const model_period *p)
{
    return json_pack("{s:s, s:s, s:i, s:i, s:b, s:s}", "code", p->code, "kind",
                     period_kind_name(p->key.kind), "year", p->key.year, "seq", p->key.seq, "locked",
                     p->locked, "deadline", p->deadline);
}

json_t *io_json_target(const model_target *t)
{
    return json_pack("{s:s, s:s, s:i, s:f, s:s}", "indicator", t->indicator_code, "unit",
                     t->unit_code, "year", t->year, "value", t->value, "note", t->note);
}

json_t *io_json_observation(const model_observation *o)
{
    return json_pack("{s:s, s:s, s:s, s:f, s:s, s:s, s:s, s:s, s:i}", "indicator", o->indicator_code,
                     "unit", o->unit_code, "period", o->period_code, "value", o->value, "state",
                     model_obs_states[o->state].key, "note", o->note, "entered_by", o->entered_by,
                     "entered_at", o->entered_at, "revision", o->revision);
}

json_t *io_json_flag(const model_obs_flag *f)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:f, s:s, s:s, s:s}", "id", (json_int_t)f->id,
                     "indicator", f->indicator_code, "unit", f->unit_code, "period", f->period_code,
                     "rule", f->rule, "value", f->value, "message", f->message, "status", f->status,
                     "created_at", f->created_at);
}

json_t *io_json_user(const model_user *u)
{
    return json_pack("{s:s, s:s, s:s, s:s?, s:b, s:s}", "login", u->login, "name", u->display_name,
                     "role", model_roles[u->role].key, "unit", u->unit_code[0] ? u->unit_code : NULL,
                     "disabled", u->disabled, "created_at", u->created_at);
}

json_t *io_json_audit(const model_audit_entry *a)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)a->id, "at", a->at, "actor",
                     a->actor, "action", a->action, "entity", a->entity, "detail", a->detail);
}


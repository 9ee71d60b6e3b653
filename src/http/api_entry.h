/* api_entry: the entry and approval endpoints (docs/api.md "Entry and approval") and the JSON
 * of submissions they answer with, shared with `saima submissions` (cli/cmd_entry.c). */
#ifndef SAIMA_HTTP_API_ENTRY_H
#define SAIMA_HTTP_API_ENTRY_H

#include "store/store.h"

#include <jansson.h>
#include <stddef.h>

/* The latest month on record as a period code, ERR_NOTFOUND when there is none. */
int http_entry_default_period(store *s, char *buf, size_t size);

/* {"period","deadline","items":[...]}: every reporting unit of the period, or only
 * only_unit's (NULL for all; a unit that does not report gives no items). now: ISO UTC. */
int http_entry_list_json(store *s, const char *pcode, const char *only_unit, const char *now,
                         json_t **out);

/* One submission with its history and its items (owed indicators with value, previous
 * period's value and note). ERR_NOTFOUND when the unit does not report for the period. */
int http_entry_detail_json(store *s, const char *unit_code, const char *pcode, const char *now,
                           json_t **out);

/* 催报: {"period","deadline","missing":[...],"late":[...]}. */
int http_entry_reminders_json(store *s, const char *pcode, const char *now, json_t **out);

/* Soft-validation and precision warnings on a unit's figures of a period:
 * [{"indicator","rule","message","message_en"}]. */
int http_entry_warnings_json(store *s, const char *unit_code, const char *pcode, json_t **out);

#endif

/*
 * toxic.c — see toxic.h.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "toxic.h"

static const char *const tx_names[TX_NTYPES] = { "latency", "bandwidth",
    "slicer", "limit_data", "timeout", "reset_peer", "slow_close", "down" };

const char *
toxic_type_name(enum toxic_type t)
{
	return tx_names[t];
}

int
toxic_type_parse(const char *s, enum toxic_type *t)
{
	for (int i = 0; i < TX_NTYPES; i++)
		if (strcmp(tx_names[i], s) == 0) {
			*t = (enum toxic_type)i;
			return 0;
		}
	return -1;
}

json_t *
toxic_json(const struct toxic *t)
{
	return json_pack("{s:s,s:s,s:s,s:f,s:I,s:I,s:I,s:I,s:I,s:I}", "id", t->id,
	    "type", tx_names[t->type], "direction", t->dirs == (TX_UP |
	    TX_DOWNSTREAM) ? "both" : t->dirs == TX_UP ? "up" : "down",
	    "toxicity", t->toxicity, "latency_ms", (json_int_t)t->latency_ms,
	    "jitter_ms", (json_int_t)t->jitter_ms, "rate", (json_int_t)t->rate,
	    "timeout_ms", (json_int_t)t->timeout_ms, "bytes",
	    (json_int_t)t->bytes, "delay_ms", (json_int_t)t->delay_ms);
}

/*
 * A field of a toxic from the control socket, range-checked where it
 * enters (the socket is a way in, like a drill file): absent is 0, and a
 * value must be an integer within lo..hi — an INT64_MAX latency must never
 * reach the arithmetic that schedules data.
 */
static int
jint(const json_t *j, const char *key, int64_t hi, int64_t *out,
    struct sd_err *e)
{
	const json_t *v = json_object_get(j, key);

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > hi)
		return err_set(e, "%s: an integer from 0 to %lld", key,
		    (long long)hi);
	*out = json_integer_value(v);
	return 0;
}

#define HOUR_MS (3600LL * 1000)

int
toxic_from_json(const json_t *j, struct toxic *t, struct sd_err *e)
{
	const char *id = json_string_value(json_object_get(j, "id"));
	const char *type = json_string_value(json_object_get(j, "type"));
	const char *dir = json_string_value(json_object_get(j, "direction"));
	json_t *tox = json_object_get(j, "toxicity");

	memset(t, 0, sizeof *t);
	if (id == NULL || *id == '\0' || strlen(id) >= sizeof t->id)
		return err_set(e, "a toxic needs an id");
	if (type == NULL || toxic_type_parse(type, &t->type) == -1)
		return err_set(e, "unknown toxic type '%.20s'", type ? type : "");
	snprintf(t->id, sizeof t->id, "%s", id);
	t->dirs = dir == NULL || strcmp(dir, "down") == 0 ? TX_DOWNSTREAM :
	    strcmp(dir, "up") == 0 ? TX_UP : strcmp(dir, "both") == 0 ?
	    TX_UP | TX_DOWNSTREAM : 0;
	if (t->dirs == 0)
		return err_set(e, "direction: up, down or both");
	if (tox != NULL && !json_is_number(tox))
		return err_set(e, "toxicity: a number from 0 to 1");
	t->toxicity = tox ? json_number_value(tox) : 1;
	if (!(t->toxicity >= 0 && t->toxicity <= 1))
		return err_set(e, "toxicity: from 0 to 1");
	/* the bounds a drill's own keys have (drills/proxy.c) */
	if (jint(j, "latency_ms", HOUR_MS, &t->latency_ms, e) == -1 ||
	    jint(j, "jitter_ms", HOUR_MS, &t->jitter_ms, e) == -1 ||
	    jint(j, "rate", 1LL << 40, &t->rate, e) == -1 ||
	    jint(j, "timeout_ms", 24 * HOUR_MS, &t->timeout_ms, e) == -1 ||
	    jint(j, "bytes", 1LL << 50, &t->bytes, e) == -1 ||
	    jint(j, "delay_ms", HOUR_MS, &t->delay_ms, e) == -1)
		return -1;
	if (t->type == TX_BANDWIDTH && t->rate <= 0)
		return err_set(e, "bandwidth needs a rate");
	if ((t->type == TX_SLICER || t->type == TX_LIMIT_DATA) && t->bytes <= 0)
		return err_set(e, "%s needs bytes", type);
	return 0;
}

/*
 * dispatch.c — see dispatch.h.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"

#define DEFAULT_TIMEOUT_MS 30000
#define MAX_TIMEOUT_MS (30 * 60 * 1000)

/* The table a lookup goes through: the shipped kinds unless one is given. */
static const struct fault_kind *const *
table(const struct fault_kind *const *kinds)
{
	return kinds != NULL ? kinds : fault_kinds;
}

const struct fault_kind *
dispatch_kind_named(const char *name)
{
	for (const struct fault_kind *const *k = fault_kinds; *k; k++)
		if (strcmp((*k)->name, name) == 0)
			return *k;
	return NULL;
}

static const struct fault_verb *
verb_of(const struct fault_kind *k, const char *name)
{
	for (const struct fault_verb *v = k->verbs; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

size_t
dispatch_verb_names(const struct fault_kind *const *kinds, const char **out,
    size_t max)
{
	size_t n = 0;

	for (const struct fault_kind *const *k = table(kinds); *k; k++)
		for (const struct fault_verb *v = (*k)->verbs; v->name; v++) {
			int seen = 0;
			for (size_t i = 0; i < n; i++)
				seen |= strcmp(out[i], v->name) == 0;
			if (!seen && n < max)
				out[n++] = v->name;
		}
	return n;
}

const struct fault_verb *
dispatch_verb_info(const char *name, int *on, const char *const **own)
{
	const struct fault_verb *found = NULL;

	*on = 0;
	*own = NULL;
	for (const struct fault_kind *const *k = fault_kinds; *k; k++)
		for (const struct fault_verb *v = (*k)->verbs; v->name; v++)
			if (strcmp(v->name, name) == 0) {
				found = found ? found : v;
				*on |= (*k)->on != 0;
				if ((*k)->on == 0)
					*own = (*k)->keys;
			}
	return found;
}

/* Is word one of the space-separated words of list? */
static int
in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p != NULL && *p; ) {
		size_t len = strcspn(p, " ");
		if (len == n && strncmp(p, word, n) == 0)
			return 1;
		p += len;
		while (*p == ' ')
			p++;
	}
	return 0;
}

int
dispatch_undoes(const struct fault *by, const struct fault *f)
{
	return by->kind == f->kind && f->verb->lasting &&
	    strcmp(by->target, f->target) == 0 &&
	    in_list(by->verb->undoes, f->verb->name);
}

size_t
dispatch_endpoints(const struct fault *f, struct fault_endpoint *out)
{
	return f->kind->endpoints ? f->kind->endpoints(f, out) : 0;
}

int
dispatch_preflight(const struct fault *f, struct sd_err *e)
{
	return f->kind->preflight ? f->kind->preflight(f, e) : 0;
}

/* The service a step names: "stop: redis" or "stop: { service: redis }". */
static const struct svc *
named_service(const struct yctx *y, const struct ynode *key,
    const struct ynode *value, fault_svc_fn find, const void *arg)
{
	const struct ynode *name = value;
	const struct svc *sv;

	if (value->type == Y_MAP &&
	    (name = ynode_get(value, "service")) == NULL)
		return yerr(y, value, "%s: needs service:", key->value), NULL;
	if (name->type != Y_SCALAR)
		return yerr(y, name, "%s: takes a service name", key->value), NULL;
	if ((sv = find(arg, name->value)) == NULL)
		return yerr(y, name, "no service named '%s'", name->value), NULL;
	return sv;
}

/* The kind for verb on sv (NULL: a kind that acts on no service). */
static const struct fault_kind *
kind_for(const struct fault_kind *const *kinds, const char *verb,
    const struct svc *sv)
{
	for (const struct fault_kind *const *k = table(kinds); *k; k++) {
		if (verb_of(*k, verb) == NULL)
			continue;
		if (sv == NULL ? (*k)->on == 0 : ((*k)->on & sv->kind) != 0)
			return *k;
	}
	return NULL;
}

/* "redis or postgres": the service kinds that have this verb. */
static void
kinds_with(const struct fault_kind *const *kinds, const char *verb, char *buf,
    size_t len)
{
	unsigned on = 0;
	size_t n = 0;

	for (const struct fault_kind *const *k = table(kinds); *k; k++)
		if (verb_of(*k, verb) != NULL)
			on |= (*k)->on;
	buf[0] = '\0';
	for (unsigned bit = 1; bit <= SVC_POSTGRES; bit <<= 1)
		if (on & bit)
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s",
			    n ? " or " : "", svc_kind_name((enum svc_kind)bit));
}

int
dispatch_parse_step(const struct fault_kind *const *kinds,
    const struct yctx *y, const struct ynode *key, const struct ynode *value,
    fault_svc_fn find, const void *arg, int64_t step_timeout_ms,
    struct fault **out)
{
	const struct fault_kind *k = kind_for(kinds, key->value, NULL);
	const struct svc *sv = NULL;
	const struct ynode *args = value->type == Y_MAP ? value : NULL;
	struct fault_parse p = { y, key, args, value };
	struct fault *f;
	char what[64];

	*out = NULL;
	if (k != NULL && args != NULL && ynode_get(args, "service") != NULL &&
	    (sv = named_service(y, key, value, find, arg)) == NULL)
		return -1;	/* a service it aims at */
	if (k == NULL) {
		if ((sv = named_service(y, key, value, find, arg)) == NULL)
			return -1;
		if ((k = kind_for(kinds, key->value, sv)) == NULL) {
			kinds_with(kinds, key->value, what, sizeof what);
			return yerr(y, key, "%s needs a service of kind %s; '%s' is"
			    " a %s service", key->value, what, sv->name,
			    svc_kind_name(sv->kind));
		}
	}
	snprintf(what, sizeof what, "a %s step", key->value);
	if (args != NULL && ykeys(y, args, k->keys, what) == -1)
		return -1;
	f = xcalloc(1, sizeof *f);
	*out = f;
	f->kind = k;
	f->verb = verb_of(k, key->value);
	f->svc = sv;
	f->target = xstrdup(sv && k->on ? sv->name : key->value);
	f->line = key->line;
	f->col = key->col;
	f->timeout_ms = step_timeout_ms > 0 ? step_timeout_ms : sv ?
	    sv->timeout_ms : DEFAULT_TIMEOUT_MS;
	if (args != NULL && ydur(y, args, "timeout", &f->timeout_ms, 1,
	    MAX_TIMEOUT_MS) == -1)
		return -1;
	if (k->parse(&p, f) == -1)
		return -1;
	if (k->check != NULL && k->check(f, y) == -1)
		return -1;
	return 0;
}

void
dispatch_free(const struct fault *f)
{
	if (f == NULL)
		return;
	if (f->kind != NULL && f->kind->free != NULL && f->opts != NULL)
		f->kind->free(f->opts);
	free(f->target);
	/* the one place a fault stops being const: its owner lets it go */
	free((void *)(uintptr_t)f);
}

json_t *
dispatch_prepare(const struct fault *f, const struct fault_env *env,
    struct sd_err *e)
{
	json_t *rec = f->kind->prepare(f, env, e);

	if (rec == NULL)
		return NULL;
	json_object_set_new(rec, "kind", json_string(f->kind->name));
	json_object_set_new(rec, "verb", json_string(f->verb->name));
	json_object_set_new(rec, "target", json_string(f->target));
	return rec;
}

static const struct fault_kind *
kind_of_record(const json_t *rec, struct sd_err *e)
{
	const struct fault_kind *k;
	const char *name = NULL;

	if (fault_rec_str(rec, "kind", &name, e) == -1)
		return NULL;
	if ((k = dispatch_kind_named(name)) == NULL)
		return err_set(e, "unknown fault kind '%.40s' in the record", name),
		    NULL;
	return k;
}

int
dispatch_revert_record(const json_t *rec, const struct fault_env *env,
    char **note, struct sd_err *e)
{
	const struct fault_kind *k = kind_of_record(rec, e);

	if (k == NULL)
		return FAULT_FINAL;
	return k->revert(rec, NULL, env, note, e);
}

int
dispatch_in_effect_record(const json_t *rec, const struct fault_env *env)
{
	struct sd_err e;
	const struct fault_kind *k = kind_of_record(rec, &e);

	if (k == NULL || k->in_effect == NULL)
		return -1;
	return k->in_effect(rec, env);
}


const char *
dispatch_kind_name(const struct fault *f)
{
	return f->kind->name;
}

char *
dispatch_describe(const struct fault *f, int revert)
{
	return f->kind->describe(f, revert);
}

char *
dispatch_raw(const struct fault *f)
{
	return f->kind->raw != NULL ? f->kind->raw(f) : NULL;
}

char *
dispatch_proves(const struct fault *f)
{
	return f->kind->proves != NULL ? f->kind->proves(f) : NULL;
}

int
dispatch_apply(const struct fault *f, json_t *rec, void **state,
    const struct fault_env *env, char **note, struct sd_err *e)
{
	return f->kind->apply(f, rec, state, env, note, e);
}

int
dispatch_revert(const struct fault *f, const json_t *rec, void *state,
    const struct fault_env *env, char **note, struct sd_err *e)
{
	return f->kind->revert(rec, state, env, note, e);
}

int
dispatch_confirm(const struct fault *f, const json_t *rec, void *state,
    enum fault_phase ph, const struct fault_env *env, struct fault_check *c)
{
	if (f->kind->confirm == NULL)
		return 0;
	f->kind->confirm(rec, state, ph, env, c);
	return 1;
}

void
dispatch_free_state(const struct fault *f, void *state)
{
	if (state != NULL && f->kind->free_state != NULL)
		f->kind->free_state(state);
}

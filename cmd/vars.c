/*
 * vars.c — `shakedown vars [--vars FILE]... [--var KEY=VALUE]... SCENARIO...`:
 * every variable the drills read, with its default, its value now and
 * where that came from (a profile file and line, --var, the environment),
 * secrets masked; then, per drill, what is off (when:) and why. What a
 * team checks before it points the shipped drills at its own service.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/base/redact.h"
#include "../lib/model/scenario.h"
#include "../lib/base/ynode.h"
#include "cmd.h"

/* A drill's own default for a variable (the first reference in it). */
struct vdef {
	char *drill;
	char *def;		/* NULL: none */
	int colon;
};

struct var {
	char *name;
	struct vdef *d;		/* one per drill that reads it */
	size_t nd, capd;
};

struct vtab {
	struct var *v;
	size_t n, cap;
	const char *drill;	/* the one being read */
};

static struct var *
find(struct vtab *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->n; i++)
		if (strlen(t->v[i].name) == len &&
		    strncmp(t->v[i].name, name, len) == 0)
			return &t->v[i];
	t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof *t->v);
	memset(&t->v[t->n], 0, sizeof t->v[t->n]);
	t->v[t->n].name = xstrndup(name, len);
	return &t->v[t->n++];
}

static void
one_ref(void *arg, const struct var_ref *r)
{
	struct vtab *t = arg;
	struct var *v = find(t, r->name, r->name_len);
	struct vdef *d = NULL;

	for (size_t i = 0; i < v->nd && d == NULL; i++)
		if (strcmp(v->d[i].drill, t->drill) == 0)
			d = &v->d[i];
	if (d == NULL) {
		v->d = xgrow(v->d, &v->capd, v->nd + 1, sizeof *v->d);
		d = &v->d[v->nd++];
		memset(d, 0, sizeof *d);
		d->drill = xstrdup(t->drill);
	}
	if (r->has_default && d->def == NULL) {
		d->colon = r->colon;
		d->def = xstrndup(r->def, r->def_len);
	}
}

/* The value as it may be shown: a secret's masked, passwords hidden. */
static char *
shown(const char *name, const char *val)
{
	if (val == NULL)
		return xstrdup("(unset)");
	if (*val == '\0')
		return xstrdup("(set empty)");
	if (redact_secret_name(name, strlen(name)))
		return xstrdup("***");
	return redact_url(val);
}

/* Do all the drills that read v give it the same default? */
static int
one_default(const struct var *v)
{
	for (size_t i = 1; i < v->nd; i++)
		if ((v->d[i].def == NULL) != (v->d[0].def == NULL) ||
		    (v->d[i].def && strcmp(v->d[i].def, v->d[0].def) != 0) ||
		    v->d[i].colon != v->d[0].colon)
			return 0;
	return 1;
}

static const char *
def_how(const struct vdef *d)
{
	return d->def == NULL ? "" : d->colon ? " (used when unset or empty)" :
	    " (used when unset; set empty, what it feeds is off)";
}

static void
print_var(const struct var *v)
{
	const char *val = getenv(v->name), *from = vars_from(&cmd_vars, v->name);
	char *s = shown(v->name, val);

	cmd_out("%s\n  value: %s%s%s%s\n", v->name, s, from ? " (from " : "",
	    from ? from : "", from ? ")" : "");
	free(s);
	if (one_default(v)) {
		char *d = v->d[0].def ? shown(v->name, v->d[0].def) : NULL;
		cmd_out("  default: %s%s\n", d ? d : "(none: it must be set)",
		    def_how(&v->d[0]));
		free(d);
	} else {
		/* each drill's own: one line would be wrong for the others */
		cmd_out("  default: differs by drill\n");
		for (size_t i = 0; i < v->nd; i++) {
			char *d = v->d[i].def ? shown(v->name, v->d[i].def) : NULL;
			cmd_out("    %s: %s%s\n", v->d[i].drill, d ? d :
			    "(none: it must be set)", def_how(&v->d[i]));
			free(d);
		}
	}
	cmd_out("  read by:");
	for (size_t i = 0; i < v->nd; i++)
		cmd_out(" %s", v->d[i].drill);
	cmd_out("\n");
}

static void
walk(struct vtab *t, const struct ynode *n)
{
	if (n == NULL)
		return;
	if (n->raw != NULL)
		vars_refs(n->raw, one_ref, t);
	for (size_t i = 0; i < n->n; i++) {
		if (n->keys != NULL)
			walk(t, n->keys[i]);
		walk(t, n->items[i]);
	}
}

/* One check's line, if any of it is off: its text names what a variable
 * set empty left out (and why); a when: or a probe that is off adds why. */
static int
off_line(const char *drill, const char *where, const struct scen_expect *x,
    const char *step_off)
{
	const char *why = step_off ? step_off : x->off;

	if (why == NULL && x->off_parts == NULL)
		return 0;
	cmd_out("  %s: %s: %s", drill, where, x->text);
	if (why != NULL && strstr(x->text, why) == NULL)
		cmd_out(" — off: %s", why);
	else if (why != NULL)
		cmd_out(" — off");
	cmd_out("\n");
	return 1;
}

/* What the drill has off, and why. */
static void
print_off(const struct scenario *s)
{
	char where[64];
	size_t n = 0;

	for (size_t i = 0; i < s->nprobes; i++)
		if (s->probes[i].off != NULL && ++n)
			cmd_out("  %s: probe %s is off: %s\n", s->drill,
			    s->probes[i].name, s->probes[i].off);
	for (size_t i = 0; i < s->nloads; i++)
		if (s->loads[i].off != NULL && ++n)
			cmd_out("  %s: load %s is off: %s\n", s->drill,
			    s->loads[i].name, s->loads[i].off);
	for (size_t i = 0; i < s->nsteady; i++)
		n += off_line(s->drill, "steady", &s->steady[i], NULL);
	for (size_t i = 0; i < s->nsteps; i++) {
		const struct scen_step *st = &s->steps[i];
		snprintf(where, sizeof where, "step %zu (line %d)", i + 1, st->line);
		if (st->kind == ST_EXPECT)
			n += off_line(s->drill, where, &st->expect, st->off);
		else if (st->off != NULL && ++n)
			cmd_out("  %s: %s is off: %s\n", s->drill, where, st->off);
		else if (st->kind == ST_BURST && (st->burst.rej_status_off ||
		    st->burst.rej_body_off || st->burst.rej_retry_off) && ++n)
			cmd_out("  %s: %s, burst: not checked: %s%s%s%s%s\n", s->drill,
			    where, st->burst.rej_status_off ? "status: " : "",
			    st->burst.rej_status_off ? st->burst.rej_status_off : "",
			    st->burst.rej_body_off ? " body: " : "",
			    st->burst.rej_body_off ? st->burst.rej_body_off : "",
			    st->burst.rej_retry_off ? " Retry-After" : "");
	}
	if (n == 0)
		cmd_out("  %s: every check is on\n", s->drill);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct var *)a)->name, ((const struct var *)b)->name);
}

static enum cmd_retval
exec_vars(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_VAR_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct vtab t = { 0 };
	enum cmd_retval rc = CMD_OK;
	int ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != CMD_OPT_VARS && ch != CMD_OPT_VAR)
			return cmd_usage_error(self, NULL);
		if (cmd_var_option(ch, optarg) == -1)
			return CMD_USAGE;
	}
	if (optind == argc)
		return cmd_usage_error(self, "no scenario given");
	struct scenario **sc = xcalloc((size_t)argc, sizeof *sc);
	for (int i = optind; i < argc; i++) {
		struct sd_err e;
		size_t len;
		char *text = read_file_max(argv[i], YNODE_MAX_BYTES, &len, &e);
		struct ynode *root = text ? ynode_parse(argv[i], text, len, &e) :
		    NULL;
		free(text);
		sc[i] = root ? scen_from_tree(argv[i], root, NULL, &e) : NULL;
		if (sc[i] == NULL) {
			cmd_error("%s", e.msg);
			ynode_free(root);
			rc = CMD_USAGE;
			continue;
		}
		t.drill = sc[i]->drill;
		walk(&t, root);
		ynode_free(root);
	}
	qsort(t.v, t.n, sizeof *t.v, by_name);
	for (size_t i = 0; i < t.n; i++)
		print_var(&t.v[i]);
	cmd_out("\nwhat is off:\n");
	for (int i = optind; i < argc; i++)
		if (sc[i] != NULL)
			print_off(sc[i]);
	for (int i = optind; i < argc; i++)
		scen_free(sc[i]);
	free(sc);
	for (size_t i = 0; i < t.n; i++) {
		free(t.v[i].name);
		for (size_t k = 0; k < t.v[i].nd; k++) {
			free(t.v[i].d[k].drill);
			free(t.v[i].d[k].def);
		}
		free(t.v[i].d);
	}
	free(t.v);
	return rc;
}

const struct cmd_entry cmd_vars_cmd = {
	.name = "vars",
	.usage = "[--vars FILE]... [--var KEY=VALUE]... SCENARIO...",
	.summary = "list the variables drills read, their values, and what is off",
	.help =
	    "      --vars FILE        a profile of KEY=VALUE lines, as run reads it\n"
	    "                         (repeatable, later wins)\n"
	    "      --var KEY=VALUE    one variable, over the files (repeatable)\n"
	    "For each variable: its value now and where it came from (a file\n"
	    "and line, --var or the environment), its default and the drills\n"
	    "that read it; secrets are masked. Then what each drill has off.\n",
	.exec = exec_vars,
};

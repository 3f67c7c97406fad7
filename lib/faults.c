/*
 * faults.c — the run's fault stack: every fault is prepared (the kind says
 * how to undo it), journaled and fsynced with a guardian already watching,
 * then applied; lasting ones stay on the stack until a reverting step or
 * the end, when they are reverted newest first. A failed apply is reverted
 * too: it may have changed something.
 *
 * The guardian is a process of its own (`shakedown guardian`) reading a pipe
 * from us. If we die, even by SIGKILL, the kernel closes our end; it sees
 * EOF without "done" and reverts every open fault of this run from the
 * journal (guard.h). It runs in its own session so that a Ctrl-C at the
 * terminal, which we handle, does not reach it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "proc.h"
#include "run_int.h"

static int
start_guardian(struct run *c, struct sd_err *e)
{
	struct spawn_opts so = { 0 };
	int p[2];
	char *log, *dir;

	if (c->guardian > 0)
		return 0;
	if (pipe2(p, O_CLOEXEC) == -1)
		return err_set(e, "guardian: pipe: %s", strerror(errno));
	dir = xstrdup(c->jpath);
	*strrchr(dir, '/') = '\0';
	log = xasprintf("%s/guardian.log", dir);
	free(dir);
	char *argv[] = { (char *)c->o->self_exe, "guardian", "--journal",
	    c->jpath, c->run_id, NULL };
	so.argv = argv;
	so.log_path = log;
	so.new_session = 1;
	so.use_stdin = 1;
	so.stdin_fd = p[0];
	c->guardian = proc_spawn(&so, NULL, e);
	free(log);
	close(p[0]);
	if (c->guardian == -1) {
		c->guardian = 0;
		close(p[1]);
		return err_prefix(e, "guardian");
	}
	c->guard_fd = p[1];
	return 0;
}

void
fs_stop_guardian(struct run *c)
{
	if (c->guardian <= 0)
		return;
	/* everything is reverted: tell it so, then let it go */
	if (write(c->guard_fd, "done\n", 5) != 5)
		res_event(c->r, rn_rel(c, mono_ms()), "guardian: cannot say done");
	close(c->guard_fd);
	c->guard_fd = -1;
	proc_wait_gone(c->guardian, 5000);
	c->guardian = 0;
}

/* Since when the oldest lasting fault still applied is in effect (for
 * max_fault_time: the guardrails read it from their thread). */
static void
publish_oldest(struct run *c)
{
	int64_t oldest = 0;

	for (size_t i = 0; i < c->nap; i++)
		if (c->ap[i].lasting && !c->ap[i].reverted && c->ap[i].on > 0 &&
		    (oldest == 0 || c->ap[i].on < oldest))
			oldest = c->ap[i].on;
	atomic_store(&c->oldest_on, oldest);
}

static struct applied *
push(struct run *c, size_t step, const struct fault *f, json_t *rec,
    size_t rf, const char *id)
{
	struct applied *a;

	c->ap = xgrow(c->ap, &c->capap, c->nap + 1, sizeof *c->ap);
	a = &c->ap[c->nap];
	memset(a, 0, sizeof *a);
	a->f = f;
	a->rec = rec;
	a->rf = rf;
	a->lasting = f->verb->lasting;
	snprintf(a->id, sizeof a->id, "%s", id);
	c->ap_of_step[step] = c->nap++;
	return a;
}

/* Did it land? The kind measures its own effect (fault.h, confirm); what
 * it found goes to the result as it is found. */
static void
prove(struct run *c, struct applied *a, enum fault_phase ph)
{
	const struct fault_kind *k = a->f->kind;
	struct res_fault *rf;
	int64_t t0 = mono_ms();

	if (k->confirm == NULL)
		return;
	a->chk.said = 0;
	k->confirm(a->rec, a->state, ph, &c->env, &a->chk);
	if (!a->chk.said)
		return;		/* nothing to measure in this phase */
	a->chk.at_ms = mono_ms();
	rf = &c->r->faults[a->rf];
	free(rf->proof);
	free(rf->proof_figure);
	rf->proof = a->chk.proof == FP_NONE ? NULL :
	    xstrdup(fault_proof_name(a->chk.proof));
	rf->proof_figure = a->chk.proof == FP_NONE ? NULL :
	    xstrdup(a->chk.figure);
	if (a->chk.proof != FP_NONE)
		res_event(c->r, rn_rel(c, a->chk.at_ms), "%s %s (%lldms): %s",
		    ph == FC_APPLIED ? "landed?" : ph == FC_HOLDING ? "held?" :
		    "after?", fault_proof_name(a->chk.proof),
		    (long long)(a->chk.at_ms - t0), a->chk.figure);
}

static int
refused(struct run *c, size_t rf, json_t *rec, const struct sd_err *e)
{
	json_decref(rec);
	c->r->faults[rf].error = xasprintf("not applied: %s", e->msg);
	res_event(c->r, rn_rel(c, mono_ms()), "apply REFUSED: %s", e->msg);
	return -1;
}

int
fs_apply(struct run *c, size_t step)
{
	const struct fault *f = c->p->steps[step].fault;
	struct res_fault *rf = res_add_fault(c->r);
	size_t rfi = c->r->nfaults - 1;
	struct sd_err e;
	char *note = NULL;
	json_t *rec;

	c->anchor_start = mono_ms();	/* a key time after it: from here too */
	rf->what = f->kind->describe(f, 0);
	rf->revert = f->verb->lasting ? f->kind->describe(f, 1) : NULL;
	rf->line = f->line;
	/* what undoing needs, journaled with a guardian watching; then act */
	char id[64];
	snprintf(id, sizeof id, "%s-%zu", c->run_id, ++c->nids);
	if ((rec = fault_prepare(f, &c->env, &e)) == NULL)
		return refused(c, rfi, NULL, &e);
	if (start_guardian(c, &e) == -1)
		return refused(c, rfi, rec, &e);
	struct jrnl_apply ja = { c->run_id, id, rf->what, rf->revert,
	    c->guardian, rec };
	if (jrnl_apply(c->jpath, &ja, &e) == -1)
		return refused(c, rfi, rec, &e);
	struct applied *a = push(c, step, f, rec, rfi, id);
	int64_t on = mono_ms();
	rf->applied_ms = rn_rel(c, on);
	res_event(c->r, rf->applied_ms, "apply: %s", rf->what);
	int rc = f->kind->apply(f, rec, &a->state, &c->env, &note, &e);
	/* the record is all there is to know now: the guardian need not wait
	 * for this apply to finish taking effect */
	struct sd_err je;
	if (jrnl_done(c->jpath, a->id, &je) == -1)
		res_event(c->r, rn_rel(c, mono_ms()), "journal: %s", je.msg);
	rf = &c->r->faults[rfi];
	rf->note = note;
	a->on = rc == 0 ? mono_ms() : on;
	/* in effect from now: its own measure below is not the service's
	 * time */
	int64_t in_effect = mono_ms();
	if (rc == 0)
		prove(c, a, FC_APPLIED);
	if (!a->lasting || rc == FAULT_FINAL) {
		/* a one-shot leaves nothing to undo */
		a->reverted = 1;
		if (f->kind->free_state != NULL)
			f->kind->free_state(a->state);
		a->state = NULL;
		jrnl_reverted(c->jpath, a->id, &je);
	}
	if (rc != 0) {
		/* a failed apply may have changed something: it stays on the
		 * stack and is reverted with the rest (unless it says it failed
		 * before changing anything) */
		rf->error = xstrdup(e.msg);
		res_event(c->r, rn_rel(c, mono_ms()), "apply FAILED: %s", e.msg);
		return -1;
	}
	rf->applied = 1;
	c->anchor = in_effect;
	if (c->phase_ms[1] == 0)
		c->phase_ms[1] = c->anchor;
	ph_set_phase(c, LP_FAULT);
	if (a->lasting)
		c->active++;
	publish_oldest(c);
	res_event(c->r, rn_rel(c, c->anchor), "in effect: %s %s", f->verb->name,
	    f->target);
	return 0;
}

static int
revert_one(struct run *c, struct applied *a)
{
	struct res_fault *rf = &c->r->faults[a->rf];
	struct sd_err e, je;
	char *note = NULL;
	int rc;

	if (a->reverted)
		return 0;
	/* still holding? measured before it stops being in effect */
	if (rf->applied)
		prove(c, a, FC_HOLDING);
	rf = &c->r->faults[a->rf];
	/* the fault stops being in effect as its revert begins */
	int64_t begin = mono_ms();
	if (c->o->reverting != NULL)
		snprintf(c->o->reverting, c->o->reverting_len, "still undoing: %s\n",
		    rf->revert ? rf->revert : rf->what);
	rc = a->f->kind->revert(a->rec, a->state, &c->env, &note, &e) >= 0 ?
	    0 : -1;
	if (note != NULL) {	/* what the revert did, after what apply did */
		char *both = rf->note ? xasprintf("%s; revert: %s", rf->note, note) :
		    xasprintf("revert: %s", note);
		free(rf->note);
		free(note);
		rf->note = both;
	}
	if (rc == -1) {
		free(rf->error);
		rf->error = xasprintf("revert: %s", e.msg);
		res_event(c->r, rn_rel(c, mono_ms()), "revert FAILED: %s", e.msg);
		return -1;
	}
	if (c->o->reverting != NULL)
		c->o->reverting[0] = '\0';
	if (a->f->kind->free_state != NULL)
		a->f->kind->free_state(a->state);
	a->state = NULL;
	a->reverted = 1;
	a->off = begin;
	publish_oldest(c);
	if (jrnl_reverted(c->jpath, a->id, &je) == -1)
		res_event(c->r, rn_rel(c, mono_ms()), "journal: %s", je.msg);
	if (rf->applied && --c->active <= 0) {
		c->active = 0;
		c->phase_ms[2] = a->off;
		ph_set_phase(c, LP_AFTER);
	}
	rf->reverted = 1;
	rf->reverted_ms = rn_rel(c, mono_ms());
	res_event(c->r, rf->reverted_ms, "reverted: %s", rf->revert);
	if (rf->applied)
		prove(c, a, FC_REVERTED);	/* what only shows then: a failover */
	return 0;
}

int
fs_revert_step(struct run *c, size_t step)
{
	int rc;

	if (c->ap_of_step[step] == SIZE_MAX)
		return 0;	/* never applied: nothing to undo */
	c->anchor_start = mono_ms();
	rc = revert_one(c, &c->ap[c->ap_of_step[step]]);
	c->anchor = mono_ms();
	return rc;
}

void
fs_revert_all(struct run *c)
{
	for (size_t i = c->nap; i-- > 0; )
		if (!c->ap[i].reverted)
			revert_one(c, &c->ap[i]);
}

void
fs_free(struct run *c)
{
	for (size_t i = 0; i < c->nap; i++) {
		struct applied *a = &c->ap[i];
		if (a->state != NULL && a->f->kind->free_state != NULL)
			a->f->kind->free_state(a->state);
		json_decref(a->rec);
	}
	free(c->ap);
	c->ap = NULL;
	c->nap = 0;
}

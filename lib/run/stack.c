/*
 * stack.c — the run's fault stack: every fault is prepared (the kind says
 * how to undo it), journaled and fsynced with a guardian already watching,
 * then applied; lasting ones stay on the stack until a reverting step or
 * the end, when they are reverted newest first. A failed apply is reverted
 * too: it may have changed something.
 *
 * The guardian is a process of its own (`shakedown guardian`) reading a pipe
 * from us. If we die, even by SIGKILL, the kernel closes our end; it sees
 * EOF without "done" and reverts every open fault of this run from the
 * journal (revert.h). It runs in its own session so that a Ctrl-C at the
 * terminal, which we handle, does not reach it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check/journal.h"
#include "../dispatch/dispatch.h"
#include "../base/proc.h"
#include "run_int.h"
#include "../base/selfexec.h"

static int
start_guardian(struct run *c, struct sd_err *e)
{
	struct spawn_opts so = { 0 };
	int p[2];
	char *log, *dir;

	if (c->stack.guardian > 0)
		return 0;
	if (pipe2(p, O_CLOEXEC) == -1)
		return err_set(e, "guardian: pipe: %s", strerror(errno));
	dir = xstrdup(c->stack.jpath);
	*strrchr(dir, '/') = '\0';
	log = xasprintf("%s/guardian.log", dir);
	free(dir);
	char *argv[] = { (char *)c->o->self_exe, SELFEXEC_GUARDIAN, "--journal",
	    c->stack.jpath, c->stack.run_id, NULL };
	so.argv = argv;
	so.log_path = log;
	so.new_session = 1;
	so.use_stdin = 1;
	so.stdin_fd = p[0];
	c->stack.guardian = proc_spawn(&so, NULL, e);
	free(log);
	close(p[0]);
	if (c->stack.guardian == -1) {
		c->stack.guardian = 0;
		close(p[1]);
		return err_prefix(e, "guardian");
	}
	c->stack.guard_fd = p[1];
	return 0;
}

void
stack_stop_guardian(struct run *c)
{
	if (c->stack.guardian <= 0)
		return;
	/* everything is reverted: tell it so, then let it go */
	if (write(c->stack.guard_fd, "done\n", 5) != 5)
		res_event(c->r, runctx_rel(c, mono_ms()), "guardian: cannot say done");
	close(c->stack.guard_fd);
	c->stack.guard_fd = -1;
	proc_wait_gone(c->stack.guardian, 5000);
	c->stack.guardian = 0;
}

/* Since when the oldest lasting fault still applied is in effect (for
 * max_fault_time: the guardrails read it from their thread). */
static void
publish_oldest(struct run *c)
{
	int64_t oldest = 0;

	for (size_t i = 0; i < c->stack.nap; i++)
		if (c->stack.ap[i].lasting && !c->stack.ap[i].reverted && c->stack.ap[i].on > 0 &&
		    (oldest == 0 || c->stack.ap[i].on < oldest))
			oldest = c->stack.ap[i].on;
	atomic_store(&c->stack.oldest_on, oldest);
}

static struct applied *
push(struct run *c, size_t step, const struct fault *f, json_t *rec,
    size_t rf, const char *id)
{
	struct applied *a;

	c->stack.ap = xgrow(c->stack.ap, &c->stack.capap, c->stack.nap + 1, sizeof *c->stack.ap);
	a = &c->stack.ap[c->stack.nap];
	memset(a, 0, sizeof *a);
	a->f = f;
	a->rec = rec;
	a->rf = rf;
	a->lasting = f->verb->lasting;
	snprintf(a->id, sizeof a->id, "%s", id);
	c->stack.ap_of_step[step] = c->stack.nap++;
	return a;
}

/* Did it land? The kind measures its own effect (fault.h, confirm); what
 * it found goes to the result as it is found. */
static void
prove(struct run *c, struct applied *a, enum fault_phase ph)
{
	struct res_fault *rf;
	int64_t t0 = mono_ms();

	a->chk.said = 0;
	if (!dispatch_confirm(a->f, a->rec, a->state, ph, &c->env, &a->chk) ||
	    !a->chk.said)
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
		res_event(c->r, runctx_rel(c, a->chk.at_ms), "%s %s (%lldms): %s",
		    ph == FC_APPLIED ? "landed?" : ph == FC_HOLDING ? "held?" :
		    "after?", fault_proof_name(a->chk.proof),
		    (long long)(a->chk.at_ms - t0), a->chk.figure);
}

static int
refused(struct run *c, size_t rf, json_t *rec, const struct sd_err *e)
{
	json_decref(rec);
	c->r->faults[rf].error = xasprintf("not applied: %s", e->msg);
	res_event(c->r, runctx_rel(c, mono_ms()), "apply REFUSED: %s", e->msg);
	return -1;
}

int
stack_apply(struct run *c, size_t step)
{
	const struct fault *f = c->p->steps[step].fault;
	struct res_fault *rf = res_add_fault(c->r);
	size_t rfi = c->r->nfaults - 1;
	struct sd_err e;
	char *note = NULL;
	json_t *rec;

	c->stack.anchor_start = mono_ms();	/* a key time after it: from here too */
	rf->what = dispatch_describe(f, 0);
	rf->revert = f->verb->lasting ? dispatch_describe(f, 1) : NULL;
	rf->line = f->line;
	/* what undoing needs, journaled with a guardian watching; then act */
	char id[64];
	snprintf(id, sizeof id, "%s-%zu", c->stack.run_id, ++c->stack.nids);
	if ((rec = dispatch_prepare(f, &c->env, &e)) == NULL)
		return refused(c, rfi, NULL, &e);
	if (start_guardian(c, &e) == -1)
		return refused(c, rfi, rec, &e);
	struct journal_apply ja = { c->stack.run_id, id, rf->what, rf->revert,
	    c->stack.guardian, rec };
	if (journal_apply(c->stack.jpath, &ja, &e) == -1)
		return refused(c, rfi, rec, &e);
	struct applied *a = push(c, step, f, rec, rfi, id);
	int64_t on = mono_ms();
	rf->applied_ms = runctx_rel(c, on);
	res_event(c->r, rf->applied_ms, "apply: %s", rf->what);
	int rc = dispatch_apply(f, rec, &a->state, &c->env, &note, &e);
	/* the record is all there is to know now: the guardian need not wait
	 * for this apply to finish taking effect */
	struct sd_err je;
	if (journal_done(c->stack.jpath, a->id, &je) == -1)
		res_event(c->r, runctx_rel(c, mono_ms()), "journal: %s", je.msg);
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
		dispatch_free_state(f, a->state);
		a->state = NULL;
		journal_reverted(c->stack.jpath, a->id, &je);
	}
	if (rc != 0) {
		/* a failed apply may have changed something: it stays on the
		 * stack and is reverted with the rest (unless it says it failed
		 * before changing anything) */
		rf->error = xstrdup(e.msg);
		res_event(c->r, runctx_rel(c, mono_ms()), "apply FAILED: %s", e.msg);
		return -1;
	}
	rf->applied = 1;
	c->stack.anchor = in_effect;
	phases_faults_on(c, in_effect);
	if (a->lasting)
		c->stack.active++;
	publish_oldest(c);
	res_event(c->r, runctx_rel(c, c->stack.anchor), "in effect: %s %s", f->verb->name,
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
	rc = dispatch_revert(a->f, a->rec, a->state, &c->env, &note, &e) >= 0 ?
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
		res_event(c->r, runctx_rel(c, mono_ms()), "revert FAILED: %s", e.msg);
		return -1;
	}
	if (c->o->reverting != NULL)
		c->o->reverting[0] = '\0';
	dispatch_free_state(a->f, a->state);
	a->state = NULL;
	a->reverted = 1;
	a->off = begin;
	publish_oldest(c);
	if (journal_reverted(c->stack.jpath, a->id, &je) == -1)
		res_event(c->r, runctx_rel(c, mono_ms()), "journal: %s", je.msg);
	if (rf->applied && --c->stack.active <= 0) {
		c->stack.active = 0;
		phases_faults_off(c, a->off);
	}
	rf->reverted = 1;
	rf->reverted_ms = runctx_rel(c, mono_ms());
	res_event(c->r, rf->reverted_ms, "reverted: %s", rf->revert);
	if (rf->applied)
		prove(c, a, FC_REVERTED);	/* what only shows then: a failover */
	return 0;
}

int
stack_revert_step(struct run *c, size_t step)
{
	int rc;

	if (c->stack.ap_of_step[step] == SIZE_MAX)
		return 0;	/* never applied: nothing to undo */
	c->stack.anchor_start = mono_ms();
	rc = revert_one(c, &c->stack.ap[c->stack.ap_of_step[step]]);
	c->stack.anchor = mono_ms();
	return rc;
}

void
stack_revert_all(struct run *c)
{
	for (size_t i = c->stack.nap; i-- > 0; )
		if (!c->stack.ap[i].reverted)
			revert_one(c, &c->stack.ap[i]);
}

int
stack_init(struct run *c, struct sd_err *e)
{
	c->stack.guard_fd = -1;
	c->stack.run_id = journal_run_id();
	c->stack.ap_of_step = xcalloc(c->p->n ? c->p->n : 1,
	    sizeof *c->stack.ap_of_step);
	for (size_t i = 0; i < c->p->n; i++)
		c->stack.ap_of_step[i] = SIZE_MAX;
	stack_anchor(c, mono_ms());
	c->stack.jpath = journal_path(e);
	return c->stack.jpath != NULL ? 0 : -1;
}

void
stack_anchor(struct run *c, int64_t at)
{
	c->stack.anchor = c->stack.anchor_start = at;
}

void
stack_free(struct run *c)
{
	for (size_t i = 0; i < c->stack.nap; i++) {
		struct applied *a = &c->stack.ap[i];
		dispatch_free_state(a->f, a->state);
		json_decref(a->rec);
	}
	free(c->stack.ap);
	c->stack.ap = NULL;
	c->stack.nap = 0;
	free(c->stack.ap_of_step);
	free(c->stack.jpath);
	free(c->stack.run_id);
	c->stack.ap_of_step = NULL;
	c->stack.jpath = c->stack.run_id = NULL;
}

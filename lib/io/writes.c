/*
 * writes.c — see writes.h.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "../base/ping.h"
#include "writes.h"

#define BATCH 2000		/* keys per query */

/* {"k1","k2"}: a text array literal, each element quoted. */
static char *
array_literal(const struct write_rec *w, size_t from, size_t to)
{
	struct sbuf sb;
	int first = 1;

	sb_init(&sb);
	sb_add(&sb, "{");
	for (size_t i = from; i < to; i++) {
		if (!w[i].acked)
			continue;
		sb_add(&sb, first ? "\"" : ",\"");
		first = 0;
		for (const char *p = w[i].key; *p; p++) {
			if (*p == '"' || *p == '\\')
				sb_addn(&sb, "\\", 1);
			sb_addn(&sb, p, 1);
		}
		sb_add(&sb, "\"");
	}
	sb_add(&sb, "}");
	return sb_detach(&sb);
}

int
writes_lookup(const char *dsn, const char *query, struct write_rec *w,
    size_t n, int64_t timeout_ms, struct sd_err *e)
{
	struct strmap present = { 0 };
	PGresult *begin;
	PGconn *c;
	int rc = 0;

	/* the drill's query only reads: every transaction of this session is
	 * READ ONLY, and so is the explicit one it runs in — a DELETE, or a
	 * CTE that deletes, is an error here, never lost data */
	if ((c = ping_pg_connect(dsn, "shakedown-writes", timeout_ms, 1, e)) == NULL)
		return -1;
	begin = PQexec(c, "BEGIN READ ONLY");
	if (PQresultStatus(begin) != PGRES_COMMAND_OK) {
		ping_pq_error(e, "BEGIN READ ONLY", PQresultErrorMessage(begin));
		PQclear(begin);
		PQfinish(c);
		return -1;
	}
	PQclear(begin);
	/* once at least: with no keys, it checks the query can run at all */
	for (size_t from = 0; (from < n || from == 0) && rc == 0;
	    from += BATCH) {
		size_t to = from + BATCH < n ? from + BATCH : n;
		char *arr = array_literal(w, from, to);
		const char *params[] = { arr };
		PGresult *r = PQexecParams(c, query, 1, NULL, params, NULL, NULL, 0);

		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			ping_pq_error(e, "writes query (run READ ONLY)",
			    PQresultErrorMessage(r));
			rc = -1;
		} else if (PQnfields(r) < 1) {
			rc = err_set(e, "writes query: returns no column");
		} else {
			for (int i = 0; i < PQntuples(r); i++)
				if (!PQgetisnull(r, i, 0))
					strmap_put(&present, PQgetvalue(r, i, 0), 1);
			for (size_t i = from; i < to; i++)
				if (w[i].acked && strmap_get(&present, w[i].key) == 1)
					w[i].present = 1;
		}
		/* the map borrows the result's strings: empty it with them */
		strmap_free(&present);
		memset(&present, 0, sizeof present);
		PQclear(r);
		free(arr);
	}
	PQclear(PQexec(c, "ROLLBACK"));
	PQfinish(c);
	return rc;
}

/* A run of lost writes from w[first] to w[last] closed: the longest. */
static void
rpo_run(const struct write_rec *w, size_t first, size_t last,
    struct writes_stats *st)
{
	int64_t hi = w[last].done_ms - w[first].sent_ms;
	int64_t lo = w[last].sent_ms - w[first].done_ms;

	if (lo < 0)
		lo = 0;
	if (hi > st->rpo_ms) {
		st->rpo_ms = hi;
		st->rpo_res_ms = hi - lo;
	}
}

void
writes_judge(const struct write_rec *w, size_t n, int64_t now_ms,
    struct writes_stats *st)
{
	size_t lost_first = SIZE_MAX, lost_last = 0;
	int64_t fail_from = -1, gap = 0, prev_done = -1;

	memset(st, 0, sizeof *st);
	st->recovered = 1;
	for (size_t i = 0; i < n; i++) {
		if (!w[i].acked) {
			st->failed++;
			if (fail_from < 0) {
				fail_from = w[i].sent_ms;
				gap = prev_done >= 0 && fail_from > prev_done ?
				    fail_from - prev_done : 0;
			}
			continue;
		}
		st->acked++;
		prev_done = w[i].done_ms;
		if (fail_from >= 0) {
			if (w[i].done_ms - fail_from > st->rto_ms) {
				st->rto_ms = w[i].done_ms - fail_from;
				st->rto_res_ms = gap + w[i].done_ms - w[i].sent_ms;
			}
			fail_from = -1;
		}
		if (!w[i].present) {
			st->lost++;
			if (lost_first == SIZE_MAX)
				lost_first = i;
			lost_last = i;
		} else if (lost_first != SIZE_MAX) {
			rpo_run(w, lost_first, lost_last, st);
			lost_first = SIZE_MAX;
		}
	}
	if (fail_from >= 0) {
		st->recovered = 0;
		if (now_ms - fail_from > st->rto_ms) {
			st->rto_ms = now_ms - fail_from;
			st->rto_res_ms = gap;
		}
	}
	if (lost_first != SIZE_MAX)
		rpo_run(w, lost_first, lost_last, st);
}

/*
 * target_reply.c — how the reference target answers: every reply counted
 * in its metrics by route and status, JSON or text, with its headers; its
 * log; the names of its routes and breaker states. Below both the server (target.c) and the endpoints
 * (target_api.c).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "target_int.h"

/* the routes' names in the metrics, and the breaker's states */
const char *const target_routes[NROUTES] = {
	"/health", "/api/ready", "/api/ai-interpret", "/api/login",
	"/api/session", "/api/records", "/api/limited", "/metrics", "other",
	"shutdown", "/api/compute", "/api/writes", "/api/stats"
};
const char *const target_breaker_names[] = { "closed", "open", "half-open" };

void
target_log(struct srv *s, const char *fmt, ...)
{
	char line[512], ts[40];
	int n;
	va_list ap;

	if (s->o->log == NULL)
		return;
	n = snprintf(line, sizeof line, "%s ", iso8601_ms(wall_ms(), ts, sizeof ts));
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	s->o->log(line);
}

static void
count(struct srv *s, int route, unsigned status)
{
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->nmetrics; i++) {
		if (s->metrics[i].route == route && s->metrics[i].status == status) {
			s->metrics[i].count++;
			pthread_mutex_unlock(&s->mu);
			return;
		}
	}
	s->metrics = xgrow(s->metrics, &s->capmetrics, s->nmetrics + 1,
	    sizeof *s->metrics);
	s->metrics[s->nmetrics++] = (struct metric){ route, status, 1 };
	pthread_mutex_unlock(&s->mu);
}

/* hdrs: name, value, ..., NULL (may be NULL). */
static enum MHD_Result
reply_h(struct srv *s, struct MHD_Connection *c, int route, unsigned status,
    const char *ctype, char *body, const char *const *hdrs)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	r = MHD_create_response_from_buffer(strlen(body), body,
	    MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", ctype);
	for (; hdrs != NULL && hdrs[0] != NULL; hdrs += 2)
		MHD_add_response_header(r, hdrs[0], hdrs[1]);
	if (atomic_load(&s->shutting_down))
		MHD_add_response_header(r, "Connection", "close");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	count(s, route, status);
	return rc;
}

enum MHD_Result
target_reply(struct srv *s, struct MHD_Connection *c, int route, unsigned status,
    const char *ctype, char *body, const char *hname, const char *hval)
{
	const char *hdrs[] = { hname, hval, NULL };

	return reply_h(s, c, route, status, ctype, body, hdrs);
}

enum MHD_Result
target_reply_json_h(struct srv *s, struct MHD_Connection *c, int route,
    unsigned status, json_t *j, const char *const *hdrs)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6));

	json_decref(j);
	/* jansson's allocator is malloc, which MHD's MUST_FREE frees */
	return reply_h(s, c, route, status, "application/json", text, hdrs);
}

enum MHD_Result
target_reply_json(struct srv *s, struct MHD_Connection *c, int route,
    unsigned status, json_t *j, const char *hname, const char *hval)
{
	const char *hdrs[] = { hname, hval, NULL };

	return target_reply_json_h(s, c, route, status, j, hdrs);
}

/* "ok", "degraded" (answers, slower than slow_ms) or "down". */

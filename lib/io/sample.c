/*
 * sample.c — a probe sample's own functions (the type is in match.h):
 * its body as JSON, parsed once; freeing it. Below the matchers (match.c,
 * match_mon.c) that read it.
 */
#include <stdlib.h>

#include "match.h"

json_t *
sample_json(struct sample *s)
{
	if (!s->json_tried) {
		s->json_tried = 1;
		if (s->body != NULL)
			s->json = json_loads(s->body, JSON_DECODE_ANY, NULL);
	}
	return s->json;
}

void
sample_free(struct sample *s)
{
	free(s->error);
	free(s->body);
	free(s->headers);
	free(s->key);
	json_decref(s->json);
}

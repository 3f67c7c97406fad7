/*
 * load_http.c — how the load engine's raw transport reads an answer with
 * http-parser: the callbacks that note Retry-After, a HEAD answer's missing
 * body, a 1xx that is not the answer, and the end of the answer (the
 * parser pauses there: no byte after it is ours). A slot's parsing state
 * is the parser's 32 bytes and a few flags in the slot.
 */
#define _GNU_SOURCE
#include "load_int.h"

static int
on_header_field(http_parser *p, const char *at, size_t len)
{
	static const char want[] = "retry-after";
	struct slot *s = p->data;

	if (s->in_value) {		/* a new field begins */
		s->in_value = 0;
		s->hmatch = 0;
	}
	for (size_t i = 0; i < len && s->hmatch >= 0; i++) {
		if (s->hmatch >= (int)sizeof want - 1 ||
		    (at[i] | 0x20) != want[s->hmatch])
			s->hmatch = -1;
		else
			s->hmatch++;
	}
	return 0;
}

static int
on_header_value(http_parser *p, const char *at, size_t len)
{
	struct slot *s = p->data;

	(void)at;
	(void)len;
	if (!s->in_value && s->hmatch == 11)
		s->retry_after = 1;
	s->in_value = 1;
	return 0;
}

static int
on_headers_complete(http_parser *p)
{
	struct slot *s = p->data;

	/* a HEAD answer has no body whatever its Content-Length says */
	return s->head;
}

static int
on_message_complete(http_parser *p)
{
	struct slot *s = p->data;

	/* a 1xx is not the answer: the real one follows */
	if (p->status_code >= 100 && p->status_code < 200) {
		s->hmatch = 0;
		s->in_value = 0;
		return 0;
	}
	s->complete = 1;
	http_parser_pause(p, 1);	/* no byte after it is ours */
	return 0;
}

const http_parser_settings load_http_settings = {
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_headers_complete = on_headers_complete,
	.on_message_complete = on_message_complete,
};

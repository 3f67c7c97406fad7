/* test_redact.c — secrets never reach an output: passwords, the values of
 * query parameters and headers whose names mean a secret, in every
 * spelling an output gives them; and the escaping of untrusted text for a
 * terminal, markdown and XML (lib/base/escape.h), which redaction must follow. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/base/escape.h"
#include "../../lib/base/redact.h"

static void
secret_names(void **state)
{
	static const char *const yes[] = { "token", "TOKEN", "access_token",
	    "api_key", "Api-Key", "apikey", "key", "secret", "signature", "sig",
	    "auth", "session", "X-Auth-Token", "x_api_key", "csrf_token",
	    "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie",
	    "client_secret", "password", NULL };
	static const char *const no[] = { "monkey", "keys", "tokens", "user",
	    "id", "x", "page", "sort", "", NULL };

	(void)state;
	for (size_t i = 0; yes[i]; i++)
		if (!redact_secret_name(yes[i], strlen(yes[i])))
			fail_msg("'%s' should mean a secret", yes[i]);
	for (size_t i = 0; no[i]; i++)
		if (redact_secret_name(no[i], strlen(no[i])))
			fail_msg("'%s' should not mean a secret", no[i]);
}

static void
query_values(void **state)
{
	char *u;

	(void)state;
	u = redact_url("http://127.0.0.1:1/h?token=TokSecret3&x=1&API_KEY=ab");
	assert_string_equal(u, "http://127.0.0.1:1/h?token=***&x=1&API_KEY=***");
	free(u);
	/* learnt: the long one is hidden anywhere, in every spelling */
	u = redact_text("saw TokSecret3 and \"TokSecret3\" in <TokSecret3>");
	assert_null(strstr(u, "TokSecret3"));
	free(u);
	/* a short one only where it stands as a value */
	u = redact_text("ab is short");
	assert_string_equal(u, "ab is short");
	free(u);
}

static void
headers(void **state)
{
	char *t;

	(void)state;
	redact_learn_header("Authorization", "Bearer BearSecret5");
	redact_learn_header("Cookie", "a=1; session=CookSecret7");
	redact_learn_header("X-Request-Id", "NotSecret8");
	t = redact_text("Authorization: Bearer BearSecret5; CookSecret7;"
	    " NotSecret8");
	assert_null(strstr(t, "BearSecret5"));
	assert_null(strstr(t, "CookSecret7"));
	assert_non_null(strstr(t, "NotSecret8"));
	free(t);
}

static void
md_spelling(void **state)
{
	struct sbuf sb;
	char *t;

	(void)state;
	redact_learn_secret("p*ss_w[0]rd");
	sb_init(&sb);
	sb_add(&sb, "title ");
	esc_md(&sb, "p*ss_w[0]rd");
	t = redact_text(sb.buf);
	assert_string_equal(t, "title ***");
	free(t);
	sb_free(&sb);
}

static char *
term(const char *s, size_t n)
{
	struct sbuf sb;

	sb_init(&sb);
	esc_term(&sb, s, n);
	return sb_detach(&sb);
}

static void
terminal(void **state)
{
	char *t;

	(void)state;
	t = term("a\x1b[2Jb\x07\tc\n", 10);
	assert_string_equal(t, "a\\x1b[2Jb\\x07\tc\n");
	free(t);
	t = term("\xc2\x9b" "31m é ✓", strlen("\xc2\x9b" "31m é ✓"));
	/* a C1 CSI escaped; UTF-8 kept */
	assert_string_equal(t, "\\u009b31m é ✓");
	free(t);
	t = term("\xff\xc3", 2);		/* not UTF-8 */
	assert_string_equal(t, "\\xff\\xc3");
	free(t);
}

static char *
md(const char *s)
{
	struct sbuf sb;

	sb_init(&sb);
	esc_md(&sb, s);
	return sb_detach(&sb);
}

static void
markdown(void **state)
{
	char *t;

	(void)state;
	t = md("<script>x</script> [a](b) `c` *d* | e");
	assert_string_equal(t, "&lt;script>x&lt;/script> \\[a\\](b) \\`c\\`"
	    " \\*d\\* \\| e");
	free(t);
	/* ordinary text is left as it reads */
	t = md("errors < 1%, p95 <= 500ms, db_up & more");
	assert_string_equal(t, "errors < 1%, p95 <= 500ms, db_up & more");
	free(t);
	t = md("_x_ &amp; # h\nnext");
	assert_string_equal(t, "\\_x\\_ &amp;amp; # h next");
	free(t);
	t = md("# heading");
	assert_string_equal(t, "\\# heading");
	free(t);
}

static void
code_and_fence(void **state)
{
	const char *lines[] = { "a ``` b", "````" };
	struct sbuf sb;
	char fence[16];

	(void)state;
	sb_init(&sb);
	esc_md_code(&sb, "a`b|c");
	assert_string_equal(sb.buf, "``a`b\\|c``");
	sb_free(&sb);
	assert_string_equal(esc_md_fence(lines, 2, fence, sizeof fence),
	    "`````");
	assert_string_equal(esc_md_fence(lines, 0, fence, sizeof fence), "```");
}

static void
xml(void **state)
{
	struct sbuf sb;

	(void)state;
	sb_init(&sb);
	esc_xml(&sb, "<a href=\"x\">&'\x01</a>");
	assert_string_equal(sb.buf, "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
	    " &lt;/a&gt;");
	sb_free(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(secret_names),
		cmocka_unit_test(query_values),
		cmocka_unit_test(headers),
		cmocka_unit_test(md_spelling),
		cmocka_unit_test(terminal),
		cmocka_unit_test(markdown),
		cmocka_unit_test(code_and_fence),
		cmocka_unit_test(xml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_hosts.c — the blast radius read by the parsers that connect, and
 * redaction of every password those parsers find. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/base/hosts.h"
#include "../../lib/base/redact.h"

static void
loopback(void **state)
{
	(void)state;
	assert_true(hosts_is_loopback("127.0.0.1"));
	assert_true(hosts_is_loopback("127.255.0.9"));
	assert_true(hosts_is_loopback("::1"));
	assert_true(hosts_is_loopback("[::1]"));
	assert_true(hosts_is_loopback("::ffff:127.0.0.1"));
	assert_true(hosts_is_loopback("LocalHost"));
	assert_false(hosts_is_loopback("128.0.0.1"));
	assert_false(hosts_is_loopback("10.0.0.1"));
	assert_false(hosts_is_loopback("127.0.0.1.example.com"));
	assert_false(hosts_is_loopback("0x7f000001"));
	assert_false(hosts_is_loopback("::ffff:10.0.0.1"));
}

static void
urls(void **state)
{
	static const struct {
		const char *url;
		int rc;
		const char *host;
	} cases[] = {
		{ "http://127.0.0.1:8080/x", 0, "127.0.0.1" },
		{ "http://10.0.0.1#@127.0.0.1", 1, "10.0.0.1" },
		{ "http://10.0.0.1?@127.0.0.1/", 1, "10.0.0.1" },
		{ "http://127.0.0.1@10.0.0.1/", 1, "10.0.0.1" },
		{ "https://[::1]:443/", 0, "[::1]" },
		{ "redis://:pw@127.0.0.1:6379/2", 0, "127.0.0.1" },
		{ "redis://127.0.0.1/@10.0.0.1:6379", -1, "" },
		{ "redis://10.0.0.1", 1, "10.0.0.1" },
		{ "ftp://127.0.0.1/", -1, "" },
	};
	struct hostrule allow = { (char *[]){ "db.internal" }, 1, NULL, 0 };
	struct sd_err e;
	char host[256];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		host[0] = '\0';
		int rc = hosts_check_url(cases[i].url, NULL, host, sizeof host, &e);
		if (rc != cases[i].rc)
			fail_msg("%s: %d, want %d", cases[i].url, rc, cases[i].rc);
		if (rc >= 0)
			assert_string_equal(host, cases[i].host);
	}
	assert_int_equal(hosts_check_url("http://db.internal/", &allow, host,
	    sizeof host, &e), 0);
}

static void
dsns(void **state)
{
	static const struct {
		const char *dsn;
		int rc;
		const char *host;
	} cases[] = {
		{ "postgresql://u@127.0.0.1:5432/db", 0, "" },
		{ "postgresql://u@127.0.0.1/db?host=10.0.0.1", 1, "10.0.0.1" },
		{ "postgresql://u@127.0.0.1/db?hostaddr=10.0.0.2", 1, "10.0.0.2" },
		{ "host=10.0.0.3 dbname=x", 1, "10.0.0.3" },
		{ "host=/var/run/postgresql dbname=x", 0, "" },
		{ "postgresql://127.0.0.1:1,10.0.0.4:2/db", 1, "10.0.0.4" },
		{ "host=127.0.0.1 port=99999", -1, "" },
		{ "service=prod", -1, "" },
		{ "postgresql://u:p@ss@127.0.0.1/db", -1, "" },
	};
	struct sd_err e;
	char host[256];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = hosts_check_dsn(cases[i].dsn, NULL, host, sizeof host, &e);
		if (rc != cases[i].rc)
			fail_msg("%s: %d, want %d (%s)", cases[i].dsn, rc, cases[i].rc,
			    rc == -1 ? e.msg : host);
		if (rc == 1)
			assert_string_equal(host, cases[i].host);
		if (rc == -1)
			assert_null(strstr(e.msg, "ss@"));
	}
}

static void
redaction(void **state)
{
	static const char *cases[][2] = {
		{ "postgresql://app:s3cret@db:5432/x", "postgresql://app:***@db:5432/x" },
		{ "redis://:pw@127.0.0.1:6379", "redis://:***@127.0.0.1:6379" },
		{ "postgresql://app@db/x", "postgresql://app@db/x" },
		{ "host=db password=s3cret user=app", "host=db password=*** user=app" },
		{ "password = 'a b\\'c' dbname=x", "password = *** dbname=x" },
		{ "postgresql://u@h:1/db?password=SECRETQ", "postgresql://u@h:1/db?password=***" },
		{ "http://h/path@x", "http://h/path@x" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *r = redact_url(cases[i][0]);
		assert_string_equal(r, cases[i][1]);
		free(r);
	}
	/* learned once, hidden in every spelling, anywhere */
	redact_learn("postgresql://u:p%40ss%7Cw%22rd@127.0.0.1/db");
	char *t = redact_text("raw p@ss|w\"rd, pct p%40ss%7Cw%22rd, lower"
	    " p%40ss%7cw%22rd, json p@ss|w\\\"rd, md p@ss\\|w\"rd, xml"
	    " p@ss|w&quot;rd");
	assert_string_equal(t, "raw ***, pct ***, lower ***, json ***, md ***,"
	    " xml ***");
	free(t);
	/* too short to hide everywhere: only where it stands as a password */
	redact_learn("redis://:ab@127.0.0.1");
	t = redact_text("a table about cabs");
	assert_string_equal(t, "a table about cabs");
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loopback),
		cmocka_unit_test(urls),
		cmocka_unit_test(dsns),
		cmocka_unit_test(redaction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

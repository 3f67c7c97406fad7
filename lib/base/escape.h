/*
 * escape.h — text from a file or a service made safe for where it lands:
 * XML (the chart, the JUnit), GitHub-flavoured markdown (REPORT.md,
 * SUMMARY.md, the job summary) and a terminal. A drill's title, a service's
 * answer, a probe's URL and a result.json copied from another machine are
 * all untrusted: none may open an HTML tag, a link, a code block or a
 * table cell of its own, nor move a terminal's cursor or rename its window.
 * The redaction registry (redact.h) spells secrets as these do, so a
 * password is hidden however it was escaped.
 */
#ifndef SD_ESCAPE_H
#define SD_ESCAPE_H

#include <stddef.h>

#include "util.h"

/* XML text or attribute value, escaped; control characters XML 1.0
 * forbids become spaces. */
void esc_xml(struct sbuf *sb, const char *s);
/* Markdown inline text: no HTML tag or entity, link, image, emphasis,
 * code span or table cell can start in it; newlines become spaces. */
void esc_md(struct sbuf *sb, const char *s);
/* A markdown code span holding s as it is (a fence longer than any run of
 * backticks in it; pipes escaped, which GitHub's tables need). */
void esc_md_code(struct sbuf *sb, const char *s);
/* The fence for a code block around these lines: "```", or longer than the
 * longest run of backticks any line has. */
const char *esc_md_fence(const char *const *lines, size_t n, char *buf,
    size_t len);
/* For a terminal: C0 controls but tab and newline, DEL, C1 (U+0080..9F)
 * and bytes that are not UTF-8 become visible escapes (\x1b, \u009b),
 * so nothing a service or a file said can drive the terminal. */
void esc_term(struct sbuf *sb, const char *s, size_t len);

#endif

/* term.h: the text timeline for a terminal: colour, and a compact layout
 * for a narrow one. It rewrites finished text lines, so the output to a
 * pipe or a file never goes through it and stays as it is (golden files).
 *
 * Colour: RST segments and failed calls red, FIN yellow, notes dim, a note
 * about lost bytes bold red. Compact: endpoints once per connection (a
 * header line), then only an arrow; TCP options and window only when
 * verbose; the note on indented lines under its event; every line wrapped
 * at the width, so a terminal never wraps one. */
#ifndef RSTSCOPE_TERM_H
#define RSTSCOPE_TERM_H

#include <stddef.h>

#include "output.h"

struct term_opts {
	int color;   /* ANSI colours */
	int compact; /* the compact layout */
	int verbose; /* compact: keep the TCP options and the window */
	int width;   /* columns (compact: lines are wrapped to it) */
};

struct term;

struct term *term_new(const struct term_opts *opts);
void term_free(struct term *t);
/* One text line p[0..n) (without its newline) rewritten into out, with its
 * newline(s). out must have room for 8 * n + 512 bytes. */
void term_line(struct term *t, const char *p, size_t n, struct obuf *out);

#endif

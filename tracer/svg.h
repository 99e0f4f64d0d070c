/* svg.h: the TCP ladder diagram, drawn from the rows as they are printed.
 *
 * Per connection, the client's timeline on the left and the server's on the
 * right, time flowing down; each segment an arrow (class "segment",
 * data-n), each call a mark on its side (class "call", data-line) with its
 * result and the cause's sentence. The rows are kept (compactly) until the
 * end, at most SVG_ROWS_MAX of them: past that the diagram is cut, and says
 * so. Self-contained: no external fonts, styles or scripts. */
#ifndef RSTSCOPE_SVG_H
#define RSTSCOPE_SVG_H

#include <stddef.h>
#include <stdint.h>

#include "output.h"

#define SVG_ROWS_MAX 10000

struct svg;

/* only_conn: draw only that connection (0: all). NULL without memory. */
struct svg *svg_new(uint64_t only_conn);
void svg_free(struct svg *s);
void svg_segment(struct svg *s, const struct out_seg_row *row);
void svg_call(struct svg *s, const struct out_call_row *row);
/* Rows left out past SVG_ROWS_MAX. */
uint64_t svg_cut(const struct svg *s);
/* Writes the diagram; 0, or -1 with the reason in err. */
int svg_write(struct svg *s, const char *path, char *err, size_t errlen);

#endif

/* pcapng.h: an annotated pcapng writer (libpcap reads pcapng, but cannot
 * write it), and the store of per-record comments it is written from.
 *
 * The comments of a record are final only when the correlator prints its
 * row, and a call's explanation lands on an earlier segment (the RST that
 * caused it), so the file is written at the end: the packets are read a
 * second time (the input file, or a temporary pcap of what was captured),
 * the comments come from a temporary file through a sorted index (16 bytes
 * a comment, at most PCAPNG_NOTES_MAX of them), and the directions from a
 * temporary file of one byte per record. Memory does not grow with the
 * number of packets. */
#ifndef RSTSCOPE_PCAPNG_H
#define RSTSCOPE_PCAPNG_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h" /* ts_ns */

/* epb_flags direction bits (pcapng spec, section 4.3.1) */
enum { PCAPNG_DIR_UNKNOWN = 0, PCAPNG_DIR_INBOUND = 1, PCAPNG_DIR_OUTBOUND = 2 };

struct pcapng_writer;

/* Writes the section header and one interface (linktype, snaplen,
 * if_tsresol 9: nanoseconds). NULL with the reason in err. */
struct pcapng_writer *pcapng_writer_open(const char *path, int linktype, uint32_t snaplen,
					 char *err, size_t errlen);
/* One enhanced packet block; comments[i] of lens[i] bytes (UTF-8) become
 * opt_comment options, dir the epb_flags direction. 0, or -1 with err. */
int pcapng_write_packet(struct pcapng_writer *w, ts_ns ts, const uint8_t *data, uint32_t caplen,
			uint32_t origlen, int dir, const char *const *comments, const size_t *lens,
			int ncomments, char *err, size_t errlen);
/* Flushes and closes; 0, or -1 with err (the write failed). NULL is safe. */
int pcapng_writer_close(struct pcapng_writer *w, char *err, size_t errlen);

#define PCAPNG_NOTES_MAX   ((size_t)1 << 20)
#define PCAPNG_COMMENT_MAX 4000 /* bytes of one comment kept */

struct pcapng_notes;

struct pcapng_notes *pcapng_notes_new(char *err, size_t errlen);
void pcapng_notes_free(struct pcapng_notes *s);
/* A comment for record n (several may be added; kept in the order added). */
void pcapng_notes_add(struct pcapng_notes *s, uint64_t n, const char *text, size_t len);
/* The direction of record n; records come in increasing order (gaps are
 * unknown). */
void pcapng_notes_dir(struct pcapng_notes *s, uint64_t n, int dir);
/* Comments left out because there were more than PCAPNG_NOTES_MAX, or the
 * temporary file could not be written. */
uint64_t pcapng_notes_dropped(const struct pcapng_notes *s);

/* Writes path from the packets of the pcap file `source` (opened again
 * here, with nanosecond times), with the comments and directions stored.
 * 0, or -1 with the reason in err. */
int pcapng_notes_write(struct pcapng_notes *s, const char *source, const char *path, char *err,
		       size_t errlen);

#endif

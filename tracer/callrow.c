/* callrow.c: a call row written out: as a line of text (the call, then
 * its note: what it means, why it failed, what became of its bytes), as a
 * JSON object, and in parts for the output's sink (--svg, --pcapng). The
 * correlator (correlate.c) decides; this says. */
#include <stdlib.h>
#include <string.h>

#include "corr_row.h"
#include "explain.h"

static const char *side_name(int side)
{
	return side == 0 ? "client" : side == 1 ? "server" : NULL;
}

static void json_u64_list(struct obuf *b, const char *key, const uint64_t *v, int n)
{
	ob_str(b, ",\"");
	ob_str(b, key);
	ob_str(b, "\":[");
	for (int i = 0; i < n; i++) {
		if (i)
			ob_char(b, ',');
		ob_u64(b, v[i]);
	}
	ob_char(b, ']');
}

static void json_str(struct obuf *b, const char *key, const char *v)
{
	ob_str(b, ",\"");
	ob_str(b, key);
	ob_str(b, "\":");
	if (!v) {
		ob_str(b, "null");
		return;
	}
	ob_char(b, '"');
	ob_json_escape(b, (const uint8_t *)v, strlen(v));
	ob_char(b, '"');
}

static void json_int(struct obuf *b, const char *key, int64_t v, int present)
{
	ob_str(b, ",\"");
	ob_str(b, key);
	ob_str(b, "\":");
	if (present)
		ob_i64(b, v);
	else
		ob_str(b, "null");
}

static void sig_text(struct obuf *b, const struct row *r)
{
	if (r->sigpipe) {
		ob_str(b, "; SIGPIPE raised");
		if (r->killed)
			ob_str(b, ": it killed the process");
		else if (!strcmp(r->disposition, "handler"))
			ob_str(b, ", caught by a handler");
		else if (!strcmp(r->disposition, "ignore"))
			ob_str(b, ", ignored (SIG_IGN)");
	} else if (!strcmp(r->call.err, "EPIPE") && r->call.nosignal) {
		ob_str(b, "; no SIGPIPE: MSG_NOSIGNAL");
	} else if (!strcmp(r->call.err, "ECONNRESET")) {
		ob_str(b, "; no signal");
	}
}

/* The evidence's strings point into the row's own call (rows are reused):
 * set them again before the explanation is written. */
const struct explain_evidence *callrow_ev(struct row *r)
{
	struct explain_evidence *ev = &r->ev;
	const struct call *c = &r->call;
	ev->err = c->err;
	ev->k_state = c->state;
	ev->k_sk_err = c->sk_err;
	ev->syscall = c->syscall;
	ev->family = ev->kind == EXPLAIN_SEND	? "send"
		     : ev->kind == EXPLAIN_RECV ? "recv"
						: sendlog_event_name(c->event);
	ev->beyond = r->beyond;
	ev->conn = r->conn_id != 0;
	return ev;
}

void callrow_text(struct out *o, struct row *r, size_t *what, size_t *note)
{
	struct obuf *b = out_buf(o);
	const struct call *c = &r->call;
	ob_char(b, ' ');
	size_t col = b->len;
	ob_char(b, 'L');
	ob_u64(b, c->line);
	ob_pad(b, col, 4);
	ob_char(b, ' ');
	ob_time(o, r->ts);
	ob_str(b, " ");
	col = b->len;
	if (r->conn_id) {
		ob_char(b, '#');
		ob_u64(b, r->conn_id);
	}
	ob_pad(b, col, 4);
	ob_char(b, ' ');
	const char *who = side_name(r->side);
	if (who) {
		ob_str(b, who);
		ob_char(b, ' ');
	}
	if (c->comm[0]) {
		/* The process as people know it: python3[4242]. */
		ob_text_escape(b, (const uint8_t *)c->comm, strlen(c->comm), sizeof c->comm);
		ob_char(b, '[');
		ob_i64(b, c->pid);
		ob_str(b, "] ");
	} else {
		ob_str(b, "pid ");
		ob_i64(b, c->pid);
		ob_char(b, ' ');
	}
	*what = b->len;
	switch (c->event) {
	case EV_SEND:
		if (r->send_no) {
			ob_str(b, "send #");
			ob_u64(b, r->send_no);
			ob_char(b, ' ');
		} else {
			ob_str(b, "send");
		}
		break;
	case EV_SIGNAL:
		ob_str(b, "signal ");
		ob_text_str(b, c->sig);
		if (c->disposition[0]) {
			ob_str(b, " (");
			ob_text_str(b, c->disposition);
			ob_char(b, ')');
		}
		break;
	case EV_EXIT:
		if (c->exit_sig[0]) {
			ob_str(b, "exit: killed by ");
			ob_text_str(b, c->exit_sig);
		} else {
			ob_str(b, "exit: status ");
			ob_i64(b, c->status);
		}
		break;
	default: ob_str(b, sendlog_event_name(c->event)); break;
	}
	if (c->event != EV_SIGNAL && c->event != EV_EXIT) {
		ob_char(b, '(');
		if (c->event == EV_SHUTDOWN && c->how[0])
			ob_text_str(b, c->how);
		else if (c->has_data) {
			ob_char(b, '"');
			ob_text_escape(b, c->data, c->data_len, 32);
			ob_char(b, '"');
			if (c->len >= 0) {
				ob_str(b, ", ");
				ob_i64(b, c->len);
			}
		} else if (c->len >= 0)
			ob_i64(b, c->len);
		if (c->flags[0]) {
			ob_str(b, ", ");
			ob_text_str(b, c->flags);
		}
		ob_str(b, ") = ");
		ob_i64(b, c->ret);
		if (c->ret == -1) {
			ob_char(b, ' ');
			ob_text_str(b, c->err);
		}
	}
	/* The note: what this call means. */
	*note = b->len;
	int said_beyond = 0;
	if (c->event == EV_SEND && c->ret >= 0 && r->conn_id) {
		int any = 0;
		if (r->fin_n && (r->lost || r->pending || r->acked < (uint64_t)c->ret)) {
			ob_str(b, "  -- only queued: the peer had closed (FIN at record ");
			ob_u64(b, r->fin_n);
			ob_char(b, ')');
			any = 1;
		} else if (r->fin_n) {
			ob_str(b, "  -- sent after the peer's FIN (record ");
			ob_u64(b, r->fin_n);
			ob_str(b,
			       "), and acknowledged: the peer had only shut down its sending side");
			any = 1;
		}
		if (r->lost) {
			ob_str(b, any ? "; " : "  -- ");
			ob_u64(b, r->lost);
			ob_str(b, r->lost == 1 ? " byte" : " bytes");
			ob_str(b, " never acknowledged: lost");
			if (r->settle_n) {
				ob_str(b, " with the RST at record ");
				ob_u64(b, r->settle_n);
			}
			if (r->in_flight) {
				/* It answered earlier bytes: it had left before these. */
				ob_str(b,
				       ", which was already on its way when this send was made (it "
				       "answered the data of record ");
				ob_u64(b, r->in_flight);
				ob_str(b, "): the send could not know, so it succeeded");
			}
			any = 1;
		} else if (r->unsettled) {
			uint64_t z = r->zero_win_n;
			ob_str(b, any ? "; " : "  -- ");
			ob_u64(b, r->acked);
			ob_str(b, " bytes acknowledged so far; the rest unacknowledged for 5 s");
			if (z) {
				ob_str(b, ": the peer's receive window is full (record ");
				ob_u64(b, z);
				ob_str(b, "), the data waits, it is not lost");
			}
			any = 1;
		} else if (r->settled_how == 3 && r->acked < (uint64_t)c->ret) {
			ob_str(b, any ? "; " : "  -- ");
			if (r->zero_win_n && !r->beyond) {
				ob_str(b,
				       "still waiting when the capture ended: the peer's receive "
				       "window is full (record ");
				ob_u64(b, r->zero_win_n);
				ob_str(b, "), the data waits, it is not lost");
			} else {
				ob_str(b, r->beyond
						  ? "after the end of the capture: its fate was "
						    "not captured"
						  : "not yet acknowledged when the capture ended");
			}
			any = 1;
			said_beyond = r->beyond;
		}
		if (r->by_time) {
			ob_str(b, any ? "; " : "  -- ");
			ob_str(b, "no SYN captured: matched to segments by time");
		}
		if (r->segs_incomplete) {
			ob_str(b, any || r->by_time ? "; " : "  -- ");
			ob_str(b, "its earliest segments left before anything of this side was "
				  "logged and are not all listed");
		}
	} else if (c->ret == -1 && c->event != EV_SIGNAL && c->event != EV_EXIT) {
		ob_str(b, "  -- ");
		explain_text(b, callrow_ev(r), &r->x);
		said_beyond =
			r->beyond && (r->x.cause == CAUSE_UNKNOWN || r->x.cause == CAUSE_NONE);
		if (c->event == EV_SEND)
			sig_text(b, r);
		explain_kernel_text(b, callrow_ev(r), &r->x);
	} else if (c->event == EV_RECV && c->ret == 0 && r->x.cause == CAUSE_PEER_FIN_EOF) {
		ob_str(b, "  -- ");
		explain_text(b, callrow_ev(r), &r->x);
	} else if (c->event == EV_RECV && c->ret == 0) {
		ob_str(b, "  -- end of stream: the peer's FIN");
	} else if (c->event == EV_SHUTDOWN && c->ret == 0 && strstr(c->how, "WR")) {
		ob_str(b, "  -- this side sends FIN; any later send() fails with EPIPE");
	} else if (c->event == EV_CLOSE && c->ret == 0 && r->conn_id && !r->was_reset &&
		   !r->fin_n) {
		ob_str(b, "  -- the socket is gone: data arriving now draws an RST");
	} else if (c->event == EV_EXIT && r->killed) {
		ob_str(b, "  -- it died inside a send() that never returned: ");
		explain_text(b, callrow_ev(r), &r->x);
		ob_str(b, "; SIGPIPE's default action ended the process");
	} else if (c->event == EV_SIGNAL && !strcmp(c->disposition, "handler")) {
		ob_str(b, "  -- the handler ran; the process goes on");
	} else if (c->event == EV_SIGNAL && !strcmp(c->disposition, "ignore")) {
		ob_str(b, "  -- ignored: only the EPIPE return value tells");
	}
	if (r->beyond && !said_beyond)
		ob_str(b, "  (after the end of the capture)");
	else if (!r->beyond && !r->conn_id && c->has_ep)
		ob_str(b, "  (no captured connection matches)");
	ob_char(b, '\n');
}

/* "cause": {"n": the segment or null, "why": the code, "text": the sentence}. */
static void json_cause(struct obuf *b, struct row *r)
{
	ob_str(b, ",\"cause\":{\"n\":");
	if (r->x.n)
		ob_u64(b, r->x.n);
	else
		ob_str(b, "null");
	ob_str(b, ",\"why\":\"");
	ob_str(b, explain_code(r->x.cause));
	ob_str(b, "\",\"text\":\"");
	explain_text(b, callrow_ev(r), &r->x); /* plain ASCII, no quotes: no escaping needed */
	ob_str(b, "\"}");
}

void callrow_json(struct out *o, struct row *r)
{
	struct obuf *b = out_buf(o);
	const struct call *c = &r->call;
	int sock = c->event != EV_SIGNAL && c->event != EV_EXIT;
	ob_str(b, "{\"kind\":\"call\",\"ts\":");
	ob_ts_json(b, r->ts);
	json_int(b, "line", (int64_t)c->line, 1);
	json_str(b, "event", sendlog_event_name(c->event));
	json_int(b, "pid", c->pid, 1);
	/* The convention (README, "JSON"): a key that does not apply to the
	 * row is absent; one that applies but is not known is null. */
	if (sock)
		json_int(b, "fd", c->fd, c->fd >= 0);
	json_int(b, "conn", (int64_t)r->conn_id, r->conn_id != 0);
	if (sock || r->conn_id)
		json_str(b, "side", side_name(r->side));
	if (sock)
		json_int(b, "ret", c->ret, 1);
	if (c->err[0])
		json_str(b, "errno", c->err);
	if (c->event == EV_SEND || c->event == EV_RECV)
		json_int(b, "off", c->off, c->off >= 0);
	if (c->len >= 0)
		json_int(b, "len", c->len, 1);
	if (c->event == EV_SEND && r->conn_id) {
		/* Only on a captured connection: counters of nothing would look real. */
		json_int(b, "send", r->send_no, 1);
		json_u64_list(b, "segments", nl_items(&r->segs), (int)r->segs.n);
		if (r->segs_incomplete)
			ob_str(b, ",\"segments_incomplete\":true");
		if (r->retrans.n)
			json_u64_list(b, "retransmissions", nl_items(&r->retrans),
				      (int)r->retrans.n);
		json_int(b, "acked", (int64_t)r->acked, 1);
		json_int(b, "lost", (int64_t)r->lost, !r->unsettled);
		if (r->zero_win_n)
			json_int(b, "zero_window_at", (int64_t)r->zero_win_n, 1);
		if (r->unsettled) {
			ob_str(b, ",\"unsettled\":true");
			json_str(b, "unsettled_reason",
				 "not acknowledged for 5 s; printed before its fate was known");
		}
		if (r->by_time)
			json_str(b, "mapping", "time");
		if (r->fin_n && c->ret >= 0)
			json_int(b, "after_fin", (int64_t)r->fin_n,
				 1); /* sent after the peer's FIN */
		if (r->settle_n)
			json_int(b, "lost_at", (int64_t)r->settle_n, 1);
		if (r->in_flight) {
			ob_str(b, ",\"rst_in_flight\":true");
			json_int(b, "rst_answered", (int64_t)r->in_flight, 1);
		}
	}
	if (c->ret == -1 && sock) {
		json_cause(b, r);
		if (c->event == EV_SEND) {
			ob_str(b, ",\"sigpipe\":");
			ob_str(b, r->sigpipe ? "true" : "false");
			if (r->sig_line)
				json_int(b, "signal_line", (int64_t)r->sig_line, 1);
			if (r->disposition[0])
				json_str(b, "disposition", r->disposition);
			if (r->killed) {
				json_str(b, "process", "killed by SIGPIPE");
				json_int(b, "exit_line", (int64_t)r->exit_line, 1);
			}
		}
	}
	if (c->event == EV_RECV && c->ret == 0 && r->x.cause == CAUSE_PEER_FIN_EOF)
		json_cause(b, r);
	if (c->event == EV_SIGNAL) {
		json_str(b, "sig", c->sig);
		json_str(b, "disposition", c->disposition[0] ? c->disposition : NULL);
	}
	if (c->event == EV_EXIT && r->killed) {
		json_cause(b, r);
		ob_str(b, ",\"sigpipe\":true");
	}
	if (c->event == EV_EXIT) {
		if (c->exit_sig[0])
			json_str(b, "signal", c->exit_sig);
		else
			json_int(b, "status", c->status, c->status >= 0);
	}
	if (c->event == EV_SHUTDOWN && c->how[0])
		json_str(b, "how", c->how);
	/* What the kernel recorder (or strace) knew of the call. */
	if (c->comm[0])
		json_str(b, "comm", c->comm);
	if (c->tid >= 0)
		json_int(b, "tid", c->tid, 1);
	if (c->syscall[0])
		json_str(b, "syscall", c->syscall);
	if (c->has_seq)
		json_int(b, "seq", (int64_t)c->seq, 1);
	if (c->state[0])
		json_str(b, "state", c->state);
	if (c->state_after[0])
		json_str(b, "state_after", c->state_after);
	if (c->sk_err[0])
		json_str(b, "sk_err", c->sk_err);
	if (c->ts_enter) {
		ob_str(b, ",\"ts_enter\":");
		ob_ts_json(b, c->ts_enter);
	}
	if (r->by_kseq)
		json_str(b, "mapping", "kernel_seq");
	if (c->ret == -1 && sock) {
		size_t at = b->len;
		ob_str(b, ",\"disagreement\":\"");
		if (explain_disagreement(b, callrow_ev(r), &r->x))
			ob_char(b, '"');
		else
			b->len = at;
	}
	if (r->beyond)
		ob_str(b, ",\"beyond_capture\":true");
	ob_str(b, "}\n");
}

/* Hands a call row to the output's sink: its text, in parts. */
void callrow_sink(struct out *o, struct obuf *scratch, struct row *r)
{
	const struct out_sink *s = out_sink(o);
	if (!s || !s->call)
		return;
	if (!scratch->p) {
		scratch->p = malloc(OUT_LINE_MAX);
		if (!scratch->p)
			return;
		scratch->cap = OUT_LINE_MAX;
	}
	scratch->len = 0;
	size_t ct_what = 0, ct_note = 0;
	out_swap_buf(o, scratch);
	callrow_text(o, r, &ct_what, &ct_note);
	out_swap_buf(o, scratch);
	const char *p = scratch->p;
	size_t end = scratch->len;
	while (end > ct_note && (p[end - 1] == '\n' || p[end - 1] == ' '))
		end--;
	size_t what_end = ct_note;
	while (what_end > ct_what && p[what_end - 1] == ' ')
		what_end--;
	size_t note = ct_note;
	while (note < end && (p[note] == ' ' || p[note] == '-'))
		note++;
	const struct call *c = &r->call;
	struct out_call_row row = {
		.line = c->line,
		.ts = r->ts,
		.pid = c->pid,
		.conn = r->conn_id,
		.side = r->side,
		.event = c->event,
		.failed = c->ret == -1 && c->event != EV_SIGNAL && c->event != EV_EXIT,
		.ret = c->ret,
		.what = p + ct_what,
		.what_len = what_end - ct_what,
		.note = p + note,
		.note_len = end - note,
		.cause_n = r->x.n,
		.lost_at = r->lost ? r->settle_n : 0,
		.fin_n = r->fin_n,
		.lost = r->lost,
		.segs = c->event == EV_SEND ? nl_items(&r->segs) : NULL,
		.nsegs = c->event == EV_SEND ? (int)r->segs.n : 0,
	};
	s->call(s->arg, &row);
}

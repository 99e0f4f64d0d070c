/* scenarios.c: the stories, each a server and a client process that step
 * through it in lockstep: notes over a socketpair say "I have read it", and
 * poll() says when a FIN or RST has arrived, so every run sees the same
 * errnos; --pace only adds pauses a person can follow. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "demo.h"

/* The seed's lines, sent exactly, without a trailing NUL. */
#define HELLO	     "hello\n"
#define DONT_LEAVE   "dont leave\n"
#define ARE_YOU_HERE "are you here?\n"
#define QUESTION     "????\n"
#define DONE	     "done\n"
#define HELLO_AGAIN  "hello again\n"
#define STILL_THERE  "still there?\n"

#define FIN_EVENTS POLLRDHUP
#define RST_EVENTS (POLLHUP | POLLERR)

#define NOTE_QUEUED                                                                                \
	"only queued: the server has closed, but send() just copies into the socket buffer"

/* Notes between the two sides. A side that acts tells the other once it has
 * printed its step, and the other waits for that before it reacts, so that
 * the story prints in the order things happen. The notes never stand in for
 * the kernel: a FIN or RST is awaited with poll() on the socket itself. */
#define NOTE_CONNECTED 'k'
#define NOTE_ACCEPTED  'e'
#define NOTE_SENT      's'
#define NOTE_READ      'r'
#define NOTE_CLOSED    'c'
#define NOTE_SHUT      'w'
#define NOTE_SAW_FIN   'f'
#define NOTE_FAILED    'x'
#define NOTE_ACCEPTING 'a'

static void tell(const struct side *s, char note) { sync_put(s->sync_fd, note); }

/* Take a connection, once the client has told it connected; stop listening
 * unless more clients are to come. */
static int accept_next(struct side *s, int more)
{
	int fd;
	if (step_sync(s, NOTE_CONNECTED, "the client to connect") < 0)
		return -1;
	fd = step_accept(s, NULL);
	if (fd < 0)
		return -1;
	if (!more) {
		close(s->listen_fd);
		s->listen_fd = -1;
	}
	tell(s, NOTE_ACCEPTED);
	return fd;
}

/* The server's start in most stories: its one connection. */
static int accept_one(struct side *s) { return accept_next(s, 0); }

static int connect_one(struct side *s)
{
	int fd = step_connect(s, 0, NULL);
	if (fd < 0)
		return -1;
	tell(s, NOTE_CONNECTED);
	if (step_sync(s, NOTE_ACCEPTED, "the server to accept") < 0)
		return -1;
	return fd;
}

/* send str, as the story expects, and tell the other side. */
static int send_told(struct side *s, int fd, const char *str, long want, const char *note)
{
	if (step_send(s, fd, str, want, 0, note) < 0)
		return -1;
	tell(s, NOTE_SENT);
	return 0;
}

/* recv once the other side has told that it sent. */
static int recv_told(struct side *s, int fd, const char *want, const char *note)
{
	if (step_sync(s, NOTE_SENT, "the other side to send") < 0)
		return -1;
	return step_recv(s, fd, want, note);
}

/* The client's two lines: "hello" and "dont leave", each read by the server
 * before the next is sent. */
static int client_lines(struct side *s, int fd)
{
	side_pace(s);
	if (send_told(s, fd, HELLO, 6, NULL) < 0 ||
	    step_sync(s, NOTE_READ, "the server to read \"hello\"") < 0)
		return -1;
	side_pace(s);
	return send_told(s, fd, DONT_LEAVE, 11, NULL);
}

/* The client waits until the server has closed and its FIN has arrived. */
static int client_await_fin(struct side *s, int fd)
{
	if (step_sync(s, NOTE_CLOSED, "the server to close") < 0)
		return -1;
	return step_wait(s, fd, FIN_EVENTS, RST_EVENTS, "FIN from the server");
}

/* The client's start: connected, its two lines sent and read. */
static int client_opening(struct side *s, int *fdp)
{
	int fd = connect_one(s);
	if (fd < 0)
		return -1;
	*fdp = fd;
	return client_lines(s, fd);
}

/* The server's start: read "hello", and "dont leave" unless told not to. */
static int server_opening(struct side *s, int *fdp, int read_second)
{
	int fd = accept_one(s);
	if (fd < 0)
		return -1;
	*fdp = fd;
	if (recv_told(s, fd, HELLO, NULL) < 0)
		return -1;
	tell(s, NOTE_READ);
	return read_second ? recv_told(s, fd, DONT_LEAVE, NULL) : 0;
}

/* The client's end in the abortive stories: the RST has arrived while the
 * connection was open both ways. */
static int client_after_reset(struct side *s, int fd)
{
	if (step_sync(s, NOTE_CLOSED, "the server to close") < 0 ||
	    step_wait(s, fd, RST_EVENTS, 0, "RST from the server") < 0)
		return -1;
	say(s, "an RST from the server has arrived: the connection is torn down, and the "
	       "client's socket holds the error ECONNRESET until a call reports it");
	side_pace(s);
	if (step_send(s, fd, ARE_YOU_HERE, -1, ECONNRESET,
		      "the RST came while the connection was open both ways: ECONNRESET") < 0 ||
	    step_sigpipe(s, 0) < 0)
		return -1;
	side_pace(s);
	if (step_send(s, fd, QUESTION, -1, EPIPE,
		      "the error was reported once; now the socket is simply shut for sending: "
		      "EPIPE") < 0 ||
	    step_sigpipe(s, 1) < 0)
		return -1;
	return step_close(s, fd, NULL);
}

/* ---- server-close (seed 000) ---- */

static int server_close_server(struct side *s)
{
	int fd = -1;
	if (server_opening(s, &fd, 1) < 0)
		return -1;
	side_pace(s);
	if (step_close(s, fd,
		       "the kernel sends FIN, which only says \"I will send nothing more\"") < 0)
		return -1;
	say(s,
	    "its process ends   (from now on nothing on the server's side reads this connection)");
	tell(s, NOTE_CLOSED);
	return 0;
}

/* The end of the stories in which the server's RST lands after its FIN:
 * the client's next send fails with EPIPE (and SIGPIPE, as --sigpipe says). */
static int client_epipe_end(struct side *s, int fd)
{
	side_pace(s);
	if (step_send(s, fd, QUESTION, -1, EPIPE,
		      "an RST after the server's FIN: the kernel reports EPIPE") < 0 ||
	    step_sigpipe(s, 1) < 0)
		return -1;
	return step_close(s, fd, NULL);
}

static int server_close_client(struct side *s)
{
	int fd = -1;
	if (client_opening(s, &fd) < 0)
		return -1;
	if (client_await_fin(s, fd) < 0)
		return -1;
	say(s, "the server's FIN has arrived: it will send nothing more, but nothing tells the "
	       "client that it has stopped reading");
	side_pace(s);
	if (step_send(s, fd, ARE_YOU_HERE, 14, 0, NOTE_QUEUED) < 0)
		return -1;
	if (step_wait(s, fd, RST_EVENTS, 0, "RST from the server's host") < 0)
		return -1;
	say(s, "the server's host answered those 14 bytes with RST: no socket there reads them, so "
	       "they are lost; the client's socket now holds the error EPIPE");
	return client_epipe_end(s, fd);
}

/* ---- abort-close ---- */

static int abort_close_server(struct side *s)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd = -1;
	if (server_opening(s, &fd, 1) < 0)
		return -1;
	side_pace(s);
	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0)
		return differs(s, "setsockopt(SO_LINGER) failed: %s", strerror(errno));
	say(s, "setsockopt(SO_LINGER, {on, 0 s}) = 0   (close() will now abort the connection "
	       "instead of ending it in order)");
	if (step_close(s, fd,
		       "with SO_LINGER 0 the kernel sends RST, not FIN: the connection "
		       "is torn down at once") < 0)
		return -1;
	tell(s, NOTE_CLOSED);
	return 0;
}

/* The client of both RST stories (abort-close, unread-close): the same
 * opening, then the calls after the reset. */
static int reset_story_client(struct side *s)
{
	int fd = -1;
	if (client_opening(s, &fd) < 0)
		return -1;
	return client_after_reset(s, fd);
}

/* ---- unread-close ---- */

static int unread_close_server(struct side *s)
{
	int fd = -1, unread;
	if (server_opening(s, &fd, 0) < 0)
		return -1;
	if (step_sync(s, NOTE_SENT, "the client to send \"dont leave\"") < 0 ||
	    step_wait(s, fd, POLLIN, 0, "\"dont leave\" from the client") < 0)
		return -1;
	unread = net_unread(fd);
	if (unread != 11)
		return differs(s, "expected 11 bytes waiting unread, found %d", unread);
	say(s, "11 bytes (\"dont leave\\n\") have arrived and wait in its receive buffer; it "
	       "does not read them");
	side_pace(s);
	if (step_close(s, fd,
		       "with data unread, the kernel sends RST instead of FIN "
		       "(RFC 2525, 2.17): the client must learn that data was lost") < 0)
		return -1;
	tell(s, NOTE_CLOSED);
	return 0;
}

/* ---- shutdown-write ---- */

static int shutdown_write_server(struct side *s)
{
	int fd = -1, r;
	if (server_opening(s, &fd, 0) < 0)
		return -1;
	if (step_sync(s, NOTE_SHUT, "the client to shut down its sending side") < 0 ||
	    step_recv(s, fd, NULL,
		      "the client's FIN: it will send nothing more; the server "
		      "may still send") < 0)
		return -1;
	tell(s, NOTE_SAW_FIN);
	r = sync_get(s->sync_fd, DEMO_WAIT_MS + 2 * s->opt->pace_ms);
	if (r == -1 && s->opt->sigpipe == SIGPIPE_MODE_DEFAULT) {
		say(s, "the client process has ended; the server closes too");
		return step_close(s, fd, NULL);
	}
	if (r != NOTE_FAILED)
		return differs(s, "no word from the client after its failed send()");
	side_pace(s);
	if (send_told(s, fd, DONE, 5, "this direction is still open") < 0 ||
	    step_sync(s, NOTE_READ, "the client to read \"done\"") < 0 ||
	    step_close(s, fd, NULL) < 0)
		return -1;
	tell(s, NOTE_CLOSED);
	return 0;
}

static int shutdown_write_client(struct side *s)
{
	int fd = connect_one(s);
	if (fd < 0)
		return -1;
	side_pace(s);
	if (send_told(s, fd, HELLO, 6, NULL) < 0 ||
	    step_sync(s, NOTE_READ, "the server to read \"hello\"") < 0)
		return -1;
	side_pace(s);
	if (step_shutdown(s, fd, SHUT_WR,
			  "the client shuts its own sending side: its kernel sends "
			  "FIN; it can still receive") < 0)
		return -1;
	tell(s, NOTE_SHUT);
	if (step_sync(s, NOTE_SAW_FIN, "the server to see the FIN") < 0)
		return -1;
	side_pace(s);
	if (step_send(s, fd, ARE_YOU_HERE, -1, EPIPE,
		      "its own sending side is shut: EPIPE at once, with nothing on the wire") <
		    0 ||
	    step_sigpipe(s, 1) < 0)
		return -1;
	tell(s, NOTE_FAILED);
	if (recv_told(s, fd, DONE, "receiving still works: only the sending side was shut") < 0)
		return -1;
	tell(s, NOTE_READ);
	if (step_sync(s, NOTE_CLOSED, "the server to close") < 0 ||
	    step_recv(s, fd, NULL, "the server's FIN") < 0)
		return -1;
	return step_close(s, fd, NULL);
}

/* ---- client-exit (seed 004) ---- */

static int client_exit_server(struct side *s)
{
	int fd, took;

	/* The seed's loop: recv(), then answer "done\n", whatever recv() said. */
	fd = accept_next(s, 1);
	if (fd < 0 || recv_told(s, fd, HELLO, NULL) < 0)
		return -1;
	side_pace(s);
	if (send_told(s, fd, DONE, 5, NULL) < 0 || recv_told(s, fd, DONT_LEAVE, NULL) < 0)
		return -1;
	side_pace(s);
	if (send_told(s, fd, DONE, 5, NULL) < 0 ||
	    step_sync(s, NOTE_CLOSED, "the client to close") < 0)
		return -1;
	if (step_recv(s, fd, NULL,
		      "the client has closed its side (FIN); like the seed's "
		      "server, this one does not look and answers anyway") < 0)
		return -1;
	side_pace(s);
	if (step_send(s, fd, DONE, 5, 0,
		      "only queued: the client has gone, but send() just copies into the socket "
		      "buffer") < 0 ||
	    step_wait(s, fd, RST_EVENTS, 0, "RST from the client's host") < 0)
		return -1;
	say(s, "the client's host answered those 5 bytes with RST: no process there reads them, so "
	       "they are lost; the server's socket now holds the error EPIPE");
	if (step_recv(s, fd, NULL,
		      "still 0: the FIN came first, so recv() reports the end of "
		      "the stream, not the error") < 0)
		return -1;
	side_pace(s);
	if (step_send(s, fd, DONE, -1, EPIPE,
		      "an RST after the client's FIN: the kernel reports EPIPE") < 0)
		return -1;
	took = s->opt->sigpipe == SIGPIPE_MODE_HANDLER;
	if (step_sigpipe(s, 1) < 0)
		return -1;
	if (took)
		say(s, "the handler's flag ends this session, not the process (the seed's fix: "
		       "connected = 0)");
	else
		say(s, "send() failed: the server leaves this session");
	if (step_close(s, fd, "the end of the first session") < 0)
		return -1;
	say(s, "back in accept(), waiting for the next client");
	tell(s, NOTE_ACCEPTING);

	fd = accept_one(s);
	if (fd < 0 || recv_told(s, fd, HELLO_AGAIN, NULL) < 0)
		return -1;
	side_pace(s);
	if (send_told(s, fd, DONE, 5, NULL) < 0 ||
	    step_sync(s, NOTE_READ, "the client to read \"done\"") < 0)
		return -1;
	if (step_close(s, fd, "the demo ends here") < 0)
		return -1;
	tell(s, NOTE_CLOSED);
	return 0;
}

static int client_exit_client(struct side *s)
{
	int fd = connect_one(s);
	if (fd < 0)
		return -1;
	side_pace(s);
	if (send_told(s, fd, HELLO, 6, NULL) < 0 || recv_told(s, fd, DONE, NULL) < 0)
		return -1;
	side_pace(s);
	if (send_told(s, fd, DONT_LEAVE, 11, NULL) < 0 || recv_told(s, fd, DONE, NULL) < 0)
		return -1;
	side_pace(s);
	if (step_close(s, fd, "its input is over: it closes its socket, and the kernel sends FIN") <
	    0)
		return -1;
	say(s, "its process ends");
	tell(s, NOTE_CLOSED);
	return 0;
}

static int client_exit_second(struct side *s)
{
	int fd;
	if (s->opt->sigpipe == SIGPIPE_MODE_DEFAULT)
		return step_connect(s, ECONNREFUSED,
				    "nobody listens any more: SIGPIPE ended the "
				    "server process, as in the seed before its fix");
	fd = connect_one(s);
	if (fd < 0)
		return -1;
	side_pace(s);
	if (send_told(s, fd, HELLO_AGAIN, 12, NULL) < 0 || recv_told(s, fd, DONE, NULL) < 0)
		return -1;
	tell(s, NOTE_READ);
	if (step_sync(s, NOTE_CLOSED, "the server to close") < 0)
		return -1;
	return step_close(s, fd, NULL);
}

static int client_exit_parent(const struct scenario *sc, struct run *r)
{
	struct side server, client1, client2;
	int dies = r->opt->sigpipe == SIGPIPE_MODE_DEFAULT;
	struct proc procs[2];
	int rc = 0, note;

	(void)sc;
	run_side(r, &server, "server", 1);
	server.listen_fd = r->listen_fd;
	server.sync_fd = r->sync[0];
	procs[0] = (struct proc){ run_spawn(r, &server, client_exit_server), "server",
				  dies ? SIGPIPE : 0, -1 };
	close(r->listen_fd);
	r->listen_fd = -1;
	close(r->sync[0]);
	r->sync[0] = -1;

	/* The clients take turns at the notes' other end; between them the
	 * parent holds it, and hears when the server is back in accept(). */
	run_side(r, &client1, "client", 0);
	client1.sync_fd = r->sync[1];
	procs[1] = (struct proc){ run_spawn(r, &client1, client_exit_client), "client", 0, -1 };
	if (run_wait(r, &procs[1], 1) < 0)
		rc = -1;

	note = sync_get(r->sync[1], 2 * DEMO_WAIT_MS + 10 * r->opt->pace_ms);
	if (note != NOTE_ACCEPTING && !dies) {
		story("parent: the server did not get back to accept()");
		rc = -1;
	}
	if (note == -1 && run_wait(r, &procs[0], 1) < 0) /* it has died: say so first */
		rc = -1;

	run_side(r, &client2, "client 2", 0);
	client2.sync_fd = r->sync[1];
	procs[1] = (struct proc){ run_spawn(r, &client2, client_exit_second), "client 2", 0, -1 };
	if (run_wait(r, procs, 2) < 0) /* the server too, if it is still there */
		rc = -1;
	return rc;
}

/* ---- connect-refused ---- */

static int connect_refused_client(struct side *s)
{
	side_pace(s);
	return step_connect(s, ECONNREFUSED,
			    "the server's host answered the connection request (SYN) with RST: "
			    "nothing listens there, so connect() fails with ECONNREFUSED");
}

/* No server process: the parent closes the listening socket, and only the
 * client runs. */
static int connect_refused_parent(const struct scenario *sc, struct run *r)
{
	struct side client;
	struct proc procs[1];

	(void)sc;
	close(r->listen_fd);
	r->listen_fd = -1;
	story("server: its listening socket is closed before anyone connects: nothing listens on "
	      "that port any more");
	run_side(r, &client, "client", 1);
	client.sync_fd = r->sync[1];
	procs[0] = (struct proc){ run_spawn(r, &client, connect_refused_client), "client", 0, -1 };
	if (procs[0].pid < 0) {
		story("cannot fork: %s", strerror(errno));
		return -1;
	}
	return run_wait(r, procs, 1);
}

/* ---- peer-eof ---- */

static int peer_eof_server(struct side *s)
{
	int fd = -1;
	if (server_opening(s, &fd, 1) < 0)
		return -1;
	side_pace(s);
	if (step_close(s, fd, "it has read everything: the kernel sends FIN") < 0)
		return -1;
	tell(s, NOTE_CLOSED);
	return 0;
}

static int peer_eof_client(struct side *s)
{
	int fd = -1;
	if (client_opening(s, &fd) < 0)
		return -1;
	if (client_await_fin(s, fd) < 0)
		return -1;
	side_pace(s);
	if (step_recv(s, fd, NULL,
		      "end of stream: the server's FIN came after everything it sent, so recv() "
		      "returns 0, not an error") < 0)
		return -1;
	return step_close(s, fd, NULL);
}

/* ---- recv-reset ---- */

static int recv_reset_client(struct side *s)
{
	int fd = -1;
	if (client_opening(s, &fd) < 0)
		return -1;
	if (step_sync(s, NOTE_CLOSED, "the server to close") < 0 ||
	    step_wait(s, fd, RST_EVENTS, 0, "RST from the server") < 0)
		return -1;
	say(s, "an RST from the server has arrived: the connection is torn down, and the "
	       "client's socket holds the error ECONNRESET until a call reports it");
	side_pace(s);
	if (step_recv_err(s, fd, ECONNRESET,
			  "the first call after the RST reports it, here a recv(): "
			  "\"Connection reset by peer\"") < 0)
		return -1;
	side_pace(s);
	if (step_send(s, fd, QUESTION, -1, EPIPE,
		      "the error went to the recv(); now the socket is simply shut for sending: "
		      "EPIPE") < 0 ||
	    step_sigpipe(s, 1) < 0)
		return -1;
	return step_close(s, fd, NULL);
}

/* ---- timeout and lost-rst: the network drops packets (root, iptables) ---- */

static int srv_port(const struct side *s)
{
	if (s->srv.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&s->srv)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&s->srv)->sin_port);
}

static int drop_rule(struct side *s, int add, const char *dir, int rst_only)
{
	char err[512];
	if (net_drop_rule(s->srv.ss_family, add, dir, srv_port(s), rst_only, err, sizeof(err)) == 0)
		return 0;
	return differs(s,
		       "iptables could not %s the rule that drops packets (it needs root, and "
		       "is meant for a private network namespace): %s",
		       add ? "add" : "remove", err);
}

/* These stories change the firewall: as root only, else skipped (with a
 * notice saying why: the network has to do what). */
static int skipped_unless_root(const struct scenario *sc, const char *what)
{
	if (geteuid() == 0)
		return 0;
	story("%s: skipped: the network has to %s, which needs root; run it as root in a network "
	      "namespace of its own (unshare -n)",
	      sc->name, what);
	return 1;
}

static int needs_root_parent(const struct scenario *sc, struct run *r)
{
	if (skipped_unless_root(sc, "drop packets (iptables)"))
		return 0;
	return run_pair(sc, r);
}

static int timeout_server(struct side *s)
{
	int fd = accept_one(s);
	if (fd < 0 || recv_told(s, fd, HELLO, NULL) < 0)
		return -1;
	tell(s, NOTE_READ);
	if (step_sync(s, NOTE_CLOSED, "the client to give up") < 0)
		return -1;
	return step_close(s, fd, NULL);
}

static int timeout_rest(struct side *s, int fd)
{
	unsigned int ms = 1000;
	if (setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms)) < 0)
		return differs(s, "setsockopt(TCP_USER_TIMEOUT) failed: %s", strerror(errno));
	say(s, "setsockopt(TCP_USER_TIMEOUT, 1000 ms) = 0   (give up when sent data stays "
	       "unacknowledged for 1 s; without it the kernel retries for about 15 minutes)");
	side_pace(s);
	if (step_send(s, fd, ARE_YOU_HERE, 14, 0,
		      "only queued: send() does not wait for the server to answer") < 0 ||
	    step_wait(s, fd, RST_EVENTS, 0, "the kernel to give up") < 0)
		return -1;
	say(s, "its kernel sent those 14 bytes again and again, never acknowledged, and has given "
	       "up: the socket now holds the error ETIMEDOUT");
	if (step_send(s, fd, QUESTION, -1, ETIMEDOUT,
		      "the connection timed out: ETIMEDOUT, and no signal") < 0 ||
	    step_sigpipe(s, 0) < 0)
		return -1;
	return step_close(s, fd, NULL);
}

static int timeout_client(struct side *s)
{
	int fd = connect_one(s), rc;
	if (fd < 0)
		return -1;
	side_pace(s);
	if (send_told(s, fd, HELLO, 6, NULL) < 0 ||
	    step_sync(s, NOTE_READ, "the server to read \"hello\"") < 0 ||
	    drop_rule(s, 1, "--dport", 0) < 0)
		return -1;
	say(s, "from now on the network drops every packet to the server (iptables DROP): the "
	       "server will never answer again");
	rc = timeout_rest(s, fd);
	if (drop_rule(s, 0, "--dport", 0) < 0)
		rc = -1;
	tell(s, NOTE_CLOSED);
	return rc;
}

/* The RST to the 14 bytes is dropped on its way to the client's socket
 * (after the capture has seen it); the client's kernel sends them again,
 * and the RST that answers that retransmission lands. */
static int lost_rst_middle(struct side *s, int fd)
{
	int r;
	side_pace(s);
	if (step_send(s, fd, ARE_YOU_HERE, 14, 0, NOTE_QUEUED) < 0)
		return -1;
	r = net_wait(fd, RST_EVENTS, 100);
	if (r != 0)
		return differs(s,
			       "the RST reached the socket though the network should have dropped "
			       "it");
	say(s, "the server's host answered those 14 bytes with RST, but the network dropped it: "
	       "the client's socket knows nothing, and its kernel will send the bytes again");
	return 0;
}

static int lost_rst_client(struct side *s)
{
	int fd = -1, rc;
	if (client_opening(s, &fd) < 0)
		return -1;
	if (client_await_fin(s, fd) < 0)
		return -1;
	say(s, "the server's FIN has arrived; the network will now drop the next RST from the "
	       "server (iptables), after the capture has seen it");
	if (drop_rule(s, 1, "--sport", 1) < 0)
		return -1;
	rc = lost_rst_middle(s, fd);
	if (drop_rule(s, 0, "--sport", 1) < 0 || rc < 0)
		return -1;
	if (step_wait(s, fd, RST_EVENTS, 0, "the RST answering the retransmission") < 0)
		return -1;
	say(s, "the 14 bytes went again (a retransmission, about 200 ms later), and this RST "
	       "arrived: the client's socket now holds the error EPIPE");
	return client_epipe_end(s, fd);
}

/* ---- delayed-race: the network delays the server's packets (root) ---- */

/* How long the network holds each packet from the server: long enough that
 * the client's second send is made well before the RST arrives, even on a
 * loaded machine; well under the 1 s a SYN waits before it is sent again
 * (the SYN-ACK is held too); and the kernel's retransmission timers, which
 * learn the 300 ms round trip, stay out of the way. */
#define RACE_DELAY_MS 300
#define STRING_OF(x)  #x
#define STRING(x)     STRING_OF(x) /* "300" */

static int delayed_race_client(struct side *s)
{
	int one = 1, fd = connect_one(s);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		return differs(s, "setsockopt(TCP_NODELAY) failed: %s", strerror(errno));
	say(s,
	    "setsockopt(TCP_NODELAY) = 0   (every send() goes on the wire at once; without it "
	    "a short line waits while the one before is unacknowledged, and the server's "
	    "acknowledgments come %d ms late)",
	    RACE_DELAY_MS);
	if (client_lines(s, fd) < 0)
		return -1;
	if (client_await_fin(s, fd) < 0)
		return -1;
	say(s,
	    "the server's FIN has arrived, %d ms after the server sent it: it will send nothing "
	    "more, but nothing tells the client that it has stopped reading",
	    RACE_DELAY_MS);
	side_pace(s);
	if (step_send(s, fd, ARE_YOU_HERE, 14, 0, NOTE_QUEUED) < 0)
		return -1;
	if (net_wait(fd, RST_EVENTS, 0) != 0)
		return differs(s,
			       "the RST has already reached the socket, though the network "
			       "should hold it %d ms",
			       RACE_DELAY_MS);
	say(s,
	    "the server's host has already answered those 14 bytes with RST, but the network "
	    "holds it %d ms: the client's socket knows nothing yet, and sends again at once",
	    RACE_DELAY_MS);
	if (step_send(s, fd, STILL_THERE, 13, 0,
		      "this one too only copies into the socket buffer and goes on the wire at "
		      "once: nothing reads it at the server's end, it is lost as well") < 0)
		return -1;
	if (step_wait(s, fd, RST_EVENTS, 0, "RST from the server's host") < 0)
		return -1;
	say(s,
	    "the RST answering the 14 bytes has arrived, %d ms late: the client's socket now "
	    "holds the error EPIPE; the 13 bytes sent meanwhile drew a second RST, which comes "
	    "just after and finds nothing left to reset",
	    RACE_DELAY_MS);
	return client_epipe_end(s, fd);
}

/* The parent starts the delay line, then routes the server's packets
 * through it (iptables NFQUEUE on lo's OUTPUT, from the server's port: the
 * SYN-ACK, acknowledgments, FIN and RSTs) and runs the story; the rule goes
 * and the delay line stops whatever happened. The capture on lo taps what
 * has left OUTPUT: it sees each packet from the server when it is let go,
 * that is when the client gets it. */
static int delayed_race_parent(const struct scenario *sc, struct run *r)
{
	struct side net;
	struct delayline dl;
	char err[512];
	unsigned long held;
	int port, queue, rc;

	if (skipped_unless_root(sc, "delay packets (iptables NFQUEUE and a delay line)"))
		return 0;
	run_side(r, &net, "network", 0);
	port = srv_port(&net);
	queue = port; /* one queue per port: two runs side by side keep apart */
	if (delayline_start(&dl, queue, RACE_DELAY_MS, err, sizeof(err)) < 0)
		return differs(&net, "the delay line could not start: %s", err);
	r->aside = dl.pid;
	r->aside_fd = dl.fd;
	if (net_queue_rule(net.srv.ss_family, 1, port, queue, err, sizeof(err)) < 0) {
		differs(&net,
			"iptables could not add the rule that hands the server's packets to the "
			"delay line (it needs root, and is meant for a private network "
			"namespace): %s",
			err);
		rc = -1;
	} else {
		say(&net,
		    "every packet from the server's port %d is held %d ms before it goes on "
		    "(iptables NFQUEUE to queue %d, and a delay line): the client gets all "
		    "the server sends %d ms late; the capture sees it when the client does",
		    port, RACE_DELAY_MS, queue, RACE_DELAY_MS);
		rc = run_pair(sc, r);
		if (net_queue_rule(net.srv.ss_family, 0, port, queue, err, sizeof(err)) < 0)
			rc = differs(&net, "iptables could not remove the delay line's rule: %s",
				     err);
	}
	if (r->aside_ended)
		delayline_reaped(&dl, r->aside_status);
	r->aside = 0;
	r->aside_fd = -1;
	if (delayline_stop(&dl, &held, err, sizeof(err)) < 0)
		return differs(&net, "%s", err);
	if (rc == 0)
		say(&net, "the delay line held %lu packets from the server, %d ms each", held,
		    RACE_DELAY_MS);
	return rc;
}

/* ---- the table ---- */

const struct scenario scenarios[] = {
	{ "server-close", "seed 000",
	  "the server closes; the client's next send() still succeeds, the one after fails with "
	  "EPIPE and SIGPIPE",
	  "the client sends \"hello\" and \"dont leave\"; the server reads them and closes; the "
	  "client sends again",
	  0, server_close_server, server_close_client, NULL },
	{ "client-exit", "seed 004",
	  "the client ends; the echo server's next send() draws an RST, the one after fails with "
	  "EPIPE and SIGPIPE",
	  "an echo server answers \"done\" to every line; its client goes away; the server answers "
	  "anyway, then serves a second client",
	  1, client_exit_server, client_exit_client, client_exit_parent },
	{ "abort-close", NULL,
	  "the server closes with SO_LINGER 0: RST at once; the client gets ECONNRESET, then EPIPE "
	  "and SIGPIPE",
	  "the server aborts the connection (SO_LINGER 0) instead of closing it in order", 0,
	  abort_close_server, reset_story_client, NULL },
	{ "unread-close", NULL,
	  "the server closes with bytes unread: RST instead of FIN; the client gets ECONNRESET, "
	  "then "
	  "EPIPE and SIGPIPE",
	  "the server closes while bytes from the client wait unread in its receive buffer", 0,
	  unread_close_server, reset_story_client, NULL },
	{ "shutdown-write", NULL,
	  "the client shuts down its own sending side: its next send() fails with EPIPE, nothing "
	  "on the wire",
	  "the client calls shutdown(SHUT_WR), then tries to send once more", 0,
	  shutdown_write_server, shutdown_write_client, NULL },
	{ "connect-refused", NULL,
	  "nothing listens on the port: the RST answering the SYN makes connect() fail with "
	  "ECONNREFUSED",
	  "the server stops listening before the client connects", 0, NULL, connect_refused_client,
	  connect_refused_parent, 1 },
	{ "recv-reset", NULL,
	  "the server aborts (SO_LINGER 0): the client's recv() gets ECONNRESET, its next send() "
	  "EPIPE and SIGPIPE",
	  "the server aborts the connection; the client's next call is a recv()", 0,
	  abort_close_server, recv_reset_client, NULL },
	{ "peer-eof", NULL,
	  "the server reads everything and closes: the client's recv() returns 0 (end of stream)",
	  "the server reads both lines and closes in order; the client reads on", 0,
	  peer_eof_server, peer_eof_client, NULL, 1 },
	{ "timeout", NULL,
	  "the network drops everything to the server: retransmitted unanswered, the client's "
	  "send() fails with ETIMEDOUT (root)",
	  "the server goes silent: the network drops every packet to it; TCP_USER_TIMEOUT keeps "
	  "the wait to about a second",
	  0, timeout_server, timeout_client, needs_root_parent, 1 },
	{ "lost-rst", NULL,
	  "server-close with the first RST dropped on its way: the retransmission draws a second "
	  "RST, which is the one that counts (root)",
	  "as server-close, but the network drops the first RST before it reaches the client", 0,
	  server_close_server, lost_rst_client, needs_root_parent },
	{ "delayed-race", NULL,
	  "server-close with the server's packets delayed: a second send() made while the RST is "
	  "on its way succeeds and is lost too; the next fails with EPIPE (root)",
	  "as server-close, but the network holds every packet from the server " STRING(
		  RACE_DELAY_MS) " ms: the client sends again while the server's RST is still on "
				 "its way",
	  0, server_close_server, delayed_race_client, delayed_race_parent },
};
const size_t scenario_count = sizeof(scenarios) / sizeof(scenarios[0]);

const struct scenario *scenario_find(const char *name)
{
	for (size_t i = 0; i < scenario_count; i++)
		if (strcmp(scenarios[i].name, name) == 0)
			return &scenarios[i];
	return NULL;
}

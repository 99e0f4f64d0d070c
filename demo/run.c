/* run.c: the parent process of a scenario: it listens, forks the server and
 * the client, waits for them, logs how each ended, and judges the story. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demo.h"

void run_side(const struct run *r, struct side *s, const char *who, int instrumented)
{
	memset(s, 0, sizeof(*s));
	s->opt = r->opt;
	s->log = r->log;
	s->who = who;
	s->instrumented = instrumented;
	s->listen_fd = -1;
	s->sync_fd = -1;
	s->srv = r->srv;
	s->srvlen = r->srvlen;
}

static void close_unless(int fd, const struct side *s)
{
	if (fd >= 0 && fd != s->listen_fd && fd != s->sync_fd)
		close(fd);
}

pid_t run_spawn(struct run *r, struct side *s, int (*fn)(struct side *))
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	close_unless(r->listen_fd, s);
	close_unless(r->sync[0], s);
	close_unless(r->sync[1], s);
	close_unless(r->aside_fd, s);
	side_setup_sigpipe(s);
	/* A story that stalls (a segment that never comes) ends here rather
	 * than hanging: the parent then reports the SIGALRM. */
	alarm(30 + (unsigned)(r->opt->pace_ms / 1000) * 12);
	exit(fn(s) == 0 ? 0 : DEMO_DIFFERED);
}

static const char *ending(char *buf, size_t size, int st)
{
	if (WIFEXITED(st))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, size, "was killed by %s%s", slw_signal_name(WTERMSIG(st)),
			 WTERMSIG(st) == SIGALRM
				 ? " (it waited too long for something that never came)"
				 : "");
	else
		snprintf(buf, size, "ended (status 0x%x)", (unsigned)st);
	return buf;
}

/* Say how p ended; returns 0 if that is how the story ends it. */
static int judge(const struct proc *p, int st)
{
	char how[160];
	if (p->expect_sig) {
		if (WIFSIGNALED(st) && WTERMSIG(st) == p->expect_sig) {
			story("%s: killed by %s   (its default action ends the process; the "
			      "parent, "
			      "waiting for it, logs an exit event)",
			      p->who, slw_signal_name(p->expect_sig));
			return 0;
		}
		story("%s: UNLIKE THE STORY: it %s; %s should have ended it", p->who,
		      ending(how, sizeof(how), st), slw_signal_name(p->expect_sig));
		return -1;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == DEMO_DIFFERED)
		return -1; /* it has said what differed */
	story("%s: UNLIKE THE STORY: it %s", p->who, ending(how, sizeof(how), st));
	return -1;
}

/* Reap one child, whichever ends next, and log its exit event at once, so
 * that the log's times are the true ones whoever the parent waits for (the
 * child aside is reaped without one). */
static int reap_one(struct run *r)
{
	int st;
	pid_t pid;
	do
		pid = waitpid(-1, &st, 0);
	while (pid < 0 && errno == EINTR);
	if (pid > 0 && pid == r->aside) {
		r->aside_ended = 1;
		r->aside_status = st;
		r->aside = 0;
		return 0;
	}
	if (pid < 0 || r->nended >= RUN_MAX_PROCS)
		return -1;
	slw_exit(r->log, pid, st);
	r->ended[r->nended].pid = pid;
	r->ended[r->nended].status = st;
	r->nended++;
	return 0;
}

int run_wait(struct run *r, struct proc *procs, int n)
{
	int rc = 0;
	size_t next = 0; /* judge in the order they ended */
	int left = n;

	for (int i = 0; i < n; i++)
		if (procs[i].pid <= 0)
			left--;
	while (left > 0) {
		if (next == r->nended && reap_one(r) < 0)
			return -1;
		for (; next < r->nended; next++) {
			for (int i = 0; i < n; i++) {
				if (procs[i].pid <= 0 || procs[i].pid != r->ended[next].pid)
					continue;
				if (judge(&procs[i], r->ended[next].status) < 0)
					rc = -1;
				if (procs[i].close_after >= 0)
					close(procs[i].close_after);
				procs[i].pid = 0;
				left--;
			}
		}
	}
	return rc;
}

int run_pair(const struct scenario *sc, struct run *r)
{
	struct side server, client;
	int dies = r->opt->sigpipe == SIGPIPE_MODE_DEFAULT && !sc->no_epipe;
	int kill_server = sc->server_instrumented && dies;
	int kill_client = !sc->server_instrumented && dies;
	struct proc procs[2];

	run_side(r, &server, "server", sc->server_instrumented);
	server.listen_fd = r->listen_fd;
	server.sync_fd = r->sync[0];
	procs[0] = (struct proc){ run_spawn(r, &server, sc->server), "server",
				  kill_server ? SIGPIPE : 0, -1 };
	/* The listening socket is the server's alone from now on: when the
	 * server process ends, nobody listens any more. */
	close(r->listen_fd);
	r->listen_fd = -1;
	close(r->sync[0]);
	r->sync[0] = -1;

	run_side(r, &client, "client", !sc->server_instrumented);
	client.sync_fd = r->sync[1];
	/* The parent keeps the client's end of the notes until it has said how
	 * the client ended: only then does the server see it gone, so the
	 * story tells the death before the server's reaction to it. */
	procs[1] = (struct proc){ run_spawn(r, &client, sc->client), "client",
				  kill_client ? SIGPIPE : 0, r->sync[1] };
	r->sync[1] = -1;
	if (procs[0].pid < 0 || procs[1].pid < 0) {
		story("cannot fork: %s", strerror(errno));
		return -1;
	}
	return run_wait(r, procs, 2);
}

int scenario_run(const struct scenario *sc, const struct demo_opts *opt, struct slw *log, char *err,
		 size_t errlen)
{
	struct run r = {
		.opt = opt, .log = log, .listen_fd = -1, .sync = { -1, -1 }, .aside_fd = -1
	};
	char addr[SLW_ADDR_MAX];
	int rc;

	r.listen_fd = net_listen(opt->family, opt->port, &r.srv, &r.srvlen, err, errlen);
	if (r.listen_fd < 0)
		return DEMO_USAGE;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, r.sync) < 0) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		close(r.listen_fd);
		return DEMO_USAGE;
	}
	slw_format_addr((struct sockaddr *)&r.srv, r.srvlen, addr, sizeof(addr));

	story("%s%s%s%s: %s", sc->name, sc->seed ? " (" : "", sc->seed ? sc->seed : "",
	      sc->seed ? ")" : "", sc->intro);
	story("server at %s; the %s's SIGPIPE treatment: %s (--sigpipe); %d ms between steps "
	      "(--pace)",
	      addr, sc->server_instrumented ? "server" : "client", sigpipe_mode_name(opt->sigpipe),
	      opt->pace_ms);
	if (log)
		story("log: %s   (both processes append to it, one line per call; \"pid\" tells "
		      "them apart)",
		      opt->log_path);
	else
		story("no log is written: give --log FILE (or set RSTSCOPE_LOG) to record every "
		      "call");

	rc = sc->parent ? sc->parent(sc, &r) : run_pair(sc, &r);

	if (r.listen_fd >= 0)
		close(r.listen_fd);
	if (r.sync[0] >= 0)
		close(r.sync[0]);
	if (r.sync[1] >= 0)
		close(r.sync[1]);
	if (rc == 0) {
		story("as the story says: every call returned what it describes (exit 0)");
		return DEMO_OK;
	}
	story("the kernel did not behave as the story says: see the lines marked UNLIKE THE STORY "
	      "(exit 1)");
	return DEMO_DIFFERED;
}

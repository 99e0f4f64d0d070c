/* test_strace.c: strace output read as calls: line detection, the socket
 * calls and their fields (addresses from -yy, learned after connect(); stream
 * offsets summed per socket; errno; flags by name, -X raw and -X verbose),
 * unfinished/resumed pairs, restarted calls, signals and their disposition,
 * exits, threads, IPv6, -tt with a date hint, reordering by return time, bad lines
 * (20 named, the rest counted), and the live command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "strace.h"

#define SEC ((ts_ns)1000000000)
#define MS  ((ts_ns)1000000)
#define US  ((ts_ns)1000)

#define MAXC 64
struct got {
	int n, bad;
	struct call c[MAXC];
	char err[4][512];
};

/* Writes text to a temporary file, reads every call from it. */
static void read_all(const char *text, ts_ns hint, struct got *g)
{
	char path[] = "/tmp/test_strace_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	char err[512];
	struct strace_log *s = strace_open(path, 0, err, sizeof err);
	if (!s)
		fail_msg("strace_open: %s", err);
	if (hint)
		strace_time_hint(s, hint);
	memset(g, 0, sizeof *g);
	struct call c;
	int r;
	while ((r = strace_next(s, &c, err, sizeof err)) != 0) {
		if (r < 0) {
			if (g->bad < 4)
				snprintf(g->err[g->bad], sizeof g->err[0], "%s", err);
			g->bad++;
			continue;
		}
		assert_true(g->n < MAXC);
		g->c[g->n++] = c;
	}
	strace_free(s);
	unlink(path);
}

static const char story[] =
	"100 1700000000.000100 execve(\"/usr/bin/client\", [\"client\"], 0x7ffd /* 3 vars */) = 0 "
	"<0.000100>\n"
	"100 1700000000.001000 rt_sigaction(SIGPIPE, {sa_handler=0x55d0, sa_mask=[], "
	"sa_flags=SA_RESTORER}, NULL, 8) = 0 <0.000010>\n"
	"100 1700000000.002000 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = "
	"4<TCP:[5001]> <0.000020>\n"
	"100 1700000000.003000 connect(4<TCP:[5001]>, {sa_family=AF_INET, sin_port=htons(8999), "
	"sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0 <0.000100>\n"
	"100 1700000000.004000 getsockname(4<TCP:[127.0.0.1:40000->127.0.0.1:8999]>, "
	"{sa_family=AF_INET}, [16]) = 0 <0.000010>\n"
	"100 1700000000.005000 sendto(4<TCP:[127.0.0.1:40000->127.0.0.1:8999]>, \"hello\\n\", 6, "
	"0, NULL, 0) = 6 <0.000050>\n"
	"100 1700000000.006000 write(4<TCP:[127.0.0.1:40000->127.0.0.1:8999]>, \"dont "
	"\\\"leave\\\"\\n\", 13 <unfinished ...>\n"
	"200 1700000000.006500 recvfrom(6<TCP:[127.0.0.1:8999->127.0.0.1:40000]>, \"hello\\n\", "
	"64, MSG_PEEK, NULL, NULL) = 6 <0.000010>\n"
	"100 1700000000.007000 <... write resumed>) = 13 <0.001000>\n"
	"200 1700000000.008000 read(6<TCP:[127.0.0.1:8999->127.0.0.1:40000]>, \"hello\\n\", 64) = "
	"6 <0.000010>\n"
	"200 1700000000.009000 read(6<TCP:[127.0.0.1:8999->127.0.0.1:40000]>,  <unfinished ...>\n"
	"200 1700000000.010000 <... read resumed>0x7ffc, 64) = ? ERESTARTSYS (To be restarted if "
	"SA_RESTART is set) <0.000100>\n"
	"200 1700000000.011000 close(6<TCP:[127.0.0.1:8999->127.0.0.1:40000]>) = 0 <0.000010>\n"
	"100 1700000000.020000 sendmsg(4<TCP:[127.0.0.1:40000->127.0.0.1:8999]>, {msg_name=NULL, "
	"msg_namelen=0, msg_iov=[{iov_base=\"x\", iov_len=1}, {iov_base=\"yz\", iov_len=2}], "
	"msg_iovlen=2, msg_controllen=0, msg_flags=0}, MSG_NOSIGNAL) = 3 <0.000010>\n"
	"100 1700000000.030000 sendto(4<TCP:[127.0.0.1:40000->127.0.0.1:8999]>, \"??\", 2, 0, "
	"NULL, 0) = -1 EPIPE (Broken pipe) <0.000010>\n"
	"100 1700000000.030100 --- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=100, "
	"si_uid=0} ---\n"
	"100 1700000000.031000 shutdown(4<TCP:[127.0.0.1:40000->127.0.0.1:8999]>, SHUT_WR) = 0 "
	"<0.000010>\n"
	"100 1700000000.032000 close(4<TCP:[127.0.0.1:40000->127.0.0.1:8999]>) = 0 <0.000010>\n"
	"100 1700000000.040000 exit_group(0) = ?\n"
	"100 1700000000.040100 +++ exited with 0 +++\n";

static void test_story(void **state)
{
	(void)state;
	struct got g;
	read_all(story, 0, &g);
	assert_int_equal(g.bad, 0);
	/* connect, send, recv(peek), send (resumed), recv, close, sendmsg,
	 * send EPIPE, signal, shutdown, close, exit. */
	assert_int_equal(g.n, 12);
	const struct call *c = &g.c[0];
	assert_int_equal(c->event, EV_CONNECT);
	assert_true(c->has_ep); /* learned from the getsockname() after it */
	assert_int_equal(c->lport, 40000);
	assert_int_equal(c->pport, 8999);
	assert_int_equal(c->family, 4);
	assert_int_equal(c->laddr[0], 127);
	assert_string_equal(c->comm, "client");
	/* Placed at the process's next stamp (the getsockname), not entry + duration. */
	assert_int_equal(c->ts, 1700000000 * SEC + 4 * MS);
	assert_int_equal(c->ts_enter, 1700000000 * SEC + 3 * MS);

	c = &g.c[1];
	assert_int_equal(c->event, EV_SEND);
	assert_string_equal(c->syscall, "sendto");
	assert_int_equal(c->off, 0);
	assert_int_equal(c->len, 6);
	assert_int_equal(c->ret, 6);
	assert_int_equal(c->ts, 1700000000 * SEC + 5 * MS + 50 * US);
	assert_int_equal(c->data_len, 6);
	assert_memory_equal(c->data, "hello\n", 6);

	c = &g.c[2]; /* MSG_PEEK: the recv offset does not move */
	assert_int_equal(c->event, EV_RECV);
	assert_int_equal(c->pid, 200);
	assert_int_equal(c->off, 0);
	assert_string_equal(c->flags, "MSG_PEEK");

	c = &g.c[3]; /* the resumed write: entry from the first line, + 1 ms */
	assert_int_equal(c->event, EV_SEND);
	assert_string_equal(c->syscall, "write");
	assert_int_equal(c->off, 6);
	assert_int_equal(c->ret, 13);
	assert_int_equal(c->ts, 1700000000 * SEC + 7 * MS);
	assert_int_equal(c->data_len, 13);
	assert_memory_equal(c->data, "dont \"leave\"\n", 13);

	c = &g.c[4];
	assert_int_equal(c->event, EV_RECV);
	assert_int_equal(c->off, 0);
	assert_int_equal(c->ret, 6);
	/* The restarted read gave no call. */
	assert_int_equal(g.c[5].event, EV_CLOSE);
	assert_int_equal(g.c[5].pid, 200);

	c = &g.c[6];
	assert_string_equal(c->syscall, "sendmsg");
	assert_int_equal(c->len, 3);
	assert_int_equal(c->off, 19);
	assert_true(c->nosignal);

	c = &g.c[7];
	assert_int_equal(c->ret, -1);
	assert_string_equal(c->err, "EPIPE");
	assert_int_equal(c->off, 22);
	assert_false(c->nosignal);

	c = &g.c[8];
	assert_int_equal(c->event, EV_SIGNAL);
	assert_string_equal(c->sig, "SIGPIPE");
	assert_string_equal(c->disposition, "handler");

	assert_int_equal(g.c[9].event, EV_SHUTDOWN);
	assert_string_equal(g.c[9].how, "SHUT_WR");
	assert_int_equal(g.c[10].event, EV_CLOSE);
	assert_int_equal(g.c[11].event, EV_EXIT);
	assert_int_equal(g.c[11].status, 0);
	assert_string_equal(g.c[11].exit_sig, "");
}

/* -X raw: numbers for flags, handlers and signals; -X verbose: both. */
static void test_raw_and_verbose(void **state)
{
	(void)state;
	struct got g;
	read_all("7 1700000000.000000 rt_sigaction(13, {sa_handler=0x1, sa_mask=[], "
		 "sa_flags=0x4000000}, NULL, 8) = 0 <0.000010>\n"
		 "7 1700000000.001000 sendto(3<TCP:[10.0.0.1:1->10.0.0.2:2]>, \"a\", 1, 0x4000, "
		 "NULL, 0) = 1 <0.000010>\n"
		 "7 1700000000.002000 sendto(3<TCP:[10.0.0.1:1->10.0.0.2:2]>, \"b\", 1, 0x4000 /* "
		 "MSG_NOSIGNAL */, NULL, 0) = -1 EPIPE (Broken pipe) <0.000010>\n"
		 "7 1700000000.003000 shutdown(3<TCP:[10.0.0.1:1->10.0.0.2:2]>, 1) = 0 <0.000010>\n"
		 "7 1700000000.004000 --- SIGPIPE {si_signo=13, si_code=0} ---\n",
		 0, &g);
	assert_int_equal(g.bad, 0);
	assert_int_equal(g.n, 4);
	assert_true(g.c[0].nosignal);
	assert_string_equal(g.c[0].flags, "MSG_NOSIGNAL");
	assert_true(g.c[1].nosignal);
	assert_int_equal(g.c[1].off, 1);
	assert_string_equal(g.c[2].how, "SHUT_WR");
	assert_string_equal(g.c[3].disposition, "ignore");
}

/* Killed by SIGPIPE with no rt_sigaction traced: the signal before it was
 * not handled. With no disposition known and no kill, "unknown". */
static void test_killed_and_unknown(void **state)
{
	(void)state;
	struct got g;
	read_all("9 1700000000.000000 --- SIGPIPE {si_signo=SIGPIPE} ---\n"
		 "9 1700000000.000100 +++ killed by SIGPIPE +++\n"
		 "8 1700000001.000000 --- SIGPIPE {si_signo=SIGPIPE} ---\n"
		 "8 1700000001.100000 +++ killed by SIGKILL (core dumped) +++\n",
		 0, &g);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.c[0].disposition, "default");
	assert_string_equal(g.c[1].exit_sig, "SIGPIPE");
	assert_string_equal(g.c[2].disposition, "unknown");
	assert_string_equal(g.c[3].exit_sig, "SIGKILL");
}

static void test_ipv6_and_mapped(void **state)
{
	(void)state;
	struct got g;
	read_all("5 1700000000.000000 write(3<TCPv6:[[::1]:8999->[::1]:45678]>, \"x\", 1) = 1 "
		 "<0.000001>\n"
		 "5 1700000000.001000 "
		 "write(4<TCPv6:[[::ffff:127.0.0.1]:80->[::ffff:127.0.0.1]:5000]>, \"y\", 1) = 1 "
		 "<0.000001>\n",
		 0, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.c[0].family, 6);
	assert_int_equal(g.c[0].laddr[15], 1);
	assert_int_equal(g.c[0].lport, 8999);
	assert_int_equal(g.c[0].pport, 45678);
	assert_int_equal(g.c[1].family, 4); /* on the wire: IPv4 */
	assert_int_equal(g.c[1].laddr[0], 127);
	assert_int_equal(g.c[1].laddr[4], 0);
}

/* Lines come out in return order, even when strace printed them otherwise;
 * without a pid prefix or a stamp they are still read. */
static void test_reorder(void **state)
{
	(void)state;
	struct got g;
	read_all("1 1700000000.000000 write(3<TCP:[1.1.1.1:1->2.2.2.2:2]>, \"a\", 1) = 1 "
		 "<0.005000>\n"
		 "2 1700000000.001000 write(4<TCP:[1.1.1.1:3->2.2.2.2:4]>, \"b\", 1) = 1 "
		 "<0.000010>\n",
		 0, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.c[0].pid, 2);
	assert_int_equal(g.c[1].pid, 1);
	read_all("write(3<TCP:[1.1.1.1:1->2.2.2.2:2]>, \"a\", 1) = 1\n", 0, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.c[0].ts, 0);
	assert_int_equal(g.c[0].pid, 0);
}

/* -tt: the date of the hint, in the local time zone (TZ=UTC here). */
static void test_time_of_day(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	struct got g;
	const char *text =
		"3 23:59:59.900000 write(3<TCP:[1.1.1.1:1->2.2.2.2:2]>, \"a\", 1) = 1 <0.000100>\n"
		"3 00:00:00.100000 write(3<TCP:[1.1.1.1:1->2.2.2.2:2]>, \"a\", 1) = 1 <0.000100>\n";
	ts_ns day = (ts_ns)1700006400 * SEC; /* 2023-11-15 00:00:00 UTC */
	read_all(text, day + 23 * 3600 * SEC, &g);
	assert_int_equal(g.bad, 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.c[0].ts, day + 86399 * SEC + 900 * MS + 100 * US);
	/* Past midnight: the next day. */
	assert_int_equal(g.c[1].ts, day + 86400 * SEC + 100 * MS + 100 * US);
	/* No hint: said once, the calls skipped. */
	read_all(text, 0, &g);
	assert_int_equal(g.n, 0);
	assert_int_equal(g.bad, 1);
	assert_non_null(strstr(g.err[0], "-tt"));
}

static void test_bad_lines(void **state)
{
	(void)state;
	char text[8192] = "1 1700000000.000000 write(3<TCP:[1.1.1.1:1->2.2.2.2:2]>, \"a\", 1) = 1 "
			  "<0.000010>\n";
	for (int i = 0; i < 25; i++)
		strcat(text, "not strace at all\n");
	strcat(text, "1 1700000000.100000 write(3<TCP:[1.1.1.1:1->2.2.2.2:2]>, \"b\", 1) = 1 "
		     "<0.000010>\n");
	struct got g;
	read_all(text, 0, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.c[1].off, 1);
	assert_int_equal(g.bad, 21); /* 20 named, then one line for the other 5 */
	assert_non_null(strstr(g.err[0], ": line 2: not a line of strace output"));
	assert_true(strace_line_is_strace("1 1700000000.0 write(1, \"\", 0) = 0", 34));
	assert_true(
		strace_line_is_strace("[pid  12] 12:00:00.000001 read(3,  <unfinished ...>", 51));
	assert_true(strace_line_is_strace("+++ exited with 0 +++", 21));
	assert_false(strace_line_is_strace("hello world", 11));
	assert_false(strace_line_is_strace("{\"ts\":\"1\"}", 10));
}

/* Without -yy: the descriptors socket() made are followed through fork. */
static void test_no_yy(void **state)
{
	(void)state;
	struct got g;
	read_all("1 1700000000.000000 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3 <0.000010>\n"
		 "1 1700000000.001000 clone(child_stack=NULL, flags=SIGCHLD) = 2 <0.000010>\n"
		 "2 1700000000.002000 write(3, \"a\", 1) = 1 <0.000010>\n"
		 "2 1700000000.003000 write(1, \"ok\", 2) = 2 <0.000010>\n",
		 0, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.c[0].pid, 2);
	assert_false(g.c[0].has_ep);
	assert_int_equal(g.c[0].off, 0);
}

/* A thread (clone with CLONE_THREAD) uses its process's descriptors; its
 * calls carry the process as pid and itself as tid; its end is no exit. */
static void test_threads(void **state)
{
	(void)state;
	struct got g;
	read_all("10 1700000000.000000 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3 <0.000010>\n"
		 "10 1700000000.001000 "
		 "clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_"
		 "SYSVSEM, exit_signal=0}, 88) = 11 <0.000010>\n"
		 "11 1700000000.002000 write(3, \"a\", 1) = 1 <0.000010>\n"
		 "11 1700000000.003000 --- SIGPIPE {si_signo=SIGPIPE} ---\n"
		 "11 1700000000.004000 +++ exited with 0 +++\n"
		 "10 1700000000.005000 +++ exited with 3 +++\n",
		 0, &g);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.c[0].event, EV_SEND);
	assert_int_equal(g.c[0].pid, 10);
	assert_int_equal(g.c[0].tid, 11);
	assert_int_equal(g.c[1].event, EV_SIGNAL);
	assert_int_equal(g.c[1].pid, 10);
	assert_int_equal(g.c[2].event, EV_EXIT);
	assert_int_equal(g.c[2].pid, 10);
	assert_int_equal(g.c[2].status, 3);
}

static void test_argv(void **state)
{
	(void)state;
	char *cmd[] = { "prog", "-x", NULL };
	char **v = strace_argv(cmd, 0, "/tmp/out");
	assert_non_null(v);
	const char *want[] = { "strace", "-f", "-yy",	   "-ttt", "-T",   "-qq", "-s",
			       "64",	 "-o", "/tmp/out", "--",   "prog", "-x",  NULL };
	for (int i = 0; want[i]; i++)
		assert_string_equal(v[i], want[i]);
	assert_null(v[13]);
	free(v);
	v = strace_argv(NULL, 4242, "/tmp/out");
	assert_string_equal(v[10], "-p");
	assert_string_equal(v[11], "4242");
	assert_null(v[12]);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_story),
		cmocka_unit_test(test_raw_and_verbose),
		cmocka_unit_test(test_killed_and_unknown),
		cmocka_unit_test(test_ipv6_and_mapped),
		cmocka_unit_test(test_reorder),
		cmocka_unit_test(test_time_of_day),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_no_yy),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_argv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* main.c: options, and the only place that prints errors and exits. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "rstscope_version.h"
#include "tracer.h"

static const char *progname = "rstscope";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [-i IFACE] [-l SENDLOG] [options] [filter expression]\n"
		"       %s -r FILE [-l SENDLOG] [options] [filter expression]\n"
		"       %s [options] -- COMMAND [ARGS...]\n"
		"\n"
		"Shows why send() succeeds after the peer has closed and why the next one\n"
		"fails with EPIPE: every TCP segment as a per-connection timeline, merged\n"
		"with the calls of a send log, each failure tied to the segment that caused\n"
		"it and each lost byte counted.\n"
		"\n"
		"Input:\n"
		"  -i, --interface IFACE  capture live on IFACE (default: lo; 'any' works too);\n"
		"                         needs root or CAP_NET_RAW (privileges are dropped\n"
		"                         once the capture is open)\n"
		"  -r, --read FILE        replay a pcap or pcapng file ('-' for standard input)\n"
		"  -l, --log FILE         a send log (JSON lines) or strace output to correlate;\n"
		"                         live, it is followed as it grows and may not exist\n"
		"                         yet; several -l files of strace output are merged\n"
		"  -- COMMAND [ARGS]      run COMMAND, record its calls (and those of every\n"
		"                         process it starts), trace until the last of them\n"
		"                         exits, and exit with its status; with -l FILE, the\n"
		"                         command writes that log itself (RSTSCOPE_LOG)\n"
		"\n"
		"Calls (live, without -l: recorded from the kernel with eBPF, for any program):\n"
		"  -p, --pid PID[,PID]    only these processes, and what they fork from now on\n"
		"      --no-calls         record no calls: packets only\n"
		"      --write-calls FILE save the recorded calls as a send log (default with\n"
		"                         -w FILE.pcap: FILE.sendlog beside it)\n"
		"      --log-format F     what -l FILE holds: sendlog, strace, or auto (the\n"
		"                         default: told by its first line); strace output may\n"
		"                         be a file, a directory of -ff files or their PREFIX\n"
		"      --via strace       with -- COMMAND or -p: trace with strace (-f -yy -ttt\n"
		"                         -T) instead of the kernel recorder, live\n"
		"  [filter expression]    a BPF expression as in tcpdump (default: TCP)\n"
		"  -c, --count N          stop after N TCP segments\n"
		"      --duration S       live: stop after S seconds\n"
		"  -w, --write FILE       live: save every captured packet to FILE (pcap)\n"
		"  -Z, --user USER        live, as root: run as USER once the capture is open\n"
		"                         (default: the sudo caller, if any)\n"
		"  -B, --buffer-size KiB  live: the kernel capture buffer\n"
		"\n"
		"Output:\n"
		"      --json             one JSON object per line (keys in rstscope(1))\n"
		"  -S, --absolute-seq     absolute sequence numbers in the text timeline\n"
		"  -x, --preview on|off   payload preview (default on)\n"
		"      --time MODE        rel (since the first record, default), abs (UTC date\n"
		"                         and time) or epoch (seconds since 1970)\n"
		"      --no-summary       leave out the per-connection summaries\n"
		"      --color WHEN       colours in the text: auto (on a terminal, unless\n"
		"                         NO_COLOR is set; the default), always or never\n"
		"      --compact          the compact layout (the default on a terminal\n"
		"                         narrower than 160 columns): endpoints once per\n"
		"                         connection, notes on their own lines, wrapped\n"
		"  -v, --verbose          compact: TCP options and window too\n"
		"      --pcapng FILE      also write the capture as pcapng, each packet with\n"
		"                         its explanation as a comment (for Wireshark)\n"
		"      --svg FILE         also draw the TCP ladder diagram of each connection\n"
		"      --svg-conn N       draw only connection N\n"
		"  -n                     accepted for tcpdump habits: output is always numeric\n"
		"\n"
		"  -h, --help             this text\n"
		"  -V, --version          the version\n"
		"\n"
		"Exit status: 0 clean, 1 the input was damaged (what was readable was shown),\n"
		"2 usage error or the input cannot be opened; with a COMMAND, its status\n"
		"(127 when it cannot be started).\n",
		progname, progname, progname);
}

static void warn_stderr(const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "%s: %s\n", progname, msg);
}

static int die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", progname);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '%s --help'.\n", progname);
	return EXIT_USAGE;
}

/* Joins the filter words into one filter expression, as tcpdump does. */
static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* A filter word that is a capture file given without -r: an existing file
 * named *.pcap, *.pcapng or *.cap, or one that is no filter expression. */
static int is_capture_file(const char *w)
{
	struct stat st;
	if (stat(w, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	size_t n = strlen(w);
	static const char *const ext[] = { ".pcap", ".pcapng", ".cap" };
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		size_t e = strlen(ext[i]);
		if (n > e && !strcmp(w + n - e, ext[i]))
			return 1;
	}
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 262144);
	if (!p)
		return 0;
	struct bpf_program prog;
	int bad = pcap_compile(p, &prog, w, 1, PCAP_NETMASK_UNKNOWN) != 0;
	if (!bad)
		pcap_freecode(&prog);
	pcap_close(p);
	return bad;
}

enum { OPT_JSON = 256, OPT_TIME, OPT_NO_SUMMARY, OPT_DURATION, OPT_NO_CALLS, OPT_WRITE_CALLS,
       OPT_LOG_FORMAT, OPT_VIA, OPT_PCAPNG, OPT_SVG, OPT_SVG_CONN,
       OPT_COLOR, OPT_COMPACT };

static void on_stop_signal(int sig) { tracer_request_stop(sig); }

/* "4242" or "4242,4243": the processes of -p. Returns the count, or -1. */
static int parse_pids(const char *s, int *pids, int max)
{
	int n = 0;
	while (*s) {
		char *end;
		errno = 0;
		long v = strtol(s, &end, 10);
		if (errno || end == s || v <= 0 || v > INT_MAX || n == max)
			return -1;
		pids[n++] = (int)v;
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			return -1;
		s = end;
	}
	return n;
}

/* The program, with room for the filter words (argc + 1 of them). */
static int rstscope_main(int argc, char **argv, char **words)
{
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'l' },
		{ "interface", required_argument, NULL, 'i' },
		{ "write", required_argument, NULL, 'w' },
		{ "user", required_argument, NULL, 'Z' },
		{ "buffer-size", required_argument, NULL, 'B' },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "count", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "absolute-seq", no_argument, NULL, 'S' },
		{ "preview", required_argument, NULL, 'x' },
		{ "time", required_argument, NULL, OPT_TIME },
		{ "no-summary", no_argument, NULL, OPT_NO_SUMMARY },
		{ "pid", required_argument, NULL, 'p' },
		{ "no-calls", no_argument, NULL, OPT_NO_CALLS },
		{ "write-calls", required_argument, NULL, OPT_WRITE_CALLS },
		{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
		{ "via", required_argument, NULL, OPT_VIA },
		{ "pcapng", required_argument, NULL, OPT_PCAPNG },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ "svg-conn", required_argument, NULL, OPT_SVG_CONN },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "colour", required_argument, NULL, OPT_COLOR },
		{ "compact", no_argument, NULL, OPT_COMPACT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct tracer_opts opts = { 0 };
	const char *logs[64];
	int nlogs = 0;
	opts.summaries = 1;
	opts.out.preview = 1;
	opts.out.time = TIME_REL;
	static int pids[64];
	/* Options anywhere, as tcpdump takes them ('-r F port 80 -c 2'): the
	 * leading '-' hands each other word over in order (case 1), the
	 * filter's words; "--" ends the options, and the words after it are
	 * the command's, never parsed. */
	int nwords = 0;
	const char *last_arg = NULL; /* the word the last option took, if any */
	int c, color = -1, compact = 0;
	opterr = 0; /* our messages name the program the same however it was run */
	while ((c = getopt_long(argc, argv, "-r:l:i:w:Z:B:c:Sx:p:nvhV", longopts, NULL)) != -1) {
		last_arg = optarg;
		switch (c) {
		case 1: words[nwords++] = optarg; break;
		case 'r': opts.read_path = optarg; break;
		case 'l':
			if (nlogs == sizeof logs / sizeof logs[0])
				return die_usage("%s", "at most 64 -l files");
			logs[nlogs++] = optarg;
			opts.sendlog = logs[0];
			opts.sendlogs = logs;
			opts.nsendlogs = nlogs;
			break;
		case 'i': opts.iface = optarg; break;
		case 'w': opts.write_path = optarg; break;
		case 'Z': opts.user = optarg; break;
		case 'B': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v <= 0 || v > 4 * 1024 * 1024)
				return die_usage(
					"-B wants a buffer size in KiB (1 to 4194304), not '%s'",
					optarg);
			opts.buffer_kib = (int)v;
			break;
		}
		case OPT_DURATION: {
			char *end;
			double v = strtod(optarg, &end);
			if (*end || !(v > 0) || v > 1e9)
				return die_usage(
					"--duration wants a positive number of seconds, not '%s'",
					optarg);
			opts.duration = v;
			break;
		}
		case 'c': {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (errno || *end || !*optarg || optarg[0] == '-' || v == 0)
				return die_usage("-c wants a positive number of segments, not '%s'",
						 optarg);
			opts.max_segments = v;
			break;
		}
		case OPT_JSON: opts.out.json = 1; break;
		case 'S': opts.out.abs_seq = 1; break;
		case 'x':
			if (!strcmp(optarg, "on"))
				opts.out.preview = 1;
			else if (!strcmp(optarg, "off"))
				opts.out.preview = 0;
			else
				return die_usage("-x wants 'on' or 'off', not '%s'", optarg);
			break;
		case OPT_TIME:
			if (!strcmp(optarg, "rel"))
				opts.out.time = TIME_REL;
			else if (!strcmp(optarg, "abs"))
				opts.out.time = TIME_ABS;
			else if (!strcmp(optarg, "epoch"))
				opts.out.time = TIME_EPOCH;
			else
				return die_usage("--time wants rel, abs or epoch, not '%s'",
						 optarg);
			break;
		case OPT_NO_SUMMARY: opts.summaries = 0; break;
		case 'p': {
			int n = parse_pids(optarg, pids + opts.npids, 64 - opts.npids);
			if (n <= 0)
				return die_usage("-p wants process ids (PID or PID,PID,...; at most "
						 "64), not '%s'",
						 optarg);
			opts.npids += n;
			opts.pids = pids;
			break;
		}
		case OPT_NO_CALLS: opts.no_calls = 1; break;
		case OPT_WRITE_CALLS: opts.calls_path = optarg; break;
		case OPT_LOG_FORMAT:
			if (!strcmp(optarg, "auto"))
				opts.log_format = 0;
			else if (!strcmp(optarg, "sendlog"))
				opts.log_format = 1;
			else if (!strcmp(optarg, "strace"))
				opts.log_format = 2;
			else
				return die_usage("--log-format wants sendlog, strace or auto, not '%s'",
						 optarg);
			break;
		case OPT_VIA:
			if (strcmp(optarg, "strace") != 0)
				return die_usage("--via wants 'strace' (the only call source it runs), "
						 "not '%s'",
						 optarg);
			opts.via_strace = 1;
			break;
		case OPT_PCAPNG: opts.pcapng_path = optarg; break;
		case OPT_SVG: opts.svg_path = optarg; break;
		case OPT_SVG_CONN: {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (errno || *end || !*optarg || optarg[0] == '-' || v == 0)
				return die_usage("--svg-conn wants a connection number (1, 2, ...), "
						 "not '%s'",
						 optarg);
			opts.svg_conn = v;
			break;
		}
		case OPT_COLOR:
			if (!strcmp(optarg, "auto"))
				color = -1;
			else if (!strcmp(optarg, "always"))
				color = 1;
			else if (!strcmp(optarg, "never"))
				color = 0;
			else
				return die_usage("--color wants auto, always or never, not '%s'",
						 optarg);
			break;
		case OPT_COMPACT: compact = 1; break;
		case 'v': opts.out.verbose = 1; break;
		case 'n': break;
		case 'h': usage(stdout); return EXIT_CLEAN;
		case 'V': printf("rstscope %s\n", RSTSCOPE_VERSION); return EXIT_CLEAN;
		default: {
			const char *bad = argv[optind - 1];
			if (bad[0] == '-' && bad[1] == '-' && optopt && strchr(bad, '='))
				fprintf(stderr, "%s: option '%.*s' takes no argument\n", progname,
					(int)(strchr(bad, '=') - bad), bad);
			else if (bad[0] == '-' && bad[1] == '-')
				fprintf(stderr,
					optopt ? "%s: option '%s' requires an argument\n"
					       : "%s: unrecognized option '%s'\n",
					progname, bad);
			else if (optopt && strchr("rliwZBcxp", optopt) && bad[1] == optopt &&
				 !bad[2])
				fprintf(stderr, "%s: option requires an argument -- '%c'\n",
					progname, optopt);
			else
				fprintf(stderr, "%s: invalid option -- '%c'\n", progname, optopt);
			fprintf(stderr, "Try '%s --help'.\n", progname);
			return EXIT_USAGE;
		}
		}
	}
	/* getopt stopped at "--" (not an option's argument "--"): the words
	 * after it are a command. */
	if (optind > 1 && optind - 1 < argc && !strcmp(argv[optind - 1], "--") &&
	    argv[optind - 1] != last_arg) {
		if (optind >= argc)
			return die_usage("%s", "-- wants a command to run");
		opts.command = argv + optind;
	}
	for (int i = 0; !opts.read_path && i < nwords; i++)
		if (is_capture_file(words[i])) {
			fprintf(stderr,
				"%s: '%s' is a file, not a filter expression: did you mean -r %s?\n"
				"Try '%s --help'.\n",
				progname, words[i], words[i], progname);
			return EXIT_USAGE;
		}
	if (opts.read_path && opts.iface)
		return die_usage("%s",
				 "-r and -i both given: replay a file or capture live, not both");
	if (opts.read_path && (opts.command || opts.write_path || opts.user || opts.buffer_kib ||
			       opts.duration > 0 || opts.npids || opts.calls_path || opts.no_calls))
		return die_usage("%s", "-w, -Z, -B, -p, --duration, --write-calls, --no-calls and "
				       "-- COMMAND are for live capture, not with -r");
	if (opts.sendlog && ((opts.npids && !opts.via_strace) || opts.calls_path))
		return die_usage("%s", "-p and --write-calls record calls from the kernel; -l reads "
				       "them from a log instead: give one or the other");
	if (opts.npids && opts.command)
		return die_usage("%s", "-p and -- COMMAND both given: trace running processes or "
				       "a new command, not both");
	if (opts.via_strace && opts.npids > 1)
		return die_usage("%s", "--via strace attaches to one process: give one -p PID");
	if (opts.via_strace && opts.npids)
		opts.attach_pid = opts.pids[0];
	if (opts.via_strace && !opts.command == !opts.attach_pid)
		return die_usage("%s", "--via strace wants either -- COMMAND or -p PID");
	if (!opts.read_path && !opts.iface)
		opts.iface = "lo";
	char *filter = NULL;
	if (nwords > 0) {
		filter = join_args(nwords, words);
		if (!filter) {
			fprintf(stderr, "%s: out of memory\n", progname);
			return EXIT_USAGE;
		}
		opts.filter = filter;
	}
	opts.out.line_buffered = isatty(STDOUT_FILENO);
	/* A terminal: colour unless NO_COLOR (https://no-color.org) says not,
	 * and the compact layout when it is narrower than a wide line. */
	int tty = opts.out.line_buffered;
	const char *no_color = getenv("NO_COLOR");
	opts.out.color = color >= 0 ? color : tty && !(no_color && *no_color);
	struct winsize ws;
	const char *cols = getenv("COLUMNS");
	if (tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		opts.out.width = ws.ws_col;
	else if (cols && atoi(cols) > 0)
		opts.out.width = atoi(cols);
	else
		opts.out.width = 80;
	opts.out.compact = compact || (tty && opts.out.width < 160);

	if (!opts.read_path) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_stop_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		if (opts.command)
			signal(SIGCHLD, SIG_DFL);
	}
	char err[1024] = "";
	struct tracer *t = tracer_new(&opts, STDOUT_FILENO, warn_stderr, NULL, err, sizeof err);
	if (!t) {
		fprintf(stderr, "%s: %s\n", progname, err);
		free(filter);
		return EXIT_USAGE;
	}
	int rc = tracer_run(t);
	tracer_free(t);
	free(filter);
	return rc;
}

int main(int argc, char **argv)
{
	char **words = calloc((size_t)argc + 1, sizeof *words);
	if (!words) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return EXIT_USAGE;
	}
	int rc = rstscope_main(argc, argv, words);
	free(words);
	return rc;
}

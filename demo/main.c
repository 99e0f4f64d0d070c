/* main.c: rstscope-demo's options; the only place that prints errors and
 * chooses the exit code. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "demo.h"

static const char *progname = "rstscope-demo";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %1$s SCENARIO [--log FILE] [--port N] [-6] [--pace MS] [--sigpipe MODE]\n"
		"       %1$s list\n"
		"       %1$s server [--port N] [-6] [--log FILE]\n"
		"       %1$s client [--port N] [-6] [--log FILE] [--sigpipe MODE]\n"
		"\n"
		"Re-enacts on loopback, with real sockets, why send() succeeds after the peer\n"
		"has closed and why the next one fails with EPIPE and SIGPIPE. A scenario runs\n"
		"a server and a client process, tells the story as it happens, and exits 0 if\n"
		"the kernel behaved as the story says, 1 if not (saying what differed), 2 on\n"
		"bad input.\n"
		"\n"
		"  --log FILE      write the send log (JSON Lines) to FILE: emptied first for a\n"
		"                  scenario, appended to by server and client; default: the file\n"
		"                  named by RSTSCOPE_LOG (appended to), else no log\n"
		"  --port N        server port (default: a free one; 8999 for server and client)\n"
		"  -6              use ::1 instead of 127.0.0.1\n"
		"  --pace MS       pause between steps, in ms (default %2$d; 0 to %3$d)\n"
		"  --sigpipe MODE  how the instrumented side treats SIGPIPE: default (it kills),\n"
		"                  ignore, handler (the default), or nosignal (MSG_NOSIGNAL)\n"
		"  -h, --help      this text\n"
		"  --version       the version\n"
		"\n"
		"`%1$s list` names the scenarios. See rstscope-demo(1).\n",
		progname, DEMO_PACE_DEFAULT, DEMO_PACE_MAX);
}

static int bad_input(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", progname);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s: try '%s --help'\n", progname, progname);
	return DEMO_USAGE;
}

/* A whole decimal number in [lo, hi], or -1. */
static long parse_number(const char *s, long lo, long hi)
{
	char *end;
	long v;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	return v;
}

static void list(void)
{
	for (size_t i = 0; i < scenario_count; i++)
		printf("%-15s %s%s%s\n", scenarios[i].name,
		       scenarios[i].seed ? scenarios[i].seed : "", scenarios[i].seed ? ": " : "",
		       scenarios[i].summary);
}

int main(int argc, char **argv)
{
	enum { OPT_LOG = 256, OPT_PORT, OPT_PACE, OPT_SIGPIPE, OPT_VERSION };
	static const struct option longopts[] = {
		{ "log", required_argument, NULL, OPT_LOG },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "pace", required_argument, NULL, OPT_PACE },
		{ "sigpipe", required_argument, NULL, OPT_SIGPIPE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct demo_opts opt = { .family = AF_INET,
				 .port = -1,
				 .pace_ms = DEMO_PACE_DEFAULT,
				 .sigpipe = SIGPIPE_MODE_HANDLER };
	const struct scenario *sc = NULL;
	const char *cmd, *env;
	struct slw *log = NULL;
	char err[512] = "";
	int c, rc, interactive;
	long v;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":6h", longopts, NULL)) != -1) {
		switch (c) {
		case '6': opt.family = AF_INET6; break;
		case 'h': usage(stdout); return DEMO_OK;
		case OPT_VERSION: printf("%s %s\n", progname, RSTSCOPE_VERSION); return DEMO_OK;
		case OPT_LOG:
			if (!*optarg)
				return bad_input("--log needs a file name%s", "");
			opt.log_path = optarg;
			break;
		case OPT_PORT:
			if ((v = parse_number(optarg, 0, 65535)) < 0)
				return bad_input("--port: '%s' is not a port number (0 to 65535)",
						 optarg);
			opt.port = (int)v;
			break;
		case OPT_PACE:
			if ((v = parse_number(optarg, 0, DEMO_PACE_MAX)) < 0)
				return bad_input(
					"--pace: '%s' is not a number of milliseconds (0 to 60000)",
					optarg);
			opt.pace_ms = (int)v;
			break;
		case OPT_SIGPIPE:
			if (sigpipe_mode_parse(optarg, &opt.sigpipe) < 0)
				return bad_input(
					"--sigpipe: '%s' is not one of default, ignore, handler, "
					"nosignal",
					optarg);
			break;
		case ':': return bad_input("%s needs a value", argv[optind - 1]);
		default: return bad_input("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return bad_input("no scenario given%s; `rstscope-demo list` shows them", "");
	if (optind + 1 < argc)
		return bad_input("unexpected argument '%s'", argv[optind + 1]);
	cmd = argv[optind];

	if (strcmp(cmd, "list") == 0) {
		list();
		return DEMO_OK;
	}
	interactive = strcmp(cmd, "server") == 0 || strcmp(cmd, "client") == 0;
	if (!interactive && !(sc = scenario_find(cmd)))
		return bad_input("unknown scenario '%s'; `rstscope-demo list` shows them", cmd);
	if (opt.port < 0)
		opt.port = interactive ? DEMO_INTERACTIVE_PORT : 0;
	if (strcmp(cmd, "client") == 0 && opt.port == 0)
		return bad_input("--port: the client needs the server's port, not %s", "0");

	/* The log: --log (emptied for a scenario: one run, one log), else the
	 * tracer's RSTSCOPE_LOG (appended to: the tracer owns it). Server and
	 * client started by hand may share a file, so they append. */
	env = getenv("RSTSCOPE_LOG");
	if (!opt.log_path && env && *env)
		opt.log_path = env;
	if (opt.log_path) {
		int truncate = sc && opt.log_path != env;
		log = slw_new(opt.log_path, truncate ? SLW_TRUNCATE : 0, err, sizeof(err));
		if (!log) {
			fprintf(stderr, "%s: %s%s\n", progname, err,
				opt.log_path == env ? " (from RSTSCOPE_LOG)" : "");
			return DEMO_USAGE;
		}
	}

	if (sc)
		rc = scenario_run(sc, &opt, log, err, sizeof(err));
	else if (strcmp(cmd, "server") == 0)
		rc = interactive_server(&opt, log, err, sizeof(err));
	else
		rc = interactive_client(&opt, log, err, sizeof(err));
	if (rc == DEMO_USAGE)
		fprintf(stderr, "%s: %s\n", progname, err);
	if (log && slw_write_errors(log))
		fprintf(stderr, "%s: %lu lines could not be written to the log %s\n", progname,
			slw_write_errors(log), opt.log_path);
	slw_free(log);
	return rc;
}

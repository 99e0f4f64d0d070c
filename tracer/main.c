/* main.c: options, and the only place that prints errors and exits. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rstscope_version.h"
#include "tracer.h"

static const char *progname = "rstscope";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s -r FILE [-l SENDLOG] [options] [filter expression]\n"
		"\n"
		"Replays a saved capture (pcap or pcapng) and prints every TCP segment as a\n"
		"per-connection timeline that explains FINs, RSTs and the bytes they lose.\n"
		"\n"
		"Input:\n"
		"  -r, --read FILE        read a pcap or pcapng file ('-' for standard input)\n"
		"  -l, --log FILE         a send log (JSON lines) to correlate with the capture\n"
		"  [filter expression]    a BPF expression as in tcpdump (default: every TCP segment)\n"
		"  -c, --count N          stop after N TCP segments\n"
		"\n"
		"Output:\n"
		"      --json             one JSON object per line (keys in rstscope(1))\n"
		"  -S, --absolute-seq     absolute sequence numbers in the text timeline\n"
		"  -x, --preview on|off   payload preview (default on)\n"
		"      --time MODE        rel (since the first record, default), abs (UTC date\n"
		"                         and time) or epoch (seconds since 1970)\n"
		"      --no-summary       leave out the per-connection summaries\n"
		"  -n                     accepted for tcpdump habits: output is always numeric\n"
		"\n"
		"  -h, --help             this text\n"
		"  -V, --version          the version\n"
		"\n"
		"Exit status: 0 clean, 1 the input was damaged (what was readable was shown),\n"
		"2 usage error or the input cannot be opened.\n",
		progname);
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

/* Joins the remaining arguments into one filter expression, as tcpdump does. */
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

enum { OPT_JSON = 256, OPT_TIME, OPT_NO_SUMMARY };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'l' },
		{ "count", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "absolute-seq", no_argument, NULL, 'S' },
		{ "preview", required_argument, NULL, 'x' },
		{ "time", required_argument, NULL, OPT_TIME },
		{ "no-summary", no_argument, NULL, OPT_NO_SUMMARY },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct tracer_opts opts = { 0 };
	opts.summaries = 1;
	opts.out.preview = 1;
	opts.out.time = TIME_REL;
	int c;
	while ((c = getopt_long(argc, argv, "+r:l:c:Sx:nhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			opts.read_path = optarg;
			break;
		case 'l':
			opts.sendlog = optarg;
			break;
		case 'c': {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (errno || *end || !*optarg || optarg[0] == '-' || v == 0)
				return die_usage("-c wants a positive number of segments, not '%s'", optarg);
			opts.max_segments = v;
			break;
		}
		case OPT_JSON:
			opts.out.json = 1;
			break;
		case 'S':
			opts.out.abs_seq = 1;
			break;
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
				return die_usage("--time wants rel, abs or epoch, not '%s'", optarg);
			break;
		case OPT_NO_SUMMARY:
			opts.summaries = 0;
			break;
		case 'n':
			break;
		case 'h':
			usage(stdout);
			return EXIT_CLEAN;
		case 'V':
			printf("rstscope %s\n", RSTSCOPE_VERSION);
			return EXIT_CLEAN;
		default:
			fprintf(stderr, "Try '%s --help'.\n", progname);
			return EXIT_USAGE;
		}
	}
	if (!opts.read_path)
		return die_usage("%s", "nothing to read: give a capture with -r FILE");
	char *filter = NULL;
	if (optind < argc) {
		filter = join_args(argc - optind, argv + optind);
		if (!filter) {
			fprintf(stderr, "%s: out of memory\n", progname);
			return EXIT_USAGE;
		}
		opts.filter = filter;
	}
	opts.out.line_buffered = isatty(STDOUT_FILENO);

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

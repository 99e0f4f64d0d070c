/* peakrss.c: run a command, then report its peak resident memory and elapsed
 * time (a portable stand-in for GNU time, which a fresh Debian may lack).
 *
 *   peakrss [-o FILE] CMD [ARGS...]
 *
 * Nothing is redirected: the command's stdin, stdout and stderr are ours.
 * After it ends, one line goes to stderr, or is appended to FILE with -o:
 *
 *   rss_kb=12345 rss_mb=12.1 wall_s=1.234567 user_s=1.100 sys_s=0.100 status=0
 *
 * rss is ru_maxrss from wait4(). status is the exit status, or 128+signal.
 * Exits with the command's status (128+signal if it was killed; 127 if it
 * could not be run).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double tv_s(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

int main(int argc, char **argv)
{
	const char *out = NULL;
	int i = 1;
	if (i + 1 < argc && !strcmp(argv[i], "-o")) {
		out = argv[i + 1];
		i += 2;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc) {
		fprintf(stderr, "Usage: peakrss [-o FILE] CMD [ARGS...]\n");
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "peakrss: fork: %s\n", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		execvp(argv[i], argv + i);
		fprintf(stderr, "peakrss: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	int st;
	struct rusage ru;
	pid_t w;
	while ((w = wait4(pid, &st, 0, &ru)) < 0 && errno == EINTR)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (w < 0) {
		fprintf(stderr, "peakrss: wait4: %s\n", strerror(errno));
		return 127;
	}
	int status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 127;
	double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	FILE *f = stderr;
	if (out && !(f = fopen(out, "a"))) {
		fprintf(stderr, "peakrss: %s: %s\n", out, strerror(errno));
		return status ? status : 1;
	}
	fprintf(f, "rss_kb=%ld rss_mb=%.1f wall_s=%.6f user_s=%.3f sys_s=%.3f status=%d\n",
		ru.ru_maxrss, (double)ru.ru_maxrss / 1024.0, wall, tv_s(ru.ru_utime),
		tv_s(ru.ru_stime), status);
	if (f != stderr && fclose(f) != 0) {
		fprintf(stderr, "peakrss: %s: %s\n", out, strerror(errno));
		return status ? status : 1;
	}
	return status;
}

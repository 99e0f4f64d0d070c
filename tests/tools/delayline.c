/* delayline QUEUE MS: the demo's delay line as a program, for tests that
 * build their own network: it binds nfnetlink queue QUEUE and lets each
 * packet an iptables NFQUEUE rule hands it go MS milliseconds after it came,
 * in order. It prints "ready" once bound; on SIGTERM or SIGINT it lets go of
 * what it still holds, prints "held N" (the packets it held in all) and
 * exits 0. Exit 1: it could not bind the queue (the reason on stderr). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "demo.h"

static volatile sig_atomic_t stop;
static void on_stop(int sig) { stop = sig; }

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: delayline QUEUE MS\n");
		return 2;
	}
	char *end;
	long queue = strtol(argv[1], &end, 10);
	if (*end || queue < 0 || queue > 65535) {
		fprintf(stderr, "delayline: bad queue '%s' (0 to 65535)\n", argv[1]);
		return 2;
	}
	long ms = strtol(argv[2], &end, 10);
	if (*end || ms < 0 || ms > 60000) {
		fprintf(stderr, "delayline: bad delay '%s' (0 to 60000 ms)\n", argv[2]);
		return 2;
	}
	/* Blocked but while waiting (sigsuspend), so none is missed. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	struct sigaction sa = { .sa_handler = on_stop };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	struct delayline dl;
	char err[256];
	if (delayline_start(&dl, (int)queue, (int)ms, err, sizeof err) != 0) {
		fprintf(stderr, "delayline: %s\n", err);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop)
		sigsuspend(&old);
	unsigned long held = 0;
	if (delayline_stop(&dl, &held, err, sizeof err) != 0) {
		fprintf(stderr, "delayline: %s\n", err);
		return 1;
	}
	printf("held %lu\n", held);
	return 0;
}

/* sendbench.c: what a call source costs the traced program: N send()s of 64
 * bytes on a loopback TCP connection, timed inside the program.
 *
 *   sendbench sink PORTFILE      listen on 127.0.0.1 (a free port, written to
 *                                PORTFILE), read and discard one connection
 *   sendbench send PORT N        connect, send N x 64 bytes, print one line:
 *                                sends=N ns_per_send=X total_s=Y
 *
 * The sink runs apart (untraced); only the sender runs under the source
 * being measured (tests/bench/strace.sh).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (argc == 3 && !strcmp(argv[1], "sink")) {
		int l = socket(AF_INET, SOCK_STREAM, 0);
		socklen_t al = sizeof a;
		if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1) ||
		    getsockname(l, (struct sockaddr *)&a, &al)) {
			perror("sendbench sink");
			return 1;
		}
		FILE *f = fopen(argv[2], "w");
		if (!f)
			return 1;
		fprintf(f, "%d\n", ntohs(a.sin_port));
		fclose(f);
		int c = accept(l, NULL, NULL);
		char buf[65536];
		while (c >= 0 && read(c, buf, sizeof buf) > 0)
			;
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "send")) {
		long n = strtol(argv[3], NULL, 10);
		a.sin_port = htons((unsigned short)atoi(argv[2]));
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a)) {
			perror("sendbench send");
			return 1;
		}
		char msg[64];
		memset(msg, 'x', sizeof msg);
		double t0 = now();
		for (long i = 0; i < n; i++)
			if (send(s, msg, sizeof msg, 0) != (ssize_t)sizeof msg) {
				perror("sendbench send");
				return 1;
			}
		double t = now() - t0;
		printf("sends=%ld ns_per_send=%.0f total_s=%.3f\n", n, t * 1e9 / (double)n, t);
		close(s);
		return 0;
	}
	fprintf(stderr, "usage: sendbench sink PORTFILE | sendbench send PORT N\n");
	return 2;
}

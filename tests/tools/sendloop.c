/* sendloop.c: the traced program of make bench's cost-to-the-program
 * measurement. `sendloop sink PORT` reads and discards everything sent to
 * 127.0.0.1:PORT; `sendloop send PORT N SIZE` connects to it, makes N
 * send() calls of SIZE bytes (at most PER_SECOND a second, if given), and
 * prints how long the loop took (timed inside the program, so that starting
 * a tracer costs nothing here). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

static struct sockaddr_in addr(int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int sink(int port)
{
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = addr(port);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 8) != 0) {
		perror("sendloop sink");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	static char buf[1 << 16];
	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c < 0)
			continue;
		while (read(c, buf, sizeof buf) > 0)
			;
		close(c);
	}
}

/* rate > 0: at most that many sends a second, paced in steps of 100. */
static int sender(int port, long n, size_t size, double rate)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = addr(port);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
		perror("sendloop send: connect");
		return 1;
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	char *buf = calloc(1, size);
	if (!buf)
		return 1;
	memset(buf, 'x', size);
	double t0 = now();
	for (long i = 0; i < n; i++) {
		if (rate > 0 && i % 100 == 0) {
			double due = t0 + (double)i / rate, d = due - now();
			if (d > 0) {
				struct timespec ts = { (time_t)d, (long)((d - (double)(time_t)d) * 1e9) };
				nanosleep(&ts, NULL);
			}
		}
		if (send(s, buf, size, 0) != (ssize_t)size) {
			perror("sendloop send");
			return 1;
		}
	}
	double t = now() - t0;
	printf("%.6f\n", t);
	close(s);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "sink"))
		return sink(atoi(argv[2]));
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "send"))
		return sender(atoi(argv[2]), atol(argv[3]), (size_t)atol(argv[4]),
			      argc == 6 ? atof(argv[5]) : 0);
	fprintf(stderr, "usage: sendloop sink PORT | sendloop send PORT N SIZE [PER_SECOND]\n");
	return 2;
}

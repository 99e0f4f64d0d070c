/* flood.c: a bounded burst of small TCP segments on loopback, for the live
 * tests. flood [-6] COUNT SECONDS: a server and a client process; the client
 * writes 16-byte messages with TCP_NODELAY until COUNT are sent or SECONDS
 * pass, then prints how many it sent. Loopback only: 127.0.0.1 or ::1. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int v6 = argc > 1 && !strcmp(argv[1], "-6");
	if (argc - v6 != 3) {
		fprintf(stderr, "usage: flood [-6] COUNT SECONDS\n");
		return 2;
	}
	long count = atol(argv[1 + v6]);
	double secs = atof(argv[2 + v6]);
	if (count <= 0 || count > 10000000 || secs <= 0 || secs > 60) {
		fprintf(stderr, "flood: COUNT 1..10000000, SECONDS up to 60\n");
		return 2;
	}
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof ss);
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		sl = sizeof *a;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof *a;
	}
	int ls = socket(ss.ss_family, SOCK_STREAM, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&ss, sl) != 0 || listen(ls, 1) != 0 ||
	    getsockname(ls, (struct sockaddr *)&ss, &sl) != 0) {
		perror("flood: listen");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("flood: fork");
		return 1;
	}
	if (pid == 0) {
		int c = accept(ls, NULL, NULL);
		char buf[65536];
		while (c >= 0 && read(c, buf, sizeof buf) > 0)
			;
		_exit(0);
	}
	close(ls);
	int s = socket(ss.ss_family, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(s, (struct sockaddr *)&ss, sl) != 0) {
		perror("flood: connect");
		return 1;
	}
	char msg[16] = "flood 0123456789";
	long sent = 0;
	double end = now() + secs;
	while (sent < count && (sent & 255 || now() < end)) {
		if (write(s, msg, sizeof msg) != (ssize_t)sizeof msg)
			break;
		sent++;
	}
	close(s);
	waitpid(pid, NULL, 0);
	printf("%ld\n", sent);
	return 0;
}

/* fuzz_pipeline.c: libFuzzer target for the whole replay pipeline: a
 * capture and a send log together through tracer_new() and tracer_run()
 * (decode, flow table, correlator, output, summaries), once with helper
 * threads and once in one thread, output to /dev/null.
 *
 * Input: byte 0 picks options (see below), bytes 1..4 the capture's length
 * (little-endian, cut to what is there), then the capture (a pcap or pcapng
 * file image), then the send log (JSON lines). Both are handed over as
 * memfd files. tests/fuzz/run.sh makes seeds of that shape from captures/
 * and the tcpdump corpus. Set FUZZ_PIPELINE_MAX_CONNS to make the flow
 * table's cap small (the default 64 here evicts often). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tracer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static int devnull = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = open("/dev/null", O_WRONLY);
	/* Summaries wait in a temporary file: keep it in memory if we can. */
	if (access("/dev/shm", W_OK) == 0)
		setenv("TMPDIR", "/dev/shm", 1);
	/* A small table, so that eviction runs on small inputs. */
	const char *cap = getenv("FUZZ_PIPELINE_MAX_CONNS");
	setenv("RSTSCOPE_MAX_CONNS", cap && *cap ? cap : "64", 1);
	return 0;
}

static void quiet(const char *msg, void *arg)
{
	(void)msg;
	(void)arg;
}

static int mem_file(const char *name, const uint8_t *p, size_t n, char *path, size_t plen)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < n) {
		ssize_t w = write(fd, p + off, n - off);
		if (w <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	snprintf(path, plen, "/proc/self/fd/%d", fd);
	return fd;
}

static void run_once(const char *cap, const char *log, uint8_t o, int threads)
{
	struct tracer_opts opts = { 0 };
	opts.read_path = cap;
	opts.sendlog = log;
	opts.out.json = o & 1;
	opts.summaries = !(o & 2);
	opts.out.preview = !(o & 4);
	opts.out.abs_seq = (o >> 3) & 1;
	opts.out.time = (enum time_mode)((o >> 4) % 3);
	if (o & 0x40)
		opts.max_segments = 1 + (o >> 4) % 4;
	if (o & 0x80)
		opts.filter = "tcp";
	setenv("RSTSCOPE_THREADS", threads ? "2" : "1", 1);
	char err[1024];
	struct tracer *t = tracer_new(&opts, devnull, quiet, NULL, err, sizeof err);
	if (!t)
		return;
	tracer_run(t);
	tracer_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 5)
		return 0;
	uint8_t o = data[0];
	size_t caplen = (size_t)data[1] | (size_t)data[2] << 8 | (size_t)data[3] << 16 |
			(size_t)data[4] << 24;
	data += 5;
	size -= 5;
	if (caplen > size)
		caplen = size;
	char cap[64], log[64];
	int cfd = mem_file("capture", data, caplen, cap, sizeof cap);
	int lfd = mem_file("sendlog", data + caplen, size - caplen, log, sizeof log);
	if (cfd >= 0 && lfd >= 0) {
		run_once(cap, (o & 2) && size == caplen ? NULL : log, o, 1);
		run_once(cap, (o & 2) && size == caplen ? NULL : log, o, 0);
	}
	if (cfd >= 0)
		close(cfd);
	if (lfd >= 0)
		close(lfd);
	return 0;
}

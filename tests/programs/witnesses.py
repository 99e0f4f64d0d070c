#!/usr/bin/python3
"""witnesses.py DEMO.json KERNEL.json: do two witnesses of one run agree?

Each file is rstscope --json's replay of the same capture, once with the
demo's own send log and once with the calls the kernel recorder saw. They
must agree on every call of every process, in each process's order: event,
fd, ret, errno, off, connection, side, cause (code and segment), SIGPIPE and
lost bytes. Processes are compared apart (two processes' calls have no order
but their times, which the two witnesses take at slightly different
moments).

One difference is expected and checked, not ignored: a process killed by
SIGPIPE cannot log the send() it died in, so the demo's log explains the
death on the exit row, while the kernel saw the send itself (and the signal
being generated). Both become one "died in" verdict before comparing.
Prints the differences; exits 1 if there are any.
"""
import json
import sys

KEYS = ("event", "fd", "ret", "errno", "off", "conn", "side", "sigpipe", "lost")


def calls(path):
    by_pid = {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("kind") == "call":
                by_pid.setdefault(r["pid"], []).append(r)
    return by_pid


def cause(r):
    c = r.get("cause")
    return (c["why"], c["n"]) if c else None


def norm_demo(rows):
    out = []
    for r in rows:
        if r["event"] == "exit" and r.get("cause"):
            out.append(("died in send", cause(r), r.get("sigpipe")))
            out.append(("exit", r.get("status"), r.get("signal")))
        elif r["event"] == "exit":
            out.append(("exit", r.get("status"), r.get("signal")))
        else:
            out.append(tuple(r.get(k) for k in KEYS) + (cause(r),))
    return out


def norm_kernel(rows):
    out = []
    for i, r in enumerate(rows):
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        if r["event"] == "signal" and nxt and nxt.get("process") == "killed by SIGPIPE":
            continue  # generated inside the send that killed it
        if r.get("process") == "killed by SIGPIPE":
            out.append(("died in send", cause(r), r.get("sigpipe")))
        elif r["event"] == "exit":
            out.append(("exit", r.get("status"), r.get("signal")))
        else:
            out.append(tuple(r.get(k) for k in KEYS) + (cause(r),))
    return out


def main():
    demo, kernel = calls(sys.argv[1]), calls(sys.argv[2])
    bad = 0
    n = 0
    for pid in sorted(set(demo) | set(kernel)):
        d = norm_demo(demo.get(pid, []))
        k = norm_kernel(kernel.get(pid, []))
        n += len(d)
        if d != k:
            bad += 1
            print(f"pid {pid}: the witnesses differ")
            for i in range(max(len(d), len(k))):
                a = d[i] if i < len(d) else None
                b = k[i] if i < len(k) else None
                print(("   " if a == b else " ! ") + f"demo {a}\n     kernel {b}")
    if not demo:
        print("no calls in the demo's log")
        bad += 1
    print(f"{n} calls of {len(demo)} processes compared")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

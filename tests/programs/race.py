#!/usr/bin/env python3
"""race.py: the two ends of the delayed race, as ordinary programs.

  race.py server ADDR PORT   accept one client, read its first line, close:
                             prints "accepted", "read N", "closed"
  race.py client ADDR PORT   connect, send a line, wait for the server's FIN,
                             send two lines at once (TCP_NODELAY), wait for the
                             RST, send again; prints one JSON object a line:
                             {"send": K, "ret": N} or {"send": K, "errno": NAME}

What each call returned is the program's own account: the truth a test
holds rstscope to. Python ignores SIGPIPE, so a send after the RST raises
BrokenPipeError (EPIPE).
"""
import errno
import json
import select
import socket
import sys
import time


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def send(sock, k, data):
    try:
        say({"send": k, "ret": sock.send(data)})
    except OSError as e:
        say({"send": k, "errno": errno.errorcode.get(e.errno, str(e.errno))})


def wait_for(sock, events, timeout):
    p = select.poll()
    p.register(sock, events)
    return p.poll(timeout * 1000)


def server(addr, port):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    ls = socket.socket(family, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    print("listening", flush=True)
    s, _ = ls.accept()
    ls.close()
    print("accepted", flush=True)
    print("read", len(s.recv(64)), flush=True)
    s.close()
    print("closed", flush=True)


def client(addr, port):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.connect((addr, port))
    send(s, 1, b"hello\n")
    if not wait_for(s, select.POLLRDHUP, 10):
        say({"error": "no FIN from the server"})
        return 1
    send(s, 2, b"are you here?\n")
    if wait_for(s, select.POLLHUP | select.POLLERR, 0):
        say({"error": "the RST came before the second send: no race"})
        return 1
    send(s, 3, b"still there?\n")
    if not wait_for(s, select.POLLHUP | select.POLLERR, 10):
        say({"error": "no RST from the server"})
        return 1
    time.sleep(0.05)
    send(s, 4, b"????\n")
    s.close()
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("server", "client"):
        sys.stderr.write("usage: race.py server|client ADDR PORT\n")
        sys.exit(2)
    fn = server if sys.argv[1] == "server" else client
    sys.exit(fn(sys.argv[2], int(sys.argv[3])) or 0)

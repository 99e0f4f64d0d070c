#!/usr/bin/env python3
"""zerowin.py MODE PORT [STALL]: a receiver that stops reading, and a sender that
fills its window, in one process (two sockets on 127.0.0.1).

The server's receive buffer and the client's send buffer are small (4 KiB),
so the window closes after a few KiB. The client sends 1000 bytes at a time,
non-blocking, until the kernel says EAGAIN; then both wait STALL seconds
(default 1.5; zero-window probes go back and forth). Then:
  read   the server reads everything: every byte arrives, nothing is lost;
  reset  the server closes without reading: its kernel answers with RST and
         the bytes still waiting in the client's send queue are lost.

Prints its own account, one JSON object a line, from the kernel's queues:
  {"sent": N}             bytes send() accepted in all
  {"unacked": N}          the client's send queue (SIOCOUTQ) once stalled:
                          what the peer's kernel has not acknowledged
  {"unread": N}           the server's receive queue (SIOCINQ) at that time
  {"read": N}             (read) bytes the server read
  {"after": "ECONNRESET"} (reset) what the client's next send() got
"""
import errno
import fcntl
import json
import socket
import struct
import sys
import termios
import time

SIOCOUTQ = termios.TIOCOUTQ
SIOCINQ = termios.FIONREAD


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def queue(sock, req):
    return struct.unpack("i", fcntl.ioctl(sock, req, b"\0\0\0\0"))[0]


def main(mode, port, stall):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    ls.bind(("127.0.0.1", port))
    ls.listen(1)
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    c.connect(("127.0.0.1", port))
    s, _ = ls.accept()
    ls.close()
    c.setblocking(False)
    sent = 0
    for _ in range(200):
        try:
            sent += c.send(b"x" * 1000)
        except BlockingIOError:
            break
    say({"sent": sent})
    time.sleep(stall)
    say({"unacked": queue(c, SIOCOUTQ)})
    say({"unread": queue(s, SIOCINQ)})
    if mode == "read":
        got = 0
        s.settimeout(5)
        while got < sent:
            d = s.recv(65536)
            if not d:
                break
            got += len(d)
        say({"read": got})
        time.sleep(0.3)
        s.close()
        c.close()
        return 0
    s.close()  # unread data: RST
    time.sleep(0.3)
    try:
        c.send(b"?")
        say({"after": "sent"})
    except OSError as e:
        say({"after": errno.errorcode.get(e.errno, str(e.errno))})
    c.close()
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in ("read", "reset"):
        sys.stderr.write("usage: zerowin.py read|reset PORT [STALL]\n")
        sys.exit(2)
    stall = float(sys.argv[3]) if len(sys.argv) == 4 else 1.5
    sys.exit(main(sys.argv[1], int(sys.argv[2]), stall))

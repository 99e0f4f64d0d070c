#!/usr/bin/python3
"""peer.py: the other end of the real-program stories (tests/check_record.sh),
and the Python clients. Plain sockets; each prints what the program itself
saw (its exception, its local port, its pid), for the test to compare with
what rstscope says.

  peer.py server close PORT        read one chunk, then close (the client's
                                   next data draws an RST: EPIPE story)
  peer.py server reset PORT        read one chunk, then close with SO_LINGER 0
                                   (an RST at once: ECONNRESET story)
  peer.py server echo PORT [N]     answer each chunk with "done\\n", N clients
  peer.py server hold PORT         accept, then send a line every 0.2 s x5
  peer.py client-epipe PORT        send, send after the FIN, send again
  peer.py client-late PORT FILE    connect, wait for FILE to exist, then send 3
  peer.py client-fork PORT         connect; a forked child sends; parent waits
  peer.py client-reuse PORT        two sockets in turn on the same fd number
  peer.py client-thread-close PORT one thread blocked in recv, another closes
"""
import os
import socket
import struct
import sys
import threading
import time


def log(*a):
    # One write(2) a line: two processes sharing the output file must not
    # interleave inside a line (print() may write the newline apart).
    os.write(1, (" ".join(str(x) for x in a) + "\n").encode())


def listener(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(8)
    return s


def server(mode, port, n=1):
    s = listener(port)
    open(os.environ.get("READY", "/dev/null"), "w").close()
    for _ in range(n):
        c, _ = s.accept()
        if mode == "close":
            c.recv(4096)
            c.close()
        elif mode == "reset":
            c.recv(16)  # the rest stays unread: close() then sends an RST
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.close()
        elif mode == "echo":
            threading.Thread(target=echo, args=(c,), daemon=True).start()
        elif mode == "hold":
            for i in range(5):
                c.send(b"line %d\n" % i)
                time.sleep(0.2)
            c.close()
    if mode == "echo":
        time.sleep(2)
    s.close()


def echo(c):
    try:
        while True:
            d = c.recv(4096)
            if not d:
                break
            c.send(b"done\n")
    except OSError:
        pass
    c.close()


def connect(port):
    s = socket.create_connection(("127.0.0.1", port))
    log(f"pid {os.getpid()} local {s.getsockname()[1]}")
    return s


def client_epipe(port):
    s = connect(port)
    try:
        s.send(b"hello\n")
        time.sleep(0.3)
        s.send(b"are you here?\n")
        time.sleep(0.2)
        s.send(b"????\n")
        log("no error")
    except OSError as e:
        log(f"exception {type(e).__name__} errno {e.errno}")


def client_late(port, flag):
    s = connect(port)
    while not os.path.exists(flag):
        time.sleep(0.05)
    time.sleep(0.5)
    for m in (b"one\n", b"two two\n", b"three three three\n"):
        s.send(m)
        time.sleep(0.2)
    s.close()


def client_fork(port):
    s = connect(port)
    s.send(b"parent\n")
    time.sleep(0.2)
    pid = os.fork()
    if pid == 0:
        s.send(b"from the child\n")
        log(f"child {os.getpid()}")
        os._exit(0)
    os.waitpid(pid, 0)
    time.sleep(0.2)
    s.close()


def client_reuse(port):
    a = connect(port)
    fd_a = a.fileno()
    a.send(b"first socket\n")
    time.sleep(0.2)
    a.close()
    b = connect(port)
    log(f"fds {fd_a} {b.fileno()}")
    b.send(b"second socket\n")
    time.sleep(0.2)
    b.close()


def client_thread_close(port):
    s = connect(port)
    fd = s.fileno()
    got = []

    def reader():
        # Blocked in recv() on fd while the other thread closes it.
        got.append(os.read(fd, 100))

    t = threading.Thread(target=reader)
    t.start()
    time.sleep(0.1)
    s.detach()
    os.close(fd)
    log("closed while blocked")
    t.join()
    log(f"read {len(got[0])} bytes after the close")


def main():
    a = sys.argv[1:]
    if a[0] == "server":
        server(a[1], int(a[2]), int(a[3]) if len(a) > 3 else 1)
    elif a[0] == "client-epipe":
        client_epipe(int(a[1]))
    elif a[0] == "client-late":
        client_late(int(a[1]), a[2])
    elif a[0] == "client-fork":
        client_fork(int(a[1]))
    elif a[0] == "client-reuse":
        client_reuse(int(a[1]))
    elif a[0] == "client-thread-close":
        client_thread_close(int(a[1]))
    else:
        sys.exit("peer.py: unknown mode " + a[0])


if __name__ == "__main__":
    main()

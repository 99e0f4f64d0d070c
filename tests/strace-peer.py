#!/usr/bin/python3
# strace-peer.py PORT MODE [READY]: the other end for the real-program stories of
# check_strace_real.sh (not traced). Listens on 127.0.0.1:PORT, serves one
# connection, then exits; READY, a file made once it listens.
#   read-close   read what comes first, then close: the peer's later
#                writes draw an RST (EPIPE for them after it)
#   unread-close wait 0.3 s, close without reading: the unread request
#                makes close() send an RST (ECONNRESET for the peer)
#   client       connect to the (traced) server at PORT once it listens,
#                read a line, close: the server-side story, a server
#                writing to a client that left
import socket, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
if mode == "client":
    if len(sys.argv) > 3:
        open(sys.argv[3], "w").close()
    for _ in range(200):  # until the traced server listens
        try:
            c = socket.create_connection(("127.0.0.1", port))
            break
        except ConnectionRefusedError:
            time.sleep(0.05)
    else:
        sys.exit("strace-peer: the server never listened")
    c.recv(64)
    c.close()
    sys.exit(0)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(1)
if len(sys.argv) > 3:
    open(sys.argv[3], "w").close()
s.settimeout(10)
c, _ = s.accept()
if mode == "read-close":
    c.recv(64)
    time.sleep(0.1)
elif mode == "unread-close":
    time.sleep(0.3)
c.close()
time.sleep(1.5)

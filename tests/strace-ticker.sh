#!/bin/sh
# strace-ticker.sh: what socat serves in check_strace_real.sh: a line every 0.2 s.
while :; do echo tick; sleep 0.2; done

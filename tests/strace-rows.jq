# The verdicts of a replay (rstscope --json -s ... | jq -s -f this), as rows to
# compare between call sources: every socket call with its errno, cause,
# SIGPIPE and lost bytes, and every process SIGPIPE killed. Not compared:
# "line" (each source numbers its own lines), "comm", signal rows (the demo
# logs SIGPIPE before send() returns, strace after) and exits that were not
# a SIGPIPE's. A process killed inside send() never logs that send(); strace
# shows it: its verdict is then the exit's, as in the send log.
def cause: if .cause then "\(.cause.why)@\(.cause.n)" else null end;
[.[] | select(.kind == "call")] as $calls
| [$calls[] | select(.event == "exit" and .signal == "SIGPIPE") | .pid] as $killed
| $calls[]
| if .event == "send" and .errno == "EPIPE" and .sigpipe and .disposition == "default"
     and (.pid as $p | $killed | index([$p])) then
	{event: "exit", pid, signal: "SIGPIPE", sigpipe: true, cause: cause}
  elif (.event | IN("connect", "accept", "send", "recv", "shutdown", "close")) then
	{event, pid, fd, conn, side, ret, errno, off, acked, lost, cause: cause, sigpipe, disposition}
  elif .event == "exit" and .signal != null and (.cause != null or .sigpipe) then
	{event, pid, signal, sigpipe, cause: cause}
  elif .event == "exit" and .signal != null and .signal != "SIGPIPE" then
	{event, pid, signal}
  else empty end

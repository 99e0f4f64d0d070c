# tcpdump-agree.awk: compare one capture's rstscope segment rows with the
# lines `TZ=UTC tcpdump -# -nn -S -tt -r FILE` printed for it.
#
#   awk -v cap=NAME -f tcpdump-agree.awk ROWS TCPDUMP [HEX]
#
# ROWS: rstscope's segment rows as TSV (n src dst flags seq ack len ts; ack
# "-" when absent), made by jq from `rstscope --json`. TCPDUMP: tcpdump's
# text. HEX (optional): `tcpdump -# -x -nn -tt -r FILE` for the same file,
# read only as evidence for records tcpdump would not decode (see below).
# POSIX awk only (Debian's awk is mawk): no gensub, no match() arrays.
#
# Prints one line per finding, tab-separated:
#   M  cap  n  what is wrong ; tcpdump: LINE ; rstscope: ROW
#   E  cap  n  why the row counts as TCP without a plain line (evidence kind)
# and last a line with the counts:
#   S  cap  plain  of_them_truncated_ip  of_them_ipv6_ext  matched  evidence_rows
#      rows  nonplain_tcp  invalid_ts
#
# Which tcpdump lines are "plain" (compared field by field): a record line
# ("%5u  " counter, then the -tt timestamp) whose text after the timestamp is
#   IP  a.b.c.d.PORT > e.f.g.h.PORT: Flags [LETTERS], ...
#   IP6 ADDR.PORT > ADDR.PORT: Flags [LETTERS], ...
# LETTERS are tcpdump's "FSRP.UEW" subset or "none". Two more shapes carry
# every field as well and are compared the same way (counted apart):
# - behind the notice "IP truncated-ip - N bytes missing! ": the IP header
#   declares more than was captured, but the whole TCP header is there;
# - IPv6 with extension headers before TCP:
#   "IP6 ADDR > ADDR: HBH PORT > PORT: Flags [...]" (also DSTOPT, srcrt,
#   frag, AH): tcp_print leaves the addresses out when TCP is not the IPv6
#   header's own next header, so they are taken from the IPv6 part.
#
# Not plain, and why:
# - continuation lines (BGP/NFS/telnet decodes, -x hex): no record counter.
#   A record counter is also required to grow, so an application decode
#   that happened to start with digits could not pass for a record line.
# - lines where tcpdump decoded TCP inside a tunnel or behind other text
#   (Geneve, MPLS in this corpus; rstscope decodes neither): "Flags [" is not
#   right after the outer addresses; counted as nonplain_tcp and
#   taken as evidence that the record is TCP, fields not compared (which
#   header rstscope should report is not tcpdump's to say there).
# - "Flags [Command]" and the like come from other printers (LLC): only
#   TCP flag letters count.
# - "[|tcp]": tcpdump's TCP printer ran out of captured bytes. The record is
#   TCP (evidence), but there are no fields to compare. tcpdump 4.99.3 also
#   prints this for IPv6 BIG TCP jumbograms (payload length 0), which newer
#   tcpdump decodes in full (tests/bigtcp-ipv6.out upstream).
# - "IP bad-len 0": IPv4 total length 0, which Linux writes for TSO / BIG TCP
#   packets taken before segmentation; tcpdump 4.99.3 stops there, newer
#   tcpdump presumes TSO and decodes the TCP header (tests/bigtcp-ipv4.out,
#   tests/ipv4_tcp_http_xml_tso.out upstream). Evidence comes from the HEX
#   dump: an IPv4 header (version 4) whose protocol byte is 6.
# - tcpdump omits "seq" on segments that carry no data and no SYN/FIN/RST:
#   then seq is not compared; "ack" is printed exactly when the ACK flag is
#   set, so its absence is compared too; "length" is not printed when the
#   line was cut ([|tcp] inside the options): then len is not compared.
# - a timestamp whose fraction has more than 6 digits: the record's
#   sub-second field is out of range; tcpdump 4.99.3 prints it raw, there is
#   no time to compare (counted as invalid_ts; the rest is compared).

BEGIN {
	FS = "\t"
	plain = 0; plain_tip = 0; plain_ext6 = 0; matched = 0; evid = 0; rows = 0
	nonplain = 0; badts = 0
	last_n = 0
}

function report(n, what, line,    r) {
	if (n in row)
		r = "src " r_src[n] " dst " r_dst[n] " flags " r_flags[n] " seq " r_seq[n] \
		    " ack " r_ack[n] " len " r_len[n] " ts " r_ts[n]
	else
		r = "(no segment row)"
	gsub(/\t/, " ", line)
	if (length(line) > 240)
		line = substr(line, 1, 240) "..."
	printf "M\t%s\t%s\t%s ; tcpdump: %s ; rstscope: %s\n", cap, n, what, line, r
}

# "1.2.3.4.80" -> "1.2.3.4:80", "fe80::1.179" -> "[fe80::1]:179"
function endpoint(tok, v6) {
	if (!match(tok, /\.[0-9]+$/))
		return "?" tok
	if (v6)
		return "[" substr(tok, 1, RSTART - 1) "]:" substr(tok, RSTART + 1)
	return substr(tok, 1, RSTART - 1) ":" substr(tok, RSTART + 1)
}

# Skips a bracketed group at the start of s ("[...]", nested); returns the rest.
function skip_brackets(s,    i, d, c) {
	d = 0
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "[")
			d++
		else if (c == "]" && --d == 0)
			return substr(s, i + 1)
	}
	return ""
}

# File 1: rstscope rows.
FILENAME == ARGV[1] {
	if ($1 in row)
		dup[$1] = 1
	row[$1] = $0
	r_src[$1] = $2; r_dst[$1] = $3; r_flags[$1] = $4
	r_seq[$1] = $5; r_ack[$1] = $6; r_len[$1] = $7; r_ts[$1] = $8
	rows++
	next
}

# File 3: the hex dump, only for records whose line is "IP bad-len".
FILENAME == ARGV[3] {
	if (match($0, /^ *[0-9]+  /)) {
		hex_n = $0 + 0
		next
	}
	if (hex_n in badlen && $0 ~ /^[ \t]+0x0000: /) {
		split($0, g, " ")
		# g[1] "0x0000:", g[2] version/IHL + TOS, g[6] TTL + protocol.
		if (substr(g[2], 1, 1) == "4" && substr(g[6], 3, 2) == "06")
			hex_tcp[hex_n] = 1
	}
	next
}

# File 2: tcpdump's lines.
{
	line = $0
	if (!match(line, /^ *[0-9]+  -?[0-9]+\.[0-9]+ /))
		next
	rest = substr(line, RLENGTH + 1)
	n = line + 0
	if (n <= last_n)
		next
	last_n = n
	td[n] = line

	# Which shape: the parts are the addresses, the ports and the text from
	# "Flags [" on.
	shape = ""
	if (match(rest, /^IP truncated-ip - [0-9]+ bytes missing! /)) {
		rest = "IP " substr(rest, RLENGTH + 1)
		shape = "tip"
	}
	if (match(rest, /^IP6? [^ ]+ > [^ ]+: Flags \[(none|[FSRP.UEW]+)\]/)) {
		split(rest, w, " ")
		v6 = (w[1] == "IP6")
		src = endpoint(w[2], v6)
		d = w[4]; sub(/:$/, "", d)
		dst = endpoint(d, v6)
		s = substr(rest, index(rest, ": Flags [") + 9)
		if (shape == "")
			shape = "plain"
	} else if (match(rest, /^IP6 [^ ]+ > [^ ]+: (HBH|DSTOPT|srcrt|frag|AH)/) &&
		   match(rest, / [0-9]+ > [0-9]+: Flags \[(none|[FSRP.UEW]+)\]/)) {
		# IPv6 with extension headers between it and TCP: tcpdump prints
		# the addresses, the extension headers, then TCP with ports only
		# (tcp_print does so when TCP is not the IPv6 next header).
		p = substr(rest, RSTART + 1)
		split(p, pp, " ")
		d = pp[3]; sub(/:$/, "", d)
		split(rest, w, " ")
		d6 = w[4]; sub(/:$/, "", d6)
		src = "[" w[2] "]:" pp[1]
		dst = "[" d6 "]:" d
		s = substr(p, index(p, ": Flags [") + 9)
		shape = "ext6"
	} else {
		if (rest ~ /: Flags \[(none|[FSRP.UEW]+)\]/) {
			tcp_ev[n] = "non-plain TCP line"
			nonplain++
		} else if (rest ~ /\[\|tcp\]/)
			tcp_ev[n] = "[|tcp]"
		else if (rest ~ /^IP bad-len [0-9]+$/)
			badlen[n] = 1
		next
	}
	plain++
	if (shape == "tip")
		plain_tip++
	else if (shape == "ext6")
		plain_ext6++
	flags = s; sub(/\].*/, "", flags)
	s = substr(s, length(flags) + 2)
	seq = "-"; ack = "-"; len = "-"
	if (match(s, /^, seq [0-9]+/)) {
		seq = substr(s, 7, RLENGTH - 6)
		s = substr(s, RLENGTH + 1)
		if (match(s, /^:[0-9]+/))
			s = substr(s, RLENGTH + 1)
	}
	if (match(s, /^, ack [0-9]+/)) {
		ack = substr(s, 7, RLENGTH - 6)
		s = substr(s, RLENGTH + 1)
	}
	if (match(s, /^, win [0-9]+/))
		s = substr(s, RLENGTH + 1)
	if (match(s, /^, urg [0-9]+/))
		s = substr(s, RLENGTH + 1)
	if (substr(s, 1, 10) == ", options ")
		s = skip_brackets(substr(s, 11))
	if (match(s, /^, length [0-9]+/))
		len = substr(s, 10, RLENGTH - 9)
	t = line; sub(/^ *[0-9]+  /, "", t); sub(/ .*/, "", t)

	if (!(n in row)) {
		report(n, "no segment row for a plain tcpdump TCP line", line)
		next
	}
	bad = ""
	if (r_src[n] != src) bad = bad " src(" src ")"
	if (r_dst[n] != dst) bad = bad " dst(" dst ")"
	if (r_flags[n] != flags) bad = bad " flags(" flags ")"
	if (seq != "-" && r_seq[n] != seq) bad = bad " seq(" seq ")"
	if (r_ack[n] != ack) bad = bad " ack(" ack ")"
	if (len != "-" && r_len[n] != len) bad = bad " len(" len ")"
	# tcpdump reads with microsecond precision and truncates; rstscope
	# prints nanoseconds. A fraction of more than 6 digits is a record whose
	# microseconds field is out of range (>= 1000000): tcpdump 4.99.3 prints
	# it as it is, newer tcpdump adds "(invalid ms)"; no number to compare.
	if (t ~ /\.[0-9][0-9][0-9][0-9][0-9][0-9][0-9]/)
		badts++
	else if (substr(r_ts[n], 1, length(t)) != t)
		bad = bad " ts(" t ")"
	if (bad != "")
		report(n, "differs in" bad, line)
	else
		matched++
	seen[n] = 1
}

END {
	for (n in row) {
		if (n in dup)
			report(n, "more than one segment row for this record", (n in td) ? td[n] : "(none)")
		if (n in seen)
			continue
		if (n in tcp_ev) {
			printf "E\t%s\t%s\t%s\n", cap, n, tcp_ev[n]
			evid++
		} else if (n in hex_tcp) {
			printf "E\t%s\t%s\t%s\n", cap, n, "IP bad-len 0, IPv4 protocol 6 in the hex dump"
			evid++
		} else if (n in td)
			report(n, "segment row, but tcpdump shows no TCP for this record", td[n])
		else
			report(n, "segment row for a record tcpdump did not print", "(none)")
	}
	printf "S\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", cap, plain, plain_tip, plain_ext6, matched, evid, rows, nonplain, badts
}

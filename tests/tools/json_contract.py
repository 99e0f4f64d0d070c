#!/usr/bin/env python3
"""json_contract.py FILE...: checks rstscope's JSON lines against the contract
in README.md ("JSON"): a key that does not apply to a row is absent, one that
applies but is not known is null, and only the keys listed here may be null;
unsettled is a boolean with its reason apart; sends with no captured
connection carry no counters; payload bytes are text only when valid UTF-8,
else base64 ("data_b64"), never both; the no-connection summary has exactly
its documented keys. Prints the row kinds seen; exit 1 on the first
violations (all listed)."""
import base64
import json
import re
import sys

NULLABLE = {
    "segment": {"rseq", "rack", "answers", "fin"},
    "call": {"conn", "fd", "side", "off", "lost", "disposition", "status"},
    "summary": {"fin", "rst", "fin_from", "rst_from", "rst_answers"},
}
SOCKET_ONLY = {"fd", "ret"}
SEND_COUNTERS = {"send", "segments", "acked", "lost", "lost_at", "after_fin", "unsettled"}
NOCONN_SUMMARY = {"kind", "ts", "conn", "calls", "sends", "sends_failed", "first_line"}
TS = re.compile(r"^-?[0-9]+\.[0-9]{9}$")

errors = []
kinds = {}


def bad(where, row, msg):
    errors.append("%s: %s: %s" % (where, msg, json.dumps(row)[:200]))


def check(where, row):
    kind = row.get("kind")
    if kind not in NULLABLE:
        return bad(where, row, "unknown kind")
    if not isinstance(row.get("ts"), str) or not TS.match(row["ts"]):
        bad(where, row, "ts is not \"SECONDS.NANOSECONDS\"")
    sub = kind
    if kind == "call":
        sub = "call:" + row.get("event", "?")
        if row.get("conn", 0) is None and row.get("event") in ("send",):
            sub += ":no-conn"
    if kind == "summary" and row.get("conn") is None:
        sub = "summary:no-conn"
    kinds[sub] = kinds.get(sub, 0) + 1
    allowed = NULLABLE[kind] | ({"conn"} if sub == "summary:no-conn" else set())
    for k, v in row.items():
        if v is None and k not in allowed:
            bad(where, row, "key %r is null: absent is the convention for a key that does not apply" % k)
    if "cause" in row:
        c = row["cause"]
        if set(c) != {"n", "why", "text"} or not isinstance(c["why"], str):
            bad(where, row, "cause is not {n, why, text}")
    if "unsettled" in row:
        if row["unsettled"] is not True:
            bad(where, row, "unsettled is not the boolean true")
        if not isinstance(row.get("unsettled_reason"), str):
            bad(where, row, "unsettled without unsettled_reason")
        if row.get("lost", 0) is not None:
            bad(where, row, "an unsettled send's lost is known?")
    elif "unsettled_reason" in row:
        bad(where, row, "unsettled_reason without unsettled")
    if "data" in row and "data_b64" in row:
        bad(where, row, "both data and data_b64")
    if "data_b64" in row:
        raw = base64.b64decode(row["data_b64"], validate=True)
        try:
            raw.decode("utf-8")
            bad(where, row, "data_b64 holds valid UTF-8: it should be data")
        except UnicodeDecodeError:
            pass
        if len(raw) != min(row.get("caplen", 0), 64):
            bad(where, row, "data_b64 is not the first min(caplen, 64) bytes")
    if "data" in row and kind == "segment":
        if len(row["data"].encode("utf-8")) != min(row.get("caplen", 0), 64):
            bad(where, row, "data does not give back min(caplen, 64) bytes")
    if kind == "segment":
        if ("ack" in row) != ("." in row.get("flags", "")):
            bad(where, row, "ack present without the ACK flag, or missing with it")
    if kind == "call":
        ev = row.get("event")
        sock = ev not in ("signal", "exit")
        for k in SOCKET_ONLY:
            if not sock and k in row:
                bad(where, row, "%r on a %s row: it does not apply" % (k, ev))
            if sock and k not in row:
                bad(where, row, "%r missing on a socket call" % k)
        if sock and "side" not in row:
            bad(where, row, "'side' missing on a socket call")
        if not sock and row.get("conn") is None and "side" in row:
            bad(where, row, "'side' on a %s row with no connection" % ev)
        if sock and (row.get("ret") == -1) != ("errno" in row):
            bad(where, row, "errno present iff ret is -1")
        if ("off" in row) != (ev in ("send", "recv")):
            bad(where, row, "off only on send and recv")
        if ev == "send" and row.get("conn") is None:
            for k in SEND_COUNTERS & set(row):
                bad(where, row, "%r on a send with no captured connection" % k)
        if ev == "send" and row.get("conn") is not None:
            for k in ("send", "segments", "acked", "lost"):
                if k not in row:
                    bad(where, row, "%r missing on a send of a captured connection" % k)
        if ev == "exit" and ("status" in row) == ("signal" in row):
            bad(where, row, "an exit has status or signal, one of them")
    if sub == "summary:no-conn" and set(row) != NOCONN_SUMMARY:
        bad(where, row, "the no-connection summary's keys are %s" % sorted(NOCONN_SUMMARY))


for path in sys.argv[1:]:
    with open(path) as f:
        for i, line in enumerate(f, 1):
            try:
                row = json.loads(line)
            except ValueError as e:
                errors.append("%s:%d: not JSON: %s" % (path, i, e))
                continue
            check("%s:%d" % (path, i), row)
print("json: rows by kind: " + ", ".join("%s %d" % kv for kv in sorted(kinds.items())))
for e in errors[:40]:
    print("FAIL " + e)
if len(errors) > 40:
    print("... and %d more" % (len(errors) - 40))
sys.exit(1 if errors else 0)

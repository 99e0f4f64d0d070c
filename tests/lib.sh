# lib.sh: what the check_*.sh scripts share. Sourced
# (. "$(dirname "$0")/lib.sh"), after `set -u`: the paths (make passes
# RSTSCOPE, RSTSCOPE_DEMO and TOOLS; run by hand, the tree's own), and the
# SKIP lines run-checks.sh counts.
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
RSTSCOPE=${RSTSCOPE:-$top/rstscope}
RSTSCOPE_DEMO=${RSTSCOPE_DEMO:-$top/rstscope-demo}
TOOLS=${TOOLS:-$top/build/tools}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

skip() {
	echo "SKIP: $*"
	exit 0
}

# needs_root_netns "WHO need(s)" "WHY": skipped unless root, with network
# namespaces (unshare -n).
needs_root_netns() {
	[ "$(id -u)" = 0 ] || skip "$1 root ($2): run 'sudo make check'"
	unshare -n true 2>/dev/null || skip "$1 network namespaces (unshare -n failed here)"
}

# needs_cmd CMD...: skipped unless each is installed.
needs_cmd() {
	for c in "$@"; do
		command -v "$c" >/dev/null || skip "$c is not installed (make deps)"
	done
}

# tmp_dir: a private directory in $tmp, readable by others (some stories run
# as nobody), removed at the end; with KEEP_TMP set, kept and named.
tmp_dir() {
	tmp=$(mktemp -d) || exit 1
	chmod 755 "$tmp"
	if [ -n "${KEEP_TMP:-}" ]; then
		echo "tmp: $tmp"
	else
		trap 'rm -rf "$tmp"' EXIT INT TERM
	fi
}

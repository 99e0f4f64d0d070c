#!/bin/sh
# deps.sh: make sure the Debian packages rstscope builds and tests with are here.
# As root, installs what is missing with apt-get; otherwise says what to install.
set -u
missing=""
need_pkg() { # pkg-config module, Debian package
	pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"
}
need_cmd() { # command, Debian package
	command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}
need_cmd cc gcc
need_cmd make make
need_cmd pkg-config pkg-config
need_pkg libpcap libpcap-dev
need_pkg cmocka libcmocka-dev
need_pkg jansson libjansson-dev
need_cmd tcpdump tcpdump
need_cmd jq jq
need_cmd ip iproute2
need_cmd unshare util-linux
# The kernel recorder (eBPF): compiler, skeleton generator, libbpf.
need_cmd clang clang
need_cmd llvm-strip llvm
need_pkg libbpf libbpf-dev
need_pkg libelf libelf-dev
need_pkg zlib zlib1g-dev
[ -x /usr/sbin/bpftool ] || command -v bpftool >/dev/null 2>&1 || missing="$missing bpftool"
# Real programs the tests trace, uninstrumented.
need_cmd socat socat
need_cmd nc netcat-openbsd
need_cmd busybox busybox-static
need_cmd perl perl
need_cmd curl curl
need_cmd python3 python3
need_cmd node nodejs
need_cmd strace strace
# The real programs of check_strace_real.sh.
need_cmd python3 python3
need_cmd perl perl
need_cmd node nodejs
need_cmd curl curl
need_cmd nc netcat-openbsd
need_cmd busybox busybox-static
need_cmd socat socat
# The outputs read back: the annotated pcapng by tshark.
need_cmd tshark tshark
# ... and the SVG: checked as XML, rendered by headless Chromium.
need_cmd xmllint libxml2-utils
need_cmd chromium chromium
# The terminal layout, in an 80-column pane.
need_cmd tmux tmux
# The root scenarios (timeout, lost-rst, delayed-race) and check_race.sh:
# packets dropped or delayed (NFQUEUE) with iptables.
need_cmd iptables iptables
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing:$missing"
	if [ ! -d /var/lib/apt/lists ] || [ -z "$(ls /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
		apt-get update -q || exit 1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing || {
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
	} || { echo "deps: apt-get install$missing failed" >&2; exit 1; }
	exit 0
fi
echo "deps: missing Debian packages:$missing" >&2
echo "deps: install them with:  sudo apt-get install$missing   (or run 'sudo make deps')" >&2
exit 1

#!/bin/sh
# as-caller.sh CMD...: run CMD as the user who ran sudo, when there is one.
# `sudo make demo` must capture as root, but it should not leave a build
# tree owned by root that the user's own `make check` cannot write to.
if [ "$(id -u)" = 0 ] && [ -n "${SUDO_UID:-}" ] && [ "${SUDO_UID}" != 0 ] && command -v setpriv >/dev/null 2>&1; then
	exec setpriv --reuid="$SUDO_UID" --regid="${SUDO_GID:-$SUDO_UID}" --init-groups \
		env HOME="$(getent passwd "$SUDO_UID" | cut -d: -f6)" "$@"
fi
exec "$@"

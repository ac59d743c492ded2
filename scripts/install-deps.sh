#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages the build and the tests need.  A no-op when
# everything is present, so `make run` and `make check` call it every time.
set -e

PKGS="build-essential meson ninja-build pkg-config python3
libglib2.0-dev zlib1g-dev libzstd-dev liburing-dev libaio-dev liburcu-dev
libpixman-1-dev nettle-dev clang qemu-utils"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages:$missing (run as root to install)" >&2
    exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing

#!/bin/sh
# Installs the Debian packages that building and testing bq need, and nothing
# that is already there.  Quiet and non-interactive, so it suits CI and a new
# user's first command alike.  Python's moto, boto3 and botocore come from the
# machine image; elsewhere: pip install 'moto[server]' boto3 awscli.
set -eu
pkgs="build-essential pkg-config libcurl4-openssl-dev libssl-dev libjansson-dev
libjq-dev libonig-dev libexpat1-dev zlib1g-dev mandoc valgrind clang
libclang-rt-14-dev jq curl ca-certificates"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null

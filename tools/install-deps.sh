#!/usr/bin/env bash
# Installs the Debian 12 packages masqd needs, skipping any already installed.
# Usage: tools/install-deps.sh build|test|fuzz|bench
set -euo pipefail

build=(cmake ninja-build g++ pkg-config libfmt-dev libcap-dev libgtest-dev libgmock-dev)
test=(python3-pytest python3-dnspython python3-scapy dnsmasq-base bind9-dnsutils iproute2 procps udhcpc isc-dhcp-client dhcpcd-base tftp-hpa curl kea-admin)
fuzz=(clang-14 libclang-rt-14-dev)
bench=(dnsperf util-linux)

pkgs=()
for set in "$@"; do
  case "$set" in
    build) pkgs+=("${build[@]}") ;;
    test) pkgs+=("${build[@]}" "${test[@]}") ;;
    fuzz) pkgs+=("${build[@]}" "${fuzz[@]}") ;;
    bench) pkgs+=("${build[@]}" "${test[@]}" "${bench[@]}") ;;
    *) echo "install-deps: unknown set '$set'" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]} (run as root, or install them)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

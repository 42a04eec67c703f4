#!/usr/bin/env bash
# From a fresh clone to a baked and booted image, as root: installs the host tools that are missing
# (apt-get), builds aminate, builds a bootable Debian base image if the store has none, bakes nginx-light
# onto it and proves the result boots: qemu starts it (BIOS or UEFI, as the image prefers), nginx.service
# must be active and answer on port 80. AMINATOR_STORE picks the image store (default
# /var/lib/aminator); PACKAGE another package (then only the boot itself is checked, not nginx).
set -euo pipefail
cd "$(dirname "$0")/.."

store=${AMINATOR_STORE:-/var/lib/aminator}
package=${PACKAGE:-nginx-light}
base=debian-base

if [ "$(id -u)" != 0 ]; then
  echo "quickstart: run as root (sudo bash $0): baking attaches loop devices and mounts file systems" >&2
  exit 2
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1 \
  || ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "quickstart: aminate needs Node.js 20.19 or newer with npm (https://nodejs.org, or your distribution's nodejs 20+)" >&2
  exit 2
fi

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent >/dev/null

# The host tools every step below can run, from the table the checks use (HostTools in @aminator/linux-host).
read -r -a missing <<<"$(node scripts/host-packages.mjs)"
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "quickstart: install these packages (or your distribution's equivalents) and run again: ${missing[*]}" >&2
    exit 2
  fi
  echo "quickstart: installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

aminate() { node packages/core-bin/bin/aminate.js "$@"; }
if ! aminate images show --store "$store" "$base" >/dev/null 2>&1; then
  echo "quickstart: no base image \"$base\" in $store yet: building it (debootstrap with a kernel and GRUB, about two minutes)"
  aminate foundation --store "$store" --name "$base" --size 2G
fi
checks=()
[ "$package" = nginx-light ] && checks=(--verify-unit nginx.service --verify-http 80/)
aminate bake --store "$store" --base-image "$base" --verify "${checks[@]}" "$package"
aminate images list --store "$store"

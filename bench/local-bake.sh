#!/usr/bin/env bash
# The local bake aminate performs, done by hand: the baseline bench/local-bake.mjs compares aminate with.
# Same steps: sparse copy, loop device (and one at the root partition's offset), mount, pseudo file
# systems, resolv.conf, policy-rc.d, apt-get update + install + clean in the chroot, read the version
# back, undo everything, move the volume into a new image directory and write its manifest.
# Usage: local-bake.sh STORE BASE_IMAGE_ID PACKAGE WORK_DIR   (prints the new image id; writes the
# install's start and end, apt-get update to apt-get clean, in µs of the epoch to WORK_DIR/install.us)
set -euo pipefail
store=$1 base=$2 package=$3 work=$4
id=img-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
volume=$store/volumes/vol-${id#img-}.raw
root=$work/root
disk='' part=''

undo() {
  set +e
  for m in run dev/pts dev sys proc ''; do mountpoint -q "$root/$m" && umount "$root/$m"; done
  rmdir "$root" 2>/dev/null
  [ -n "$part" ] && losetup --detach "$part"
  [ -n "$disk" ] && losetup --detach "$disk"
  rm -f "$volume"
}
trap undo EXIT
# A signal must end the script through the EXIT trap, or its mounts (the host's /dev among them) stay.
trap 'exit 130' INT TERM HUP PIPE

cp --reflink=auto --sparse=always -- "$store/images/$base/disk.raw" "$volume"
disk=$(losetup --find --show -- "$volume")
start=$(sfdisk --dump "$disk" | awk -F'[=,]' '/start=/ { gsub(/ /, "", $2); print $2; exit }')
size=$(sfdisk --dump "$disk" | awk -F'[=,]' '/size=/ { gsub(/ /, "", $4); print $4; exit }')
part=$(losetup --find --show --offset $((start * 512)) --sizelimit $((size * 512)) -- "$volume")
mkdir -p "$root"
mount "$part" "$root"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$root/run"
mv "$root/etc/resolv.conf" "$root/etc/resolv.conf.bench-orig"
cp /etc/resolv.conf "$root/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
export DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true
install_started=$EPOCHREALTIME
chroot "$root" apt-get -q -o Acquire::Languages=none -o Acquire::CompressionTypes::Order::=gz update >/dev/null
chroot "$root" apt-get install -y -q --no-install-recommends -- "$package" >/dev/null
version=$(chroot "$root" dpkg-query --show --showformat '${Version}' -- "$package")
chroot "$root" apt-get clean
install_ended=$EPOCHREALTIME
rm -f "$root/usr/sbin/policy-rc.d"
mv "$root/etc/resolv.conf.bench-orig" "$root/etc/resolv.conf"
for m in run dev/pts dev sys proc ''; do umount "$root/$m"; done
losetup --detach "$part"; part=''
losetup --detach "$disk"; disk=''
mkdir "$store/images/.tmp-$id"
mv "$volume" "$store/images/.tmp-$id/disk.raw"
printf '{"id":"%s","name":"%s-%s-bench","parentId":"%s","createdAt":"%s"}\n' "$id" "$package" "$version" "$base" "$(date -u +%FT%TZ)" > "$store/images/.tmp-$id/image.json"
mv "$store/images/.tmp-$id" "$store/images/$id"
echo "${install_started/./} ${install_ended/./}" > "$work/install.us"
echo "$id"

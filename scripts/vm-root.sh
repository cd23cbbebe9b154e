#!/usr/bin/env bash
# Builds the root filesystem of make test-vm's virtual machine: Debian 12
# (debootstrap minbase) with systemd as PID 1, the engines the VM suite
# drives (podman, containerd and its CNI plugins), AppArmor's tools (Debian's
# kernel runs AppArmor, and with apparmor_parser installed podman confines
# its containers as on any Debian host), the kernel modules of the host's
# Debian kernel KVER that the suite needs, and the unit that mounts the 9p
# shares "build" (runnc's build, the suite in vm/suite) and "results", runs
# the suite and powers off. Written as an ext4 image to OUT. Packages come
# from this machine's apt mirror.
#
# usage: vm-root.sh OUT KVER
set -euo pipefail
out=$1
kver=$2
[ -d "/lib/modules/$kver" ] || { echo "vm-root: no modules for kernel $kver: run scripts/setup.sh (linux-image-amd64)" >&2; exit 1; }

# The bookworm mirror this machine uses (deb822 .sources or one-line .list).
mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
	function found() { return s ~ /[[:space:]]bookworm([[:space:]]|$)/ && uri != "" }
	/^URIs:/ { uri = $2 } /^Suites:/ { s = $0 }
	/^$/ { if (found()) exit; uri = ""; s = "" }
	END { if (found()) print uri }')
if [ -z "$mirror" ]; then
	mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" { for (i = 2; i < NF; i++) if ($i !~ /^\[/ && $(i+1) == "bookworm") { print $i; exit } }')
fi
[ -n "$mirror" ] || { echo "vm-root: no bookworm mirror in /etc/apt/sources.list*" >&2; exit 1; }

work=$(mktemp -d "$(dirname "$out")/root.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
debootstrap --variant=minbase \
	--include=systemd,systemd-sysv,dbus,kmod,iproute2,genisoimage,podman,conmon,crun,containerd,containernetworking-plugins,apparmor \
	bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
	{ tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

# Only the modules the suite loads, with what they depend on: the whole
# tree is 400 MB. virtio_blk and ext4 come from the initrd. mods are loaded
# at boot; ondemand only when the kernel asks for them, as on a host that
# has never used them: the tc parts of runnc's takeover of eth0.
mods=(9p 9pnet_virtio tun bridge veth dummy overlay)
ondemand=(sch_ingress cls_u32 act_mirred)
for m in "${mods[@]}" "${ondemand[@]}"; do modprobe -S "$kver" -d / --show-depends "$m"; done |
	awk '$1 == "insmod" { print $2 }' | sort -u |
	while read -r ko; do install -D -m 0644 "$ko" "$root$ko"; done
cp "/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$kver/"
depmod -b "$root" "$kver"
printf '%s\n' "${mods[@]}" >"$root/etc/modules-load.d/runnc-vm.conf"

echo runnc-vm >"$root/etc/hostname"
mkdir -p "$root/mnt/build" "$root/mnt/results"
# The suite's unit mounts the shares itself, so that a share that cannot be
# mounted fails the unit, which powers the machine off, rather than
# stopping the boot in emergency mode.
cat >"$root/usr/local/sbin/runnc-vm-suite" <<'SUITE'
#!/bin/sh
set -e
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro build /mnt/build
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results /mnt/results
exec /mnt/build/vm/suite/run
SUITE
chmod 0755 "$root/usr/local/sbin/runnc-vm-suite"
# Whatever else goes wrong at boot powers off too: nobody logs in.
mkdir -p "$root/etc/systemd/system/emergency.service.d"
printf '[Service]\nExecStart=\nExecStart=/bin/systemctl --force poweroff\n' \
	>"$root/etc/systemd/system/emergency.service.d/poweroff.conf"
# Nothing on the console but the suite; no logins, timers or network
# configuration to wait for.
for u in serial-getty@ttyS0.service getty@tty1.service systemd-timesyncd.service \
	apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
	systemd-networkd.service systemd-resolved.service containerd.service \
	podman.service podman.socket podman-restart.service podman-auto-update.timer; do
	ln -sf /dev/null "$root/etc/systemd/system/$u"
done
cat >"$root/etc/systemd/system/runnc-vm-suite.service" <<'EOF'
[Unit]
Description=runnc VM test suite
After=dbus.service systemd-modules-load.service
SuccessAction=poweroff-force
FailureAction=poweroff-force

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/runnc-vm-suite
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
EOF
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf ../runnc-vm-suite.service "$root/etc/systemd/system/multi-user.target.wants/runnc-vm-suite.service"

size=$(( $(du -sm "$root" | cut -f1) + 768 ))
rm -f "$out.tmp"
mkfs.ext4 -q -L runnc-vm -d "$root" "$out.tmp" "${size}M"
mv "$out.tmp" "$out"

#!/usr/bin/env bash
# Installs, on a fresh Debian machine as root, what building and the demo
# need (`setup.sh demo`), or also everything the tests and benchmarks drive
# (no argument). Quiet and quick when everything is already there.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have gcc         || need+=(gcc)
have make        || need+=(make)
have genisoimage || need+=(genisoimage)
[ -e /usr/include/linux/seccomp.h ] || need+=(linux-libc-dev)
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)
# The tender links musl (nabla-lib/tender/tender.mk).
[ -e /usr/lib/x86_64-linux-musl/rcrt1.o ] || need+=(musl-tools)
if [ "${1:-}" != demo ]; then
	have ping        || need+=(iputils-ping)
	have ip          || need+=(iproute2)
	have curl        || need+=(curl)
	have strace      || need+=(strace)
	have wrk         || need+=(wrk)
	have clang       || need+=(clang)
	have busybox     || need+=(busybox-static)
	have dockerd     || need+=(docker.io)
	have docker-registry || need+=(docker-registry)
	have runc        || need+=(runc)
	have runsc       || need+=(runsc)
	have crun        || need+=(crun)
	have containerd  || need+=(containerd)
	have podman      || need+=(podman)
	have conmon      || need+=(conmon)
	[ -e /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
	# make test-vm: a Debian 12 root booted under QEMU with Debian's kernel.
	have qemu-system-x86_64 || need+=(qemu-system-x86)
	have debootstrap || need+=(debootstrap)
	have mkfs.ext4   || need+=(e2fsprogs)
	compgen -G '/boot/vmlinuz-*-amd64' >/dev/null || need+=(linux-image-amd64)
fi

if [ ${#need[@]} -gt 0 ]; then
	echo "setup: installing ${need[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
go mod download

#!/usr/bin/env bash
# Makes a bundle holding the hello unikernel and runs it with runnc: the
# smallest complete Nabla container.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
bundle=$(mktemp -d /tmp/runnc-demo.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
mkdir -p "$bundle/rootfs"
cp "$build/guests/hello.nabla" "$bundle/rootfs/"
"$build/runnc" spec --bundle "$bundle"
# The demo's container: hello with two arguments, one of them JSON.
sed -i 's|"/hello.nabla"|"/hello.nabla", "from", "{\\"runnc\\":\\"demo\\"}"|' "$bundle/config.json"
echo "+ runnc run --bundle $bundle demo-$$" >&2
"$build/runnc" --root /run/runnc-demo --disk-dir /var/lib/runnc/disks run --bundle "$bundle" "demo-$$"

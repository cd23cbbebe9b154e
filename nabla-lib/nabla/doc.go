// Package nabla owns running the workload as a Nabla unikernel: it checks
// at create that the entrypoint is a .nabla unikernel inside the rootfs and
// that the memory limit can boot, builds the guest's CONFIG document and
// the tender's command line, and execs the tender (nabla-run) in place of
// the container's init. It provides the "nabla" exec handler.
//
// nabla implements llif and must never import libcontainer or llcli: the
// runtime drives it only through the llif interfaces.
package nabla

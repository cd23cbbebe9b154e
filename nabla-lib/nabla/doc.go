// Package nabla owns running the workload as a unikernel: at create it
// reads the entrypoint's ELF notes (any file name will do) to tell a
// Solo5 spt guest, a runnc SDK guest and, by opt-in, a Nabla-era one;
// maps the container's NIC, rootfs disk and volumes to the devices the
// guest's manifest declares, refusing a device nothing supplies and a
// volume no device takes; checks that the memory limit
// can boot. At run it builds the guest's command line (CONFIG for SDK and
// rumprun guests) and the tender's, and execs the tender (nabla-run) in
// place of the container's init. It provides the "nabla" exec handler.
//
// nabla implements llif and must never import libcontainer or llcli: the
// runtime drives it only through the llif interfaces.
package nabla

// Package libcontainer is runnc's container library: the NablaFactory that
// creates and loads containers, the container state machine
// (Created -> Running -> Paused -> Stopped) persisted in state.json, and the
// start of the container's init (runnc-init, a small C program in
// nabla-lib/init) that becomes the workload at start. It drives the fs, network and exec handlers only through the
// llif interfaces; it never imports a concrete handler (the runtime binary
// chooses them) nor llcli.
package libcontainer

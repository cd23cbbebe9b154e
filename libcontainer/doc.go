// Package libcontainer is runnc's container library: the NablaFactory that
// creates and loads containers, the container state machine
// (Created -> Running -> Paused -> Stopped) persisted in state.json, and the
// start of the container's init that becomes the workload at start:
// runnc-init, a small C program in nabla-lib/init, or, for a program that
// embeds libcontainer in one Go binary, the program itself re-executed
// (InitArgs, StartInitialization). It drives the fs, network and exec handlers only through the
// llif interfaces; it never imports a concrete handler (the runtime binary
// chooses them) nor llcli.
package libcontainer

// Package libcontainer is runnc's container library: the NablaFactory that
// creates and loads containers, the container state machine
// (Created -> Running -> Paused -> Stopped) persisted in state.json, and the
// init that runs inside the container (`runnc init`) and becomes the
// workload. It drives the fs, network and exec handlers only through the
// llif interfaces; it never imports a concrete handler (the runtime binary
// chooses them) nor llcli.
package libcontainer

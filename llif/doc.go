// Package llif defines the low-level handler interfaces of runnc: how a
// container's filesystem, network and workload are made (Create), brought up
// once the container's init exists (Run) and torn down (Destroy). A handler
// is a plugin: libcontainer calls it through these interfaces only and never
// knows which concrete handler it drives. The handlers that make nothing
// (noop, none, sandbox) are here too; the others are under nabla-lib.
//
// llif imports no other runnc package; libcontainer and the handlers under
// nabla-lib both import it.
package llif

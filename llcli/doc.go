// Package llcli is runnc's OCI runtime command line: one file per
// subcommand, each parsing its arguments, calling one libcontainer method
// and printing the result the way runc does. Decisions live in
// libcontainer; llcli never imports a concrete handler (the runnc binary
// passes the registry in).
package llcli

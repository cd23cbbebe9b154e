// Package storage owns the container's filesystems as the unikernel sees
// them: a read-only ISO 9660 image (with Rock Ridge) of the bundle's rootfs,
// shared among the containers whose rootfs has the same content and kept,
// within a bounded cache, after the last of them for the next one, plus the
// per-container files (/etc/hosts, /etc/hostname, /etc/resolv.conf) that
// must stay out of the shared image, plus the volumes: each bind mount of
// a directory becomes an image made by the same rules, each of a regular
// file a block device, and any other mount is left out (the engine's own)
// or refused. It provides the "iso" fs handler.
//
// storage implements llif and must never import libcontainer or llcli: the
// runtime drives it only through the llif interfaces.
package storage

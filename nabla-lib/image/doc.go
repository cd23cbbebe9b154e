// Package image is runnc's image store: it pulls OCI and Docker images
// (from a registry, an OCI image layout or a `docker save` archive), checks
// every blob against its digest, unpacks each image's layers once into a
// root filesystem, and makes bundles whose root.path points into that
// rootfs. Because every container of one image then has the very same
// rootfs, the "iso" fs handler builds its disk image once and shares it.
//
// On disk, below the store's root:
//
//	lock                   flock: writers (pull, remove) hold it exclusively
//	blobs/sha256/<hex>     manifests, configs and layer blobs, by digest
//	rootfs/<hex>/          the unpacked rootfs of image sha256:<hex>
//	images/<hex>.json      the image's record: references, manifest, layers
//	bundles/<hex>/         the bundle runnc run --image gives its containers
//	users/<hex>/           the containers made from the image (imageapi.Use)
//	tmp/                   a pull's work, moved into place only when whole, and
//	                       rm-<hex>.json, the record of an image being removed
//
// An image is named by its ID, the digest of its config (as Docker does):
// the config lists the uncompressed layers' digests, so the ID fixes the
// rootfs whatever transport or compression carried it. Every file is put
// in place by rename, and a record is written last and removed first, so
// readers (List, Inspect, Bundle) need no lock and never see half an image.
// What a pull or remove killed half way leaves, the next one collects (see
// prepare); only names of these forms are ever touched.
//
// image must not import libcontainer, llcli or the fs handler
// (nabla-lib/storage): the runtime records which containers use an image
// through imageapi (users/), and the caller gives the disk images' keeper
// (Store.Disks).
package image

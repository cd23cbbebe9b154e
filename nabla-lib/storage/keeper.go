package storage

// Keeper keeps disk images ahead of their containers in one disk
// directory (see Keep and Release): the image store's Disks, which the
// store defines so that it need not import this package.
type Keeper struct {
	Dir        string // the disk directory (--disk-dir)
	CacheBytes int64  // --disk-cache
	LimitBytes int64  // --disk-limit
}

func (k Keeper) Keep(rootfs, holder string) error {
	return Keep(k.Dir, k.CacheBytes, k.LimitBytes, rootfs, holder)
}

func (k Keeper) Release(holder string) error {
	return Release(k.Dir, k.CacheBytes, holder)
}

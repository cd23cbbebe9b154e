// Package dirsample reads a bounded window of a directory's names: a
// visit that checks a few entries of a directory that may hold thousands
// (the users of a disk image, of an image in the store) must not list
// them all, or every create costs more the more containers there are.
package dirsample

import (
	"io/fs"
	"math/rand/v2"
	"slices"

	"golang.org/x/sys/unix"
)

// Window is the size of the read First makes: 40 to 60 names of the
// id@digest form. os.File reads 8 KiB, some 200 names, at a time.
const Window = 2048

// First returns the names (without "." and "..") that one getdents64 of
// Window bytes reads from the start of dir: at most a window's worth,
// whatever dir holds.
func First(dir string) ([]string, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(fd)
	buf := make([]byte, Window)
	n, err := unix.Getdents(fd, buf)
	if err != nil {
		return nil, &fs.PathError{Op: "getdents64", Path: dir, Err: err}
	}
	_, _, names := unix.ParseDirent(buf[:n], -1, nil)
	return names, nil
}

// Pick returns up to n of the names First reads that keep accepts (all,
// with keep nil), picked at random: a visit checks a few of a directory's
// entries, and over many visits, all of them.
func Pick(dir string, n int, keep func(name string) bool) ([]string, error) {
	names, err := First(dir)
	if err != nil {
		return nil, err
	}
	if keep != nil {
		names = slices.DeleteFunc(names, func(name string) bool { return !keep(name) })
	}
	rand.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	return names[:min(len(names), n)], nil
}

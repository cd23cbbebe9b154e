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
	fd, err := openDir(dir)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	names, _, err := window(fd, dir, make([]byte, Window))
	return names, err
}

// Empty tells whether dir holds no name but "." and "..", reading it a
// small window at a time until it finds one: one read of a few names when
// it has some, whatever their number.
func Empty(dir string) (bool, error) {
	fd, err := openDir(dir)
	if err != nil {
		return false, err
	}
	defer unix.Close(fd)
	buf := make([]byte, emptyWindow)
	for {
		names, more, err := window(fd, dir, buf)
		if err != nil || len(names) > 0 {
			return false, err
		}
		if !more {
			return true, nil
		}
	}
}

// emptyWindow holds any one name: a directory entry takes at most 280
// bytes (a name of 255), and at most a dozen short ones.
const emptyWindow = 288

func openDir(dir string) (int, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	return fd, nil
}

// window reads the next window of names (without "." and "..") of the
// directory dir open at fd into buf, and tells whether the directory went
// on (false at its end).
func window(fd int, dir string, buf []byte) (names []string, more bool, err error) {
	n, err := unix.Getdents(fd, buf)
	if err != nil {
		return nil, false, &fs.PathError{Op: "getdents64", Path: dir, Err: err}
	}
	_, _, names = unix.ParseDirent(buf[:n], -1, nil)
	return names, n > 0, nil
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

// Package pathwalk resolves a path one component at a time, splicing in
// the target of each symlink met as the kernel does, so that its caller
// can check or confine every step: safedir checks who can write each
// directory on the way to a state root, and the image store keeps a
// layer's writes inside its rootfs.
package pathwalk

import (
	"errors"
	"path"
	"strings"
)

// maxLinks bounds the symlinks followed, as the kernel's ELOOP does.
const maxLinks = 40

// ErrLoop is the cause of a walk that met more than maxLinks symlinks.
var ErrLoop = errors.New("too many levels of symlinks")

// Steps are how a walk moves; each works on the caller's current place.
type Steps struct {
	// Up goes to the parent (a ".." component).
	Up func() error
	// Top goes back to where the walk began: a symlink's absolute target
	// starts there.
	Top func()
	// Enter goes into component c; last tells that no component follows.
	// If c is a symlink, it stays put and returns the link's target.
	Enter func(c string, last bool) (target string, link bool, err error)
}

// Walk walks p (relative to where the caller stands) with s.
func Walk(p string, s Steps) error {
	todo := strings.Split(p, "/")
	hops := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if err := s.Up(); err != nil {
				return err
			}
			continue
		}
		target, link, err := s.Enter(c, !named(todo))
		if err != nil {
			return err
		}
		if !link {
			continue
		}
		if hops++; hops > maxLinks {
			return ErrLoop
		}
		if path.IsAbs(target) {
			s.Top()
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	return nil
}

// named tells whether components that name something remain.
func named(todo []string) bool {
	for _, c := range todo {
		if c != "" && c != "." {
			return true
		}
	}
	return false
}

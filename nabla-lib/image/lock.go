package image

import "github.com/nabla-containers/runnc/nabla-lib/image/imagelock"

// lock takes the store's flock, exclusive or shared (see imagelock.Lock).
func (s *Store) lock(exclusive bool) (unlock func(), err error) {
	return imagelock.Lock(s.root, exclusive)
}

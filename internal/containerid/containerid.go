// Package containerid holds the one rule for container ids, which the
// factory checks and the fs handler relies on when it names files after
// a container.
package containerid

import "regexp"

// Pattern is runc's rule for container ids: letters, digits, '_', '+', '-'
// and '.'. It also keeps ids usable as file names and free of glob
// metacharacters.
var Pattern = regexp.MustCompile(`^[\w+.-]+$`)

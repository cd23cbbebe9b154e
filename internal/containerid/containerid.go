// Package containerid holds the one rule for container ids, which the
// factory checks and the fs handler relies on when it names files after
// a container.
package containerid

// Valid tells whether id follows runc's rule for container ids
// (^[\w+.-]+$): letters, digits, '_', '+', '-' and '.', at least one. It
// also keeps ids usable as file names and free of glob metacharacters.
// A loop, not a regexp: compiling one costs every start of runnc, which
// starts three times per container.
func Valid(id string) bool {
	if id == "" {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// Package errclass puts a sentinel in an error's chain without putting its
// text in the message: libcontainer's and the image store's errors are
// sentences for the user, which callers classify with errors.Is.
package errclass

import "fmt"

// Errorf is fmt.Errorf whose error also wraps class without showing its
// text: a sentinel that classifies the error, or a cause that the sentence
// already tells in its own words.
func Errorf(class error, format string, args ...any) error {
	return &wrapped{class: class, err: fmt.Errorf(format, args...)}
}

type wrapped struct{ class, err error }

func (e *wrapped) Error() string   { return e.err.Error() }
func (e *wrapped) Unwrap() []error { return []error{e.class, e.err} }

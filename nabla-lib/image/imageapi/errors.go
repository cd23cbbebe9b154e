package imageapi

import (
	"errors"

	"github.com/nabla-containers/runnc/internal/errclass"
)

// Sentinels classify the image store's errors; callers test them with
// errors.Is, on either side of runnc-image's pipe, where each travels as
// its kind's name. An error's text is a sentence for the user. A failure
// of the host or the network (a file, a registry) is none of these.
var (
	// ErrNotFound: the store has no image of that name.
	ErrNotFound = kind("not-found", "image not in the store")
	// ErrInUse: a container uses the image, which therefore stays.
	ErrInUse = kind("in-use", "image in use")
	// ErrInvalidReference: the name is neither a reference runnc reads
	// nor an image ID.
	ErrInvalidReference = kind("invalid-reference", "invalid image reference")
	// ErrInvalidImage: the image cannot make a container (no Entrypoint
	// or Cmd, an Env entry that is not NAME=VALUE...).
	ErrInvalidImage = kind("invalid-image", "image unusable")
	// ErrProtocol: runnc-image gave no answer runnc can read (missing,
	// or of another build).
	ErrProtocol = kind("protocol", "no answer from runnc-image")
)

// kinds are the sentinels with their names on the wire, in the order
// above: an error of two classes is sent as the first.
var kinds []struct {
	name string
	err  error
}

func kind(name, text string) error {
	err := errors.New(text)
	kinds = append(kinds, struct {
		name string
		err  error
	}{name, err})
	return err
}

// wireError is an error as runnc-image sends it: its sentence and the
// name of its sentinel, if it has one of the above.
type wireError struct {
	Kind    string `json:"kind,omitempty"`
	Message string `json:"message"`
}

func encodeError(err error) *wireError {
	w := &wireError{Message: err.Error()}
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			w.Kind = k.name
			break
		}
	}
	return w
}

// decode is the error runnc-image sent, with its sentinel; a kind this
// runnc does not know leaves the sentence alone.
func (w *wireError) decode() error {
	for _, k := range kinds {
		if k.name == w.Kind {
			return errclass.Errorf(k.err, "%s", w.Message)
		}
	}
	return errors.New(w.Message)
}

package imageapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/internal/errclass"
)

// roundTrip serves one request with prepare and reads the answer as
// Prepare does.
func roundTrip(t *testing.T, req Request, prepare func(*Request, io.Writer) (*Prepared, error)) (*Prepared, error) {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Serve(bytes.NewReader(in), &out, prepare); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	return decodeResponse("runnc-image", out.Bytes(), nil)
}

func TestPreparedCrossesThePipe(t *testing.T) {
	want := &Prepared{ImageID: "sha256:" + strings.Repeat("a", 64), Bundle: "/store/bundles/a", Entrypoint: []string{"/hello.nabla", "x y"}}
	req := Request{Version: version, Store: Options{Root: "/store", DiskDir: "/disks", DiskCacheBytes: 1, DiskLimitBytes: 2, UnpackLimitBytes: 3}, Ref: "oci:/l:1"}
	got, err := roundTrip(t, req, func(r *Request, progress io.Writer) (*Prepared, error) {
		if !reflect.DeepEqual(*r, req) {
			t.Errorf("the server read %+v, want %+v", *r, req)
		}
		if progress != nil {
			t.Error("a request without Progress got a progress writer")
		}
		return want, nil
	})
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
}

// Every class of error arrives as the same sentence, with its sentinel.
func TestErrorsKeepTheirClass(t *testing.T) {
	for _, k := range kinds {
		sent := errclass.Errorf(k.err, "image x: %w", errors.New("the cause"))
		_, err := roundTrip(t, Request{Version: version}, func(*Request, io.Writer) (*Prepared, error) { return nil, sent })
		if err == nil || err.Error() != sent.Error() {
			t.Errorf("%s: got %v, want the sentence %q", k.name, err, sent)
		}
		for _, other := range kinds {
			if got := errors.Is(err, other.err); got != (other.err == k.err) {
				t.Errorf("%s: errors.Is(err, %v) = %v", k.name, other.err, got)
			}
		}
	}
	// An unclassified failure (a host or network one) is its sentence alone.
	_, err := roundTrip(t, Request{Version: version}, func(*Request, io.Writer) (*Prepared, error) {
		return nil, fmt.Errorf("pull: %w", io.ErrUnexpectedEOF)
	})
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			t.Errorf("an unclassified error arrived as %v", k.err)
		}
	}
	if err == nil || err.Error() != "pull: unexpected EOF" {
		t.Errorf("got %v", err)
	}
}

// A kind a newer runnc-image sends keeps its sentence.
func TestUnknownKindKeepsTheSentence(t *testing.T) {
	_, err := decodeResponse("runnc-image", []byte(`{"error":{"kind":"from-the-future","message":"image x is odd"}}`), nil)
	if err == nil || err.Error() != "image x is odd" {
		t.Errorf("got %v", err)
	}
}

// An answer runnc cannot read is ErrProtocol, in one sentence naming the
// tool, whatever runnc-image printed.
func TestNoAnswerIsAProtocolError(t *testing.T) {
	for _, out := range []string{"", "sha256:abc\n", `{}`, `{"prepared":{"bundle":"/b"},"error":{"message":"x"}}`, "runnc: image: unknown command"} {
		_, err := decodeResponse("/usr/bin/runnc-image", []byte(out), errors.New("exit status 1"))
		if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "/usr/bin/runnc-image") || strings.Contains(err.Error(), "\n") {
			t.Errorf("answer %q: got %v, want ErrProtocol naming the tool on one line", out, err)
		}
	}
}

// runnc and runnc-image of other protocol versions refuse each other.
func TestOtherVersionIsRefused(t *testing.T) {
	_, err := roundTrip(t, Request{Version: version + 1}, func(*Request, io.Writer) (*Prepared, error) {
		t.Error("a request of another version was served")
		return nil, nil
	})
	if !errors.Is(err, ErrProtocol) {
		t.Errorf("got %v, want ErrProtocol", err)
	}
}

func TestServeFailsOnlyOnItsPipes(t *testing.T) {
	if err := Serve(strings.NewReader("not json"), io.Discard, nil); err == nil {
		t.Error("Serve read a request from garbage")
	}
}

package tender_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// The guest SDK's own tests (tests/guest) cover its guests in depth; this
// only checks that the tender boots a real SDK guest, when one is built.
func TestSDKHello(t *testing.T) {
	hello := filepath.Join(testenv.BuildDir(t), "guests", "hello.nabla")
	if _, err := os.Stat(hello); err != nil {
		t.Skipf("%s not built (make guests): the SDK's tests cover it", hello)
	}
	r := run(t, hello, `{"cmdline":"hello.nabla"}`)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "Hello, World\n") {
		t.Fatalf("hello.nabla should print Hello, World and exit 0, got %v", r)
	}
	r = run(t, hello, `{"cmdline":"hello.nabla exit=3"}`)
	if r.code != 3 || r.signal != 0 {
		t.Fatalf("hello.nabla exit=3 should exit with status 3, got %v", r)
	}
}

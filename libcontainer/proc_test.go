package libcontainer

import (
	"os"
	"testing"
)

func TestReadProcStatOfSelf(t *testing.T) {
	st, err := readProcStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if st.startTime == 0 || (st.state != 'R' && st.state != 'S') {
		t.Fatalf("unexpected stat %+v", st)
	}
	if !alive(os.Getpid(), st.startTime) {
		t.Fatal("this process is not alive")
	}
	if alive(os.Getpid(), st.startTime+1) {
		t.Fatal("a different start time must not count as the same process")
	}
	if alive(0, 0) {
		t.Fatal("pid 0 is never a container")
	}
}

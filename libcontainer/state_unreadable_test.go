package libcontainer

import (
	"encoding/json"
	"testing"
)

func TestReadableHeadOfATornState(t *testing.T) {
	whole, err := json.Marshal(&State{ID: "x", InitPid: 42, InitStartTime: 7, CgroupPaths: map[string]string{"pids": "/sys/fs/cgroup/pids/x"}, RawConfig: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	for cut := 0; cut <= len(whole); cut++ {
		st := readableHead(whole[:cut])
		if st.InitPid != 0 && st.InitPid != 42 || st.InitStartTime != 0 && st.InitStartTime != 7 {
			t.Fatalf("cut at %d: read pid %d start %d", cut, st.InitPid, st.InitStartTime)
		}
	}
	st := readableHead(append(whole[:len(whole)-1:len(whole)-1], []byte(`,"netstate":{"options":{"x":1}}}`)...))
	if st.InitPid != 42 || st.InitStartTime != 7 || st.CgroupPaths["pids"] == "" {
		t.Errorf("members before the damaged one were lost: %+v", st)
	}
	if st := readableHead([]byte("\x00\x00garbage")); st.InitPid != 0 {
		t.Errorf("garbage gave pid %d", st.InitPid)
	}
}

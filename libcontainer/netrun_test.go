package libcontainer

import (
	"os"
	"testing"

	"github.com/nabla-containers/runnc/llif"
)

// countingNet counts its Run phases.
type countingNet struct {
	llif.NoneNetwork
	runs *int
}

func (n countingNet) NetworkRunFunc(*llif.NetworkRunInput) (*llif.LLState, error) {
	*n.runs++
	st := llif.NewLLState()
	st.Options["ran"] = "true"
	return st, nil
}

// A network handler whose Create says its Run has nothing to do
// (llif.NetSkipRun) is not run, and no thread goes into the namespace for
// it; without the key it runs there, and its state replaces Create's.
func TestNetworkRunSkippedWhenCreateSaysSo(t *testing.T) {
	for _, skip := range []bool{true, false} {
		runs := 0
		create := llif.NewLLState()
		if skip {
			create.Options[llif.NetSkipRun] = "true"
		}
		c := &nablaContainer{
			id:       "netrun",
			factory:  &NablaFactory{},
			handlers: llif.RunllcHandler{NetworkH: countingNet{runs: &runs}},
			state:    &State{NetworkState: *create},
		}
		// This process's own namespace stands for init's.
		st, err := c.networkRun(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 0, false: 1}[skip]; runs != want {
			t.Errorf("skip %v: Run ran %d times, want %d", skip, runs, want)
		}
		if ran := st.Get("ran") == "true"; ran == skip || (c.state.NetworkState.Get("ran") == "true") != ran {
			t.Errorf("skip %v: state after Run %v, container's %v", skip, st.Options, c.state.NetworkState.Options)
		}
	}
}

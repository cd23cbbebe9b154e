package llif

// LLState is what one handler's phase hands to the later phases and to the
// other handlers. It is saved in state.json after every phase: Create, Run
// and Destroy run in different runnc processes, so nothing else of a phase
// reaches the next.
type LLState struct {
	Options map[string]string `json:"options,omitempty"`
}

// NewLLState returns an empty state ready to be filled.
func NewLLState() *LLState {
	return &LLState{Options: map[string]string{}}
}

// Get returns the option key, or "" when the state or the key is absent.
func (s *LLState) Get(key string) string {
	if s == nil {
		return ""
	}
	return s.Options[key]
}

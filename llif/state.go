package llif

// LLState is what one handler's phase hands to the later phases and to the
// other handlers. Options is saved in state.json after every phase;
// InMemoryObjects lives only as long as the process that made it (Create and
// Run run in different processes, so never rely on it across phases).
type LLState struct {
	Options         map[string]string `json:"options,omitempty"`
	InMemoryObjects map[string]any    `json:"-"`
}

// NewLLState returns an empty state ready to be filled.
func NewLLState() *LLState {
	return &LLState{Options: map[string]string{}, InMemoryObjects: map[string]any{}}
}

// Get returns the option key, or "" when the state or the key is absent.
func (s *LLState) Get(key string) string {
	if s == nil {
		return ""
	}
	return s.Options[key]
}

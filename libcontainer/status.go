package libcontainer

// Status is where a container is in its life.
type Status int

const (
	Created Status = iota
	Running
	Paused
	Stopped
)

func (s Status) String() string {
	switch s {
	case Created:
		return "created"
	case Running:
		return "running"
	case Paused:
		return "paused"
	case Stopped:
		return "stopped"
	}
	return "unknown"
}

// operation is what a caller may ask of a container, as it reads in
// "cannot <operation> container <name>".
type operation string

const (
	opStart  operation = "start"
	opPause  operation = "pause"
	opResume operation = "resume"
	opUpdate operation = "update"
	opSignal operation = "signal"
	opStats  operation = "read the statistics of"
	opDelete operation = "delete"
)

// refusal is why an operation cannot be done from a status: its sentinel,
// what to say of the status ("" says "it is <status>") and what to do.
type refusal struct {
	kind   error
	why    string
	advice string
}

// transitions answers "can I do this from here?" for every operation: it
// is refused from the statuses listed under it and allowed from the rest.
var transitions = map[operation]map[Status]refusal{
	opStart: {
		Running: {kind: ErrRunning, why: "it is already running"},
		Paused:  {kind: ErrPaused, advice: "resume it first"},
		Stopped: {kind: ErrNotRunning, advice: "delete it and create it again"},
	},
	opPause: {
		Paused:  {kind: ErrPaused, why: "it is already paused"},
		Stopped: {kind: ErrNotRunning},
	},
	opResume: {
		Created: {kind: ErrNotPaused, why: "it is created, not paused"},
		Running: {kind: ErrNotPaused, why: "it is running, not paused"},
		Stopped: {kind: ErrNotRunning, why: "it is stopped, not paused"},
	},
	opUpdate: {Stopped: {kind: ErrNotRunning}},
	opStats:  {Stopped: {kind: ErrNotRunning}},
	// runc's words: containerd's shim reads them as "the process already
	// finished" (NotFound) rather than an unknown error after kill.
	opSignal: {Stopped: {kind: ErrNotRunning, why: "container not running (it has stopped)"}},
	// Without force; a created container has no workload to lose.
	opDelete: {
		Running: {kind: ErrRunning, advice: "stop it first or use --force"},
		Paused:  {kind: ErrPaused, advice: "stop it first or use --force"},
	},
}

// check refuses op if the container's status forbids it.
func (c *nablaContainer) check(op operation) error {
	return c.refuse(op, c.currentStatus())
}

// refuse is the refusal of op from status s, if transitions has one: one
// sentence naming the container, its status and what to do.
func (c *nablaContainer) refuse(op operation, s Status) error {
	r, refused := transitions[op][s]
	if !refused {
		return nil
	}
	why := r.why
	if why == "" {
		why = "it is " + s.String()
	}
	if r.advice != "" {
		why += "; " + r.advice
	}
	return errorf(r.kind, "cannot %s container %s: %s", op, c.name(), why)
}

package goja

// tickHook is what SetTickHook set.
type tickHook struct {
	f       func()
	running bool // f is running: calls it makes into the runtime leave the jobs to its caller
}

// SetTickHook sets f, which the runtime calls whenever control is about to leave it (the outermost
// call from Go is returning): before it runs the queued promise jobs, and again each time it has
// run them all, until f has queued none. Calls f makes into the runtime run no promise jobs of
// their own: the loop that called f runs them afterwards. This is Node's process.nextTick queue,
// which runs before the microtasks that a macrotask queued and after all of those that microtasks
// queued (Node's processTicksAndRejections). A panic in f (an *InterruptedError) leaves the
// runtime as an interruption does. nil removes the hook.
func (r *Runtime) SetTickHook(f func()) {
	r.ticks.f = f
}

func (r *Runtime) runTicks() {
	if r.ticks.f == nil {
		return
	}
	r.ticks.running = true
	defer func() { r.ticks.running = false }()
	r.ticks.f()
}

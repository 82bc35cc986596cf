package runner

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/actionsd/actionsd/runner/auth0"
	"github.com/actionsd/actionsd/runner/wire"
	"github.com/actionsd/actionsd/trigger"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Request errors: what a caller of Execute and Test did wrong. Branch with errors.Is.
var (
	ErrUnknownTrigger = errors.New("unknown trigger")
	ErrUnknownAction  = errors.New("unknown action")
	ErrBadEvent       = errors.New("the event is not a JSON object")
)

// RequestError is a bad request to Execute or Test: an unknown trigger or action, or an event
// that is not a JSON object. A failing action is not a RequestError: it is a Result with outcome
// "failed".
type RequestError struct {
	Kind error  // ErrUnknownTrigger, ErrUnknownAction, ErrBadEvent or ErrBadState
	Name string // the trigger or action asked for; for ErrBadState, what is wrong with it
}

func (e *RequestError) Error() string {
	switch e.Kind {
	case ErrUnknownTrigger:
		return fmt.Sprintf("trigger %s: %v", e.Name, e.Kind)
	case ErrUnknownAction:
		return fmt.Sprintf("action %s: %v", e.Name, e.Kind)
	case ErrBadState:
		return fmt.Sprintf("%v: %s", e.Kind, e.Name)
	case ErrBadEvent:
		if e.Name != "" {
			return fmt.Sprintf("%v: %s", e.Kind, e.Name)
		}
	}
	return e.Kind.Error()
}

// badEvent is the RequestError of an event that is not a JSON object, saying why: the JSON parse
// error with its line, column and byte offset, or what the value is instead.
func badEvent(event []byte) *RequestError {
	var v any
	err := json.Unmarshal(event, &v)
	var syn *json.SyntaxError
	switch {
	case len(bytes.TrimSpace(event)) == 0:
		return &RequestError{Kind: ErrBadEvent, Name: "the body is empty"}
	case errors.As(err, &syn):
		line, col := 1, 1
		for _, c := range event[:min(int(syn.Offset), len(event))] {
			if c == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
		if syn.Offset > 0 {
			col-- // Offset is just past the byte at fault
		}
		return &RequestError{Kind: ErrBadEvent, Name: fmt.Sprintf("invalid JSON at line %d, column %d (byte %d): %v", line, col, syn.Offset, err)}
	case err != nil:
		return &RequestError{Kind: ErrBadEvent, Name: err.Error()}
	}
	kind := "a JSON value"
	switch v.(type) {
	case []any:
		kind = "a JSON array"
	case string:
		kind = "a JSON string"
	case float64:
		kind = "a JSON number"
	case bool:
		kind = "a JSON boolean"
	case nil:
		kind = "JSON null"
	}
	return &RequestError{Kind: ErrBadEvent, Name: "it is " + kind}
}

func (e *RequestError) Unwrap() error { return e.Kind }

// Generation is one built deploy: compiled code and warm runtimes of every action. It is
// immutable once built and safe for concurrent use; Close drops its pooled runtimes.
type Generation struct {
	commit   string
	number   int64
	env      *runEnv
	given    runEnv // the options env was made from: equal ones let Build reuse actions
	sealer   *stateSealer
	redact   *redactor
	actions  map[string]*action
	bindings map[string][]*action // trigger -> actions in order
	closed   atomic.Bool
	tracer   Tracer // Options.Tracer; nil: off
	// stable are the previous revisions of the actions under rollout (Spec.Stable), and router
	// picks between them and the canaries in actions; both nil without a rollout.
	stable map[string]*action
	router Router
}

// Revisions of an action under rollout.
const (
	RevisionStable = "stable"
	RevisionCanary = "canary"
)

// StableVersion returns the version of the stable revision of an action under rollout.
func (g *Generation) StableVersion(name string) (string, bool) {
	a := g.stable[name]
	if a == nil {
		return "", false
	}
	return a.version, true
}

// DefaultPoolSize is Options.PoolSize's default (or 2×GOMAXPROCS when that is more): enough
// idle runtimes for the executions of one action that overlap while they await requests.
const DefaultPoolSize = 32

// runEnv is what an action's runtimes reach outside themselves. Generations built with equal
// options share one, and with it the actions they reuse (Options.Previous).
type runEnv struct {
	engine    *Engine
	log       *zap.Logger
	client    *http.Client
	cache     *auth0.Cache
	poolSize  int
	memLimit  int64         // bytes; ≤ 0: no watchdog
	budget    time.Duration // an execution's total time
	record    bool          // Options.RecordOutbound: client records, each execution collects
	bodyLimit int           // Options.OutboundBodyLimit, defaulted
	replay    bool          // Options.Replay: client answers from the execution's WithReplay exchanges
	// processEnv is Options.ProcessEnv as sorted "key\x00value\x00" pairs, so that runEnv stays
	// comparable.
	processEnv string
}

// action is one compiled action and its pool of warm runtimes. Generations that reuse it (see
// Options.Previous) share it; it is immutable but for its pool and reference count.
type action struct {
	env     *runEnv
	name    string
	version string
	trig    trigger.Trigger
	timeout time.Duration
	unit    *unit
	heads   map[string]string // repository path of each file it may run -> its wrapper head
	pool    chan *vm          // idle runtimes; at most env.poolSize
	print   [32]byte          // fingerprint of its ActionSpec
	modules []string          // the module versions it pins ("logger@v1"), sorted, for logs
	loaded  atomic.Bool       // a runtime of it has loaded: its top level ran without error once

	mu   sync.Mutex // guards refs
	refs int        // generations using the action; its pool is drained when none is left
}

// acquire adds a generation user; it fails once the last one released the action.
func (a *action) acquire() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.refs == 0 {
		return false
	}
	a.refs++
	return true
}

// release drops a generation user, and the pooled runtimes with the last one.
func (a *action) release() {
	a.mu.Lock()
	a.refs--
	last := a.refs <= 0
	a.mu.Unlock()
	if last {
		a.drain()
	}
}

func (a *action) released() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.refs <= 0
}

// Commit returns the commit the generation serves.
func (g *Generation) Commit() string { return g.commit }

// Number returns the generation's number, as given in its Spec.
func (g *Generation) Number() int64 { return g.number }

// Close drops the pooled runtimes of the actions that no newer generation reuses. Executions in
// flight finish normally; their runtimes are then dropped instead of pooled. Execute and Test
// still work after Close, on fresh runtimes. Close is idempotent.
func (g *Generation) Close() {
	if g.closed.Swap(true) {
		return
	}
	for _, a := range g.actions {
		a.release()
	}
	for _, a := range g.stable {
		a.release()
	}
}

func (a *action) drain() {
	for {
		select {
		case <-a.pool:
		default:
			return
		}
	}
}

// get returns an idle runtime (pooled), or a new one (loaded before limit) when none is idle.
func (a *action) get(ctx context.Context, limit time.Time) (v *vm, pooled bool, err error) {
	select {
	case v := <-a.pool:
		return v, true, nil
	default:
	}
	lctx, cancel := context.WithDeadline(ctx, limit)
	defer cancel()
	v, err = a.newVM(lctx)
	return v, false, err
}

// put returns v to the pool unless it is broken, the pool is full or every generation using the
// action is closed.
func (a *action) put(v *vm) {
	if v.broken || a.released() {
		return
	}
	select {
	case a.pool <- v:
	default:
	}
	if a.released() { // the last generation closed meanwhile
		a.drain()
	}
}

// Execute runs the actions bound to trig, in order, with event (a JSON object) and returns the
// §4 document. Only a bad request is an error (*RequestError); a failing action gives outcome
// "failed". The execution's budget is Options.Budget, or less when ctx has an earlier deadline.
func (g *Generation) Execute(ctx context.Context, trig string, event []byte) (*Result, error) {
	t, ok := trigger.Lookup(trig)
	if !ok {
		return nil, &RequestError{Kind: ErrUnknownTrigger, Name: trig}
	}
	var buf [maxEventMembers]wire.MemberSpan
	members, ok := wire.ObjectMembers(event, buf[:0])
	if !ok {
		return nil, badEvent(event)
	}
	return g.execute(ctx, t, g.bindings[trig], event, members, nil), nil
}

// Event is an event validated once, by Parse, with the spans of its top-level members: for a
// caller that must know the event is a JSON object before it executes it (a bridge, whose body is
// the event), so that ExecuteEvent does not validate it again as Execute would. Its zero value is
// no event. An Event refers to the bytes it parsed: keep them unchanged until ExecuteEvent returns.
type Event struct {
	b []byte
	// n is how many of spans hold the members' spans; -1 when the event has more members than
	// spans holds (each action then scans the event for its members). Not a slice of spans: an
	// Event referring to itself would escape to the heap.
	n     int
	spans [maxEventMembers]wire.MemberSpan
}

// Parse validates b as an event, one JSON object, exactly as Execute does, and reports whether it
// is one; ev then holds it.
func (ev *Event) Parse(b []byte) bool {
	members, ok := wire.ObjectMembers(b, ev.spans[:0])
	if !ok {
		ev.b = nil
		return false
	}
	ev.b, ev.n = b, len(members)
	if members == nil {
		ev.n = -1
	}
	return true
}

// Bytes returns the event's JSON; nil before Parse succeeds.
func (ev *Event) Bytes() []byte { return ev.b }

// ExecuteEvent is Execute with an event Parse validated already.
func (g *Generation) ExecuteEvent(ctx context.Context, trig string, ev *Event) (*Result, error) {
	t, ok := trigger.Lookup(trig)
	if !ok {
		return nil, &RequestError{Kind: ErrUnknownTrigger, Name: trig}
	}
	if ev.b == nil {
		return nil, badEvent(nil)
	}
	var members []wire.MemberSpan
	if ev.n >= 0 {
		members = ev.spans[:ev.n]
	}
	return g.execute(ctx, t, g.bindings[trig], ev.b, members, nil), nil
}

// Test runs one action, bound or not, with the api of the trigger it declares, as Auth0's Test tab
// does. A redirect it makes resumes (Continue) with that action alone.
func (g *Generation) Test(ctx context.Context, name string, event []byte) (*Result, error) {
	a, ok := g.actions[name]
	if !ok {
		return nil, &RequestError{Kind: ErrUnknownAction, Name: name}
	}
	var buf [maxEventMembers]wire.MemberSpan
	members, ok := wire.ObjectMembers(event, buf[:0])
	if !ok {
		return nil, badEvent(event)
	}
	return g.execute(ctx, a.trig, []*action{a}, event, members, &flow{single: true}), nil
}

// maxEventMembers is how many top-level members of an event Execute and Test keep the spans of
// for their actions' events; a larger event is scanned by each action.
const maxEventMembers = 16

// execution is the state of one trigger execution, shared by its actions in turn.
type execution struct {
	event string // the request JSON; each action parses its own copy
	res   *Result
	flow  *flow // nil for a plain Execute
	// recordLimit is Options.OutboundBodyLimit when the generation records outbound requests, 0
	// when it does not; rec is made when an action first needs a request context (actionRun.context),
	// so that an execution that sends nothing records nothing and allocates nothing for it.
	recordLimit int
	rec         *recorder
}

// flow says how an execution relates to redirects.
type flow struct {
	single bool    // Test: one action, and a redirect resumes only it
	resume string  // Continue: the state it resumes; the first action runs its continue handler
	prior  *Result // Continue: the commands and effects from before the redirect
}

// newExecutionID returns 128 random bits in hex. An execution ID names an execution in results
// and logs; it is no secret and grants nothing, so it comes from the runtime's ChaCha8 generator
// (seeded by the OS, per thread, no lock and no system call) rather than crypto/rand.
func newExecutionID() (h [32]byte) {
	putHex64(h[:16], mrand.Uint64())
	putHex64(h[16:], mrand.Uint64())
	return h
}

// newStateID returns 128 bits from crypto/rand in hex: the ID that makes a redirect state
// single-use.
func newStateID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	var h [32]byte
	hex.Encode(h[:], b[:])
	return string(h[:])
}

func putHex64(dst []byte, x uint64) {
	const digits = "0123456789abcdef"
	for i := 15; i >= 0; i-- {
		dst[i] = digits[x&0xf]
		x >>= 4
	}
}

// resultState is a Result and the state of the execution that fills it, allocated together: a
// usual execution allocates neither apart.
type resultState struct {
	res Result
	ex  execution
}

// newResult returns the Result of an execution of n actions with event, and its execution state
// started.
func (g *Generation) newResult(t trigger.Trigger, n int, fl *flow, event []byte) (*Result, *execution) {
	// The execution ID and the execution's copy of the event share one allocation.
	id := newExecutionID()
	var sb strings.Builder
	sb.Grow(len(id) + len(event))
	sb.Write(id[:])
	sb.Write(event)
	idEvent := sb.String()
	rs := &resultState{res: Result{
		ExecutionID: idEvent[:len(id)],
		Trigger:     t.Name,
		Commit:      g.commit,
		Generation:  g.number,
		Outcome:     OutcomeSuccess,
	}}
	res := &rs.res
	rs.ex = execution{event: idEvent[len(id):], res: res, flow: fl}
	res.Begin(n)
	if fl != nil && fl.prior != nil {
		res.Commands = fl.prior.Commands
		res.Effects = fl.prior.Effects
	}
	// The Effects maps are made on first write (wire.SetEffect): the JSON encoding writes a nil
	// one as {}.
	return res, &rs.ex
}

// members are the spans of event's top-level members, found while validating it
// (wire.ObjectMembers), or nil to let each action's event scan it. They are passed down to the
// actions rather than kept in the Result, so that their buffer stays on the caller's stack.
func (g *Generation) execute(ctx context.Context, t trigger.Trigger, actions []*action, event []byte, members []wire.MemberSpan, fl *flow) *Result {
	start := time.Now()
	deadline := start.Add(g.env.budget)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	res, ex := g.newResult(t, len(actions), fl, event)
	if g.env.record {
		ex.recordLimit = g.env.bodyLimit
	}
	if g.env.replay {
		if rp, ok := ctx.Value(replayKey{}).(*replayer); ok {
			rp.redact = g.redact
		}
	}
	if g.tracer != nil {
		var end func(string)
		ctx, end = g.tracer.StartExecution(ctx, t.Name, g.commit, g.number)
		defer func() { end(res.Outcome) }()
	}
	var paused *action
	for i, a := range actions {
		handler := t.Handler
		if i == 0 && fl != nil && fl.resume != "" {
			handler = t.Continue
		}
		routed, canary := false, false
		if g.stable != nil && (fl == nil || !fl.single) { // Test runs the action asked for: the canary
			if s := g.stable[a.name]; s != nil {
				routed, canary = true, g.router.Canary(a.name, event)
				if !canary {
					actions = slices.Clone(actions) // the log names the revision that ran
					actions[i], a = s, s
				}
			}
		}
		var began time.Time
		if routed {
			began = time.Now()
		}
		res.Actions = append(res.Actions, ActionResult{Name: a.name, Version: a.version, Logs: []string{}})
		ar := &res.Actions[len(res.Actions)-1]
		if g.tracer != nil {
			actx, end := g.tracer.StartAction(ctx, a.name)
			a.run(actx, ex, members, ar, deadline, handler)
			end(ar.Error != nil)
		} else {
			a.run(ctx, ex, members, ar, deadline, handler)
		}
		if routed {
			g.router.Observe(a.name, canary, ar.Error != nil, time.Since(began))
			if canary {
				res.Revision = RevisionCanary
			} else if res.Revision == "" {
				res.Revision = RevisionStable
			}
		}
		if ar.Error != nil {
			res.Outcome = OutcomeFailed
			if t.FailClosed { // an error denies: the flow must not go on as if the action had passed
				res.Outcome = OutcomeDenied
				res.Effects.Access = wire.Access{Denied: true, Code: wire.AccessCodeActionFailed, Reason: "the action failed", Action: a.name}
			}
			break
		}
		if res.Effects.Access.Denied {
			res.Outcome = OutcomeDenied
			break
		}
		if res.Effects.Redirect != nil {
			res.Outcome = OutcomeRedirect
			paused = a
			break
		}
	}
	if res.Outcome != OutcomeRedirect {
		res.Effects.Redirect = nil // a redirect asked for by an action that then failed or denied
	}
	if ex.rec != nil {
		res.Outbound = ex.rec.collect()
	}
	if g.redact != nil {
		g.redactResult(res)
	}
	if paused != nil {
		g.pause(t, paused, ex, fl != nil && fl.single)
	}
	level := zap.InfoLevel
	if res.Outcome == OutcomeFailed {
		level = zap.WarnLevel
	}
	if ce := g.env.log.Check(level, "execution"); ce != nil {
		ce.Write(zap.String("execution_id", res.ExecutionID), zap.String("trigger", t.Name),
			zap.String("commit", g.commit), zap.Int64("generation", g.number),
			zap.String("outcome", res.Outcome), zap.Duration("duration", time.Since(start)),
			zap.Array("actions", ranActions{actions: actions, results: res.Actions}))
	}
	return res
}

// maxLoggedError bounds the error of an action in the execution log: the result carries it whole.
const maxLoggedError = 1024

// truncate cuts s to at most n bytes, on a UTF-8 boundary, ending the cut with "…".
func truncate(s string, n int) string {
	const mark = "…"
	if len(s) <= n {
		return s
	}
	cut := max(n-len(mark), 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

// ranActions logs the actions an execution ran: name, version, the module versions each pins,
// and the error of the one that failed (redacted already, as the result is).
type ranActions struct {
	actions []*action
	results []ActionResult
}

func (r ranActions) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	for i := range r.results {
		a, ar := r.actions[i], &r.results[i]
		err := enc.AppendObject(zapcore.ObjectMarshalerFunc(func(o zapcore.ObjectEncoder) error {
			o.AddString("action", a.name)
			o.AddString("version", a.version)
			if len(a.modules) > 0 {
				if err := o.AddArray("modules", zapcore.ArrayMarshalerFunc(func(e zapcore.ArrayEncoder) error {
					for _, m := range a.modules {
						e.AppendString(m)
					}
					return nil
				})); err != nil {
					return err
				}
			}
			if ar.Error != nil {
				o.AddString("error", truncate(ar.Error.Message, maxLoggedError))
			}
			return nil
		}))
		if err != nil {
			return err
		}
	}
	return nil
}

// redactResult replaces secret values in what the actions wrote.
func (g *Generation) redactResult(res *Result) {
	for i := range res.Actions {
		ar := &res.Actions[i]
		for j, l := range ar.Logs {
			ar.Logs[j] = g.redact.redact(l)
		}
		if ar.Error != nil {
			ar.Error.Message = g.redact.redact(ar.Error.Message)
		}
	}
	for i := range res.Commands {
		for j, a := range res.Commands[i].Args {
			if s, ok := a.(string); ok {
				if r := g.redact.redact(s); r != s { // unchanged strings are not boxed again
					res.Commands[i].Args[j] = r
				}
			}
		}
	}
	for i := range res.Outbound {
		g.redactExchange(&res.Outbound[i])
	}
	res.Effects.Access.Reason = g.redact.redact(res.Effects.Access.Reason)
	res.Effects.Access.UserMessage = g.redact.redact(res.Effects.Access.UserMessage)
}

// redactExchange replaces secret values in what an exchange recorded: URL, header values, bodies
// and error.
func (g *Generation) redactExchange(x *wire.Exchange) {
	x.URL = g.redact.redact(x.URL)
	for _, h := range []map[string][]string{x.RequestHeaders, x.ResponseHeaders} {
		for _, vs := range h {
			for i, v := range vs {
				vs[i] = g.redact.redact(v)
			}
		}
	}
	for _, b := range []*[]byte{&x.RequestBody, &x.ResponseBody} {
		if s := string(*b); len(s) > 0 {
			if r := g.redact.redact(s); r != s {
				*b = []byte(r)
			}
		}
	}
	x.Error = g.redact.redact(x.Error)
}

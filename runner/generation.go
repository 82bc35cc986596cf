package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/actionsd/actionsd/trigger"
	"go.uber.org/zap"
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
	Kind error  // ErrUnknownTrigger, ErrUnknownAction or ErrBadEvent
	Name string // the trigger or action asked for
}

func (e *RequestError) Error() string {
	switch e.Kind {
	case ErrUnknownTrigger:
		return fmt.Sprintf("trigger %s: %v", e.Name, e.Kind)
	case ErrUnknownAction:
		return fmt.Sprintf("action %s: %v", e.Name, e.Kind)
	}
	return e.Kind.Error()
}

func (e *RequestError) Unwrap() error { return e.Kind }

// Generation is one built deploy: compiled code and warm runtimes of every action. It is
// immutable once built and safe for concurrent use; Close drops its pooled runtimes.
type Generation struct {
	commit   string
	number   int64
	log      *zap.Logger
	client   *http.Client
	cache    *Cache
	redact   *redactor
	poolSize int
	actions  map[string]*action
	bindings map[string][]*action // trigger -> actions in order
	closed   atomic.Bool
}

// action is one action of a generation and its pool of runtimes.
type action struct {
	g       *Generation
	name    string
	version string
	trig    trigger.Trigger
	timeout time.Duration
	unit    *unit
	heads   map[string]string // repository path of each file it may run -> its wrapper head
	pool    chan *vm          // idle runtimes; at most poolSize
}

// Commit returns the commit the generation serves.
func (g *Generation) Commit() string { return g.commit }

// Number returns the generation's number, as given in its Spec.
func (g *Generation) Number() int64 { return g.number }

// Close drops the pooled runtimes. Executions in flight finish normally; their runtimes are then
// dropped instead of pooled. Execute and Test still work after Close, on fresh runtimes.
func (g *Generation) Close() {
	g.closed.Store(true)
	for _, a := range g.actions {
		a.drain()
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

// get returns an idle runtime, or a new one when none is idle.
func (a *action) get(ctx context.Context) (*vm, error) {
	select {
	case v := <-a.pool:
		return v, nil
	default:
	}
	return a.newVM(ctx)
}

// put returns v to the pool unless it is broken, the pool is full or the generation is closed.
func (a *action) put(v *vm) {
	if v.broken || a.g.closed.Load() {
		return
	}
	select {
	case a.pool <- v:
	default:
	}
	if a.g.closed.Load() { // Close ran meanwhile
		a.drain()
	}
}

// Execute runs the actions bound to trig, in order, with event (a JSON object) and returns the
// §4 document. Only a bad request is an error (*RequestError); a failing action gives outcome
// "failed". The execution's budget is DefaultBudget, or less when ctx has an earlier deadline.
func (g *Generation) Execute(ctx context.Context, trig string, event []byte) (*Result, error) {
	t, ok := trigger.Lookup(trig)
	if !ok {
		return nil, &RequestError{Kind: ErrUnknownTrigger, Name: trig}
	}
	if !isJSONObject(event) {
		return nil, &RequestError{Kind: ErrBadEvent}
	}
	return g.execute(ctx, t, g.bindings[trig], event), nil
}

// Test runs one action, bound or not, with the api of the trigger it declares, as Auth0's Test tab
// does.
func (g *Generation) Test(ctx context.Context, name string, event []byte) (*Result, error) {
	a, ok := g.actions[name]
	if !ok {
		return nil, &RequestError{Kind: ErrUnknownAction, Name: name}
	}
	if !isJSONObject(event) {
		return nil, &RequestError{Kind: ErrBadEvent}
	}
	return g.execute(ctx, a.trig, []*action{a}, event), nil
}

func isJSONObject(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return json.Valid(b)
		}
		return false
	}
	return false
}

// execution is the state of one trigger execution, shared by its actions in turn.
type execution struct {
	event string // the request JSON; each action parses its own copy
	res   *Result
}

func newExecutionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	var h [32]byte
	hex.Encode(h[:], b[:])
	return string(h[:])
}

func (g *Generation) execute(ctx context.Context, t trigger.Trigger, actions []*action, event []byte) *Result {
	start := time.Now()
	deadline := start.Add(DefaultBudget)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	res := &Result{
		ExecutionID: newExecutionID(),
		Trigger:     t.Name,
		Commit:      g.commit,
		Generation:  g.number,
		Outcome:     OutcomeSuccess,
		Actions:     make([]ActionResult, 0, len(actions)),
		Commands:    []Command{},
		Effects: Effects{
			IDTokenClaims:     map[string]any{},
			AccessTokenClaims: map[string]any{},
			AppMetadata:       map[string]any{},
			UserMetadata:      map[string]any{},
		},
	}
	ex := &execution{event: string(event), res: res}
	for _, a := range actions {
		res.Actions = append(res.Actions, ActionResult{Name: a.name, Version: a.version, Logs: []string{}})
		ar := &res.Actions[len(res.Actions)-1]
		a.run(ctx, ex, ar, deadline)
		if ar.Error != nil {
			res.Outcome = OutcomeFailed
			break
		}
		if res.Effects.Access.Denied {
			res.Outcome = OutcomeDenied
			break
		}
	}
	if g.redact != nil {
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
					res.Commands[i].Args[j] = g.redact.redact(s)
				}
			}
		}
		res.Effects.Access.Reason = g.redact.redact(res.Effects.Access.Reason)
		res.Effects.Access.UserMessage = g.redact.redact(res.Effects.Access.UserMessage)
	}
	if ce := g.log.Check(zap.DebugLevel, "execution"); ce != nil {
		ce.Write(zap.String("execution_id", res.ExecutionID), zap.String("trigger", t.Name),
			zap.String("commit", g.commit), zap.Int64("generation", g.number),
			zap.String("outcome", res.Outcome), zap.Duration("duration", time.Since(start)))
	}
	return res
}

// Package runner runs Actions and Action Modules on the goja JavaScript engine.
//
// Build compiles every action and module version of one deploy once and returns an immutable
// *Generation; a Generation executes triggers (the bound actions in order), single actions (Test)
// and redirect continuations (Continue), each on warm runtimes that belong to that action alone.
// Build reuses the unchanged actions of the previous generation (Options.Previous), so a sync that
// changes one action rebuilds and warms only that one. It does not read git, Vault or npm: callers
// hand it sources, secret values and dependency bundles in a Spec.
//
// The engine is this package: building (build.go, compile.go), runtimes and their pools
// (runtime.go, generation.go), require (require.go), the event loop and timers (loop.go), the
// execution of triggers and their limits (execute.go, memory.go), redirected flows (continue.go),
// the recording and replay of the actions' HTTP exchanges (outbound.go) and the lockdown
// (harden.go). What a runtime provides to user code is in sub-packages, each a
// module against a small host interface (runner/host, as k6's modules see a VU) and each tested
// alone (runner/host/hosttest):
//   - runner/auth0: the api of every trigger of SPEC §4, api.cache's store (Cache), and the
//     redirect methods and tokens;
//   - runner/node: the Node built-ins (require, also as node:<name>) buffer, events, util,
//     stream, string_decoder, path, querystring, url, assert, os (fixed values), tty, timers,
//     zlib, crypto, http, https, perf_hooks, net and tls (client sockets, egress-checked) and
//     dns (lookup); fs, child_process, vm, worker_threads, http2 and a few others load but every
//     function throws "<module>.<fn> is not available to actions"; the console (captured into the action's logs) and process (empty env, fixed
//     versions, stdout/stderr into the logs);
//   - runner/web: fetch (egress-checked, see egress.NewClient), Headers, Request, Response,
//     AbortController, AbortSignal, URL, URLSearchParams, TextEncoder, TextDecoder, atob, btoa,
//     structuredClone and queueMicrotask, and node:http's transport;
//   - runner/egress: which addresses requests and sockets may reach, and the dialer and client
//     that enforce it;
//   - runner/wire: the event's JSON in and the Result document out.
//
// The JavaScript environment (SPEC §3): require serves actions:<name> (the pinned version,
// loaded once per runtime), relative .js/.cjs/.json files of the action's or module's folder,
// declared npm packages from the Source.Bundle (loaded once per runtime) and the Node built-ins;
// the globals are the Web APIs, timers (returning Node-like Timeout objects), setImmediate,
// console, Buffer, crypto (WebCrypto), CryptoKey, process, global and globalThis.
//
// State: module scope persists between executions of one action on one runtime, as a warm Auth0
// container keeps it (a cache in module scope works, and is per runtime); it is never shared
// between actions. The event is a fresh copy per execution and per action; timers, pending
// requests and rejections of an execution do not outlive it.
//
// Limits (each ends that execution with an error in its result, never the daemon; memory.go): the
// trigger's budget and the action's timeout interrupt running code, long-running built-ins and
// backtracking regular expressions included; recursion, and built-ins that walk nested data (JSON,
// join, flat), are bounded by the call stack size; an allocation that would take the heap's growth
// during the execution past Options.MemoryLimit is refused before it happens with V8's RangeError,
// and growth step by step is stopped by a heap watchdog; strings are at most V8's 2^29-24
// characters; a promise nothing can settle, an unhandled rejection and a throw of anything end the
// execution with a clear message. The engine's hooks for these are our fork of goja
// (third_party/goja).
//
// Isolation: runtimes belong to one action and are never shared; a module's secrets, fetch and
// console are parameters of its wrapper, never globals. An action and the modules it loads share
// one JavaScript realm, so the runtimes of an action that pins modules are locked down from the
// first one a build loads (harden.go): no user code runs beside a module's secrets otherwise.
//
// Cost: Build loads one runtime per bound action (the first to serve); the actions no trigger
// binds are compiled and scanned only, and load on their first Test (Options.LoadUnbound).
package runner

import (
	"net/http"
	"time"

	"github.com/actionsd/actionsd/jsdeps"
	"github.com/actionsd/actionsd/runner/auth0"
	"go.uber.org/zap"
)

// DefaultBudget is a trigger execution's total time budget, as in Auth0.
const DefaultBudget = 20 * time.Second

// Spec is everything one generation runs. Build does not keep references to the maps it is given
// beyond copying what it needs; callers may reuse them.
type Spec struct {
	Commit     string                 // the deploy-branch commit this generation serves
	Generation int64                  // its number, given by the caller (sync counts swaps)
	Actions    map[string]*ActionSpec // by action name
	Bindings   map[string][]string    // trigger -> action names in execution order
	// Stable are the previous revisions of the actions under a gradual rollout, by name: the
	// revision in Actions is then the canary, and Options.Router picks one of the two for each
	// execution. Empty: no rollout, and no routing cost.
	Stable map[string]*ActionSpec
}

// Router picks the revision of an action under rollout (Spec.Stable) for each execution, and is
// told how each run of either went. It is called on the execution path: it must be quick and
// safe for concurrent use. sync/rollout implements it.
type Router interface {
	// Canary reports whether this execution of action, with event (a JSON object), runs the
	// canary revision.
	Canary(action string, event []byte) bool
	// Observe records one run of action's canary or stable revision: whether it failed, and how
	// long it took.
	Observe(action string, canary, failed bool, d time.Duration)
}

// ActionSpec is one action at the deployed commit.
type ActionSpec struct {
	Name    string
	Version string        // the last commit that changed the action's folder
	Trigger string        // the trigger the action declares
	Timeout time.Duration // 0: the trigger budget
	Source  Source
	Secrets map[string]string      // the action's own secrets: event.secrets
	Modules map[string]*ModuleSpec // require('actions:<name>') -> the pinned version
}

// ModuleSpec is one published module version as an action pins it.
type ModuleSpec struct {
	Name    string
	Version int
	Source  Source
	Secrets map[string]string // the module's own secrets: actions.secrets
}

// Source is the code of one action or module version.
type Source struct {
	Dir   string            // repository-relative folder ("actions/log-login"), used in error positions
	Entry string            // entry file relative to Dir ("index.js")
	Files map[string][]byte // every file of the folder, by path relative to Dir
	// Dependencies names the npm packages the code may require; nil means none are declared.
	Dependencies map[string]string
	// Bundle is the code of Dependencies, built by npmvendor; nil when there are none (or, until
	// npm support lands, when they are not resolved: requiring one then fails with a clear error).
	Bundle *jsdeps.Bundle
}

// Options configure Build; the zero value is usable.
type Options struct {
	// Engine owns the background work of builds and the memory watchdog (see Engine); nil means
	// the process's default engine.
	Engine *Engine
	Logger *zap.Logger
	// HTTPClient serves fetch and node:http/https. It must already enforce the egress policy
	// (egress.NewClient); nil means egress.NewClient(egress.Policy{}), which refuses loopback and
	// private addresses.
	HTTPClient *http.Client
	// PoolSize bounds the idle warm runtimes kept per action; 0 means DefaultPoolSize. Build
	// warms one per action; more are made when executions overlap (an action awaiting fetch holds
	// its runtime) and kept up to this bound, so that a busy action stops making runtimes. A
	// warm runtime of a small action holds about 300 KiB.
	PoolSize int
	// Cache is api.cache's store, shared by every generation of a daemon so that entries survive a
	// swap; nil gives the generation a cache of its own.
	Cache *auth0.Cache
	// Programs keeps compiled code by content across generations, so that a build recompiles only
	// what changed; nil compiles everything.
	Programs *ProgramCache
	// LoadUnbound loads, at build, the actions no trigger binds as well as the bound ones, so that
	// one whose top level fails fails the build (validate wants that). Without it, they are only
	// compiled and scanned, and Test loads one on first use: a deploy of many unbound actions
	// costs no warm runtime for each.
	LoadUnbound bool
	// Previous is the generation serving now, if any. Build reuses its compiled actions and their
	// warm runtimes for every action whose ActionSpec is unchanged (same sources, dependency
	// bundle, secret values, pinned module versions and their secrets) when the other options
	// are the same, so that a change to one action rebuilds and warms only that action. Closing
	// Previous after the swap leaves the reused runtimes to the new generation.
	Previous *Generation
	// StateKey seals redirect states (see Generation.Continue). Configure it (32 random bytes or
	// more) so that a state survives a restart and is accepted by every replica; nil uses the
	// engine's random key (one per process with the default engine).
	StateKey []byte
	// MemoryLimit is how much the Go heap may grow during one action execution: a larger
	// allocation is refused with a RangeError, and an execution past it is interrupted with an
	// error (see memory.go); 0 means DefaultMemoryLimit, a negative value turns both off.
	MemoryLimit int64
	// Budget is a trigger execution's total time budget; 0 means DefaultBudget.
	Budget time.Duration
	// Tracer, when set, records each execution and each of its actions as a span; nil records
	// nothing.
	Tracer Tracer
	// ProcessEnv is what actions see in process.env (plain configuration such as NODE_ENV, never
	// secrets: those are event.secrets); nil leaves it empty. The host's environment is never
	// visible.
	ProcessEnv map[string]string
	// Router routes the executions of the actions that have a stable revision in the Spec
	// (Spec.Stable); required then, unused otherwise.
	Router Router
	// RecordOutbound records each HTTP request the actions send (fetch, node:http and
	// node:https; a redirect followed is a request of its own) and its response or error into
	// the Result's Outbound, tagged with the action's name: method, URL, headers but
	// Authorization, Proxy-Authorization, Cookie and Set-Cookie, bodies up to OutboundBodyLimit,
	// secret values redacted as from logs. node:net and node:tls sockets are not recorded. Off,
	// it costs nothing.
	RecordOutbound bool
	// OutboundBodyLimit is the bytes of each body RecordOutbound keeps; 0 means
	// DefaultOutboundBodyLimit.
	OutboundBodyLimit int
	// Replay answers the actions' HTTP requests from the exchanges recorded before, given to
	// each execution with WithReplay, instead of the network: HTTPClient is not used, a request
	// that was not recorded fails, and node:net and node:tls sockets are refused.
	Replay bool
}

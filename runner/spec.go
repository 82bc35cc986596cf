// Package runner runs Actions and Action Modules on the goja JavaScript engine.
//
// Build compiles every action and module version of one deploy once and returns an immutable
// *Generation; a Generation executes triggers (the bound actions in order) and single actions, each
// on runtimes that belong to that action alone. It does not read git, Vault or npm: callers hand it
// sources, secret values and (later) dependency bundles in a Spec.
//
// The JavaScript environment (SPEC §3) as this package provides it today: CommonJS require of
// actions:<name> (the pinned version, loaded once per runtime), relative .js/.cjs/.json files of
// the action's or module's folder, and the Node built-ins buffer, url, util, events, timers and
// process (also as node:<name>); fs, child_process, net, tls, vm and worker_threads load but every
// function throws. Declared npm packages throw until bundles exist (see requireDependency). Globals:
// fetch (egress-checked, see NewHTTPClient), Headers, Request, Response, AbortController,
// AbortSignal, URL, URLSearchParams, TextEncoder, TextDecoder, atob, btoa, structuredClone,
// timers, queueMicrotask, console (captured into the action's logs), Buffer, process (empty env),
// global and globalThis. Not yet provided: crypto, http/https, path, querystring, string_decoder,
// assert, zlib, os, npm bundles, redirects, and a memory limit.
//
// Isolation: runtimes belong to one action and are never shared; a module's secrets, fetch and
// console are parameters of its wrapper, never globals. An action and the modules it loads do share
// one JavaScript realm, so an action that rewrites built-in prototypes (Array.prototype.push, …)
// can observe what a module does with them; hardening the intrinsics is left to a later issue.
package runner

import (
	"net/http"
	"time"

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
	Bundle *Bundle
}

// Bundle is one dependency set bundled by esbuild into a single CommonJS file. Loaded like a
// CommonJS module (exports, require, module), its module.exports maps every declared package name to
// a function that returns that package's exports (evaluated on first call). Its require is asked
// only for Node built-ins, which the bundler leaves external.
type Bundle struct {
	Key  string // content hash of Code: equal keys mean equal code (the compile cache's key)
	Code []byte
}

// Options configure Build; the zero value is usable.
type Options struct {
	Logger *zap.Logger
	// HTTPClient serves fetch (and later http/https). It must already enforce the egress policy;
	// nil means NewHTTPClient(EgressPolicy{}), which refuses loopback and private addresses.
	HTTPClient *http.Client
	// PoolSize bounds the warm runtimes kept per action; 0 means 2×GOMAXPROCS.
	PoolSize int
	// Cache is api.cache's store, shared by every generation of a daemon so that entries survive a
	// swap; nil gives the generation a cache of its own.
	Cache *Cache
	// Programs keeps compiled code by content across generations, so that a build recompiles only
	// what changed; nil compiles everything.
	Programs *ProgramCache
}

package runner

import (
	"crypto/rand"
	"runtime"
	"sync"

	"github.com/actionsd/actionsd/runner/node"
	"github.com/actionsd/actionsd/runner/web"
)

// Engine is what the builds and executions of one daemon share, and the goroutines they start
// apart from any execution: the background compiles of bundle chunks, bounded to the processors
// Go may use, and of the runner's own JavaScript (Precompile); the memory watchdog's view of the
// executions running on it (memory.go), which it compares with the heap of the whole process; and
// the key that seals redirect states when Options.StateKey is not set, so that a state survives
// a swap. Options.Engine chooses one; nil means the process's default engine, made on first use
// and never closed.
type Engine struct {
	slots    chan struct{}  // held by the background compiles running now
	wg       sync.WaitGroup // the goroutines started (dispatch, Precompile)
	once     sync.Once      // Precompile
	mem      memWatch       // the memory watchdog's state (memory.go)
	stateKey []byte         // redirect states' key when Options.StateKey is not set
}

// NewEngine returns an engine that has started nothing.
func NewEngine() *Engine {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return &Engine{
		slots:    make(chan struct{}, runtime.GOMAXPROCS(0)),
		mem:      memWatch{suspects: make(map[*alarm]struct{})},
		stateKey: k,
	}
}

// defaultEngine is the engine of the builds whose Options name none.
var defaultEngine = sync.OnceValue(NewEngine)

// engineOf returns e, or the default engine when e is nil.
func engineOf(e *Engine) *Engine {
	if e == nil {
		return defaultEngine()
	}
	return e
}

// Precompile compiles, in the background, the JavaScript the runner brings itself (its prelude,
// the Web APIs, the Node built-ins and the lockdown), which the first build would otherwise
// compile as it goes. A daemon calls it as it starts, so that this work overlaps its git fetch and
// secret reads instead of delaying its first generation. It returns at once; calling it again
// does nothing.
func (e *Engine) Precompile() {
	e.once.Do(func() {
		e.wg.Go(node.Precompile)
		e.wg.Go(func() {
			preludeProgram()
			web.Precompile()
			hardenProgram()
			esGlobalNames()
		})
	})
}

// Close waits for the goroutines e started: background compiles and Precompile. Builds and
// executions that use e after Close may start more.
func (e *Engine) Close() {
	e.wg.Wait()
}

// Precompile is Precompile of the default engine, the one builds use when Options.Engine is nil.
func Precompile() {
	defaultEngine().Precompile()
}

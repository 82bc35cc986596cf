package node

import (
	"strings"
	"time"

	"github.com/dop251/goja"
)

// newProcess returns Node's process object with the env of Config.ProcessEnv (empty without it):
// the host's environment is never visible to actions.
func (v *Modules) newProcess() *goja.Object {
	rt := v.rt
	p := rt.NewObject()
	env := rt.NewObject()
	kv := strings.Split(v.cfg.ProcessEnv, "\x00")
	for i := 0; i+1 < len(kv); i += 2 {
		env.Set(kv[i], kv[i+1])
	}
	p.Set("env", env)
	p.Set("argv", rt.NewArray())
	p.Set("execArgv", rt.NewArray())
	p.Set("platform", "linux")
	p.Set("arch", "x64")
	p.Set("pid", 1)
	p.Set("version", "v"+nodeVersion)
	versions := rt.NewObject()
	versions.Set("node", nodeVersion)
	versions.Set("v8", "11.3.244.8-node.19")
	versions.Set("uv", "1.46.0")
	versions.Set("modules", "115")
	p.Set("versions", versions)
	release := rt.NewObject()
	release.Set("name", "node")
	p.Set("release", release)
	p.Set("cwd", func() string { return "/" })
	p.Set("uptime", func() float64 { return time.Since(processStart).Seconds() })
	p.Set("hrtime", v.hrtime)
	p.Set("emitWarning", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	p.Set("on", func(call goja.FunctionCall) goja.Value { return call.This })
	p.Set("exit", func(goja.FunctionCall) goja.Value {
		panic(v.in.NewError("process.exit is not available to actions"))
	})
	for _, name := range []string{"abort", "kill", "chdir", "dlopen", "binding", "setuid", "setgid"} {
		p.Set(name, func(goja.FunctionCall) goja.Value {
			panic(v.in.NewError("process." + name + " is not available to actions"))
		})
	}
	for _, name := range []string{"once", "off", "addListener", "removeListener", "removeAllListeners", "prependListener", "setMaxListeners", "emit"} {
		p.Set(name, func(call goja.FunctionCall) goja.Value { return call.This })
	}
	p.Set("listeners", func(goja.FunctionCall) goja.Value { return rt.NewArray() })
	p.Set("listenerCount", func(goja.FunctionCall) goja.Value { return rt.ToValue(0) })
	p.Set("title", "node")
	p.Set("execPath", "/usr/local/bin/node")
	p.Set("exitCode", goja.Undefined())
	p.Set("features", rt.NewObject()) // plain objects, not Go maps: lockdown freezes them
	config := rt.NewObject()
	config.Set("variables", rt.NewObject())
	p.Set("config", config)
	p.Set("umask", func(goja.FunctionCall) goja.Value { return rt.ToValue(0o022) })
	p.Set("getuid", func(goja.FunctionCall) goja.Value { return rt.ToValue(1000) })
	p.Set("getgid", func(goja.FunctionCall) goja.Value { return rt.ToValue(1000) })
	p.Set("cpuUsage", func(goja.FunctionCall) goja.Value { return rt.ToValue(map[string]any{"user": 0, "system": 0}) })
	p.Set("memoryUsage", func(goja.FunctionCall) goja.Value {
		return rt.ToValue(map[string]any{"rss": 0, "heapTotal": 0, "heapUsed": 0, "external": 0, "arrayBuffers": 0})
	})
	// stdout and stderr write into the action's logs, a line per write.
	for _, name := range []string{"stdout", "stderr"} {
		s := rt.NewObject()
		s.Set("write", func(call goja.FunctionCall) goja.Value {
			v.vm.Log(strings.TrimSuffix(call.Argument(0).String(), "\n"))
			return rt.ToValue(true)
		})
		s.Set("isTTY", false)
		s.Set("fd", map[string]int{"stdout": 1, "stderr": 2}[name])
		s.Set("on", func(call goja.FunctionCall) goja.Value { return call.This })
		s.Set("once", func(call goja.FunctionCall) goja.Value { return call.This })
		p.Set(name, s)
	}
	p.Set("nextTick", func(call goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			panic(v.ArgTypeError("callback", "function", call.Argument(0)))
		}
		v.ticks = append(v.ticks, tick{fn: fn, args: append([]goja.Value(nil), call.Arguments[1:]...)})
		return goja.Undefined()
	})
	rt.SetTickHook(v.runTicks)
	return p
}

// tick is a process.nextTick callback with its arguments.
type tick struct {
	fn   goja.Callable
	args []goja.Value
}

// runTicks is the runtime's tick hook (goja's SetTickHook): it runs the process.nextTick queue,
// including what the callbacks queue, as Node's processTicksAndRejections does before the
// promise jobs of a macrotask and after those of microtasks. A callback that throws leaves its
// error as an unhandled rejection, which ends the execution (in Node, an uncaught exception ends
// the process); an interruption stops the queue and the runtime.
func (v *Modules) runTicks() {
	for len(v.ticks) > 0 {
		t := v.ticks[0]
		v.ticks[0] = tick{}
		v.ticks = v.ticks[1:]
		if _, err := t.fn(goja.Undefined(), t.args...); err != nil {
			ex, ok := err.(*goja.Exception)
			if !ok {
				v.ticks = nil
				panic(err)
			}
			_, _, reject := v.rt.NewPromise()
			_ = reject(ex.Value())
		}
	}
	v.ticks = nil
}

var processStart = time.Now()

// nodeVersion is the Node version process reports: the Node line whose built-ins the runner
// follows (Auth0 runs Node 22 and 18 too; packages test the major version).
const nodeVersion = "20.18.0"

func (v *Modules) hrtime(call goja.FunctionCall) goja.Value {
	ns := time.Since(processStart).Nanoseconds()
	sec, nsec := ns/1e9, ns%1e9
	if prev, ok := call.Argument(0).(*goja.Object); ok {
		ps, pn := integerAt(prev, "0"), integerAt(prev, "1")
		d := (sec-ps)*1e9 + (nsec - pn)
		sec, nsec = d/1e9, d%1e9
	}
	return v.rt.NewArray(sec, nsec)
}

// integerAt is o[key] as an integer; 0 when o has no such property.
func integerAt(o *goja.Object, key string) int64 {
	if val := o.Get(key); val != nil {
		return val.ToInteger()
	}
	return 0
}

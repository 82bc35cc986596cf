package localrun

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/runner/egress"
	"github.com/actionsd/actionsd/trigger"
)

//go:embed kit.js
var kitJS string

// Names of the files the harness adds to the folder under test.
const (
	harnessFile = "__actionsd_test__.js"
	entryFile   = "__actionsd_test_entry__.js"
	resultClaim = "actionsd_test"
)

// TestFile is one *.test.js file.
type TestFile struct {
	Path   string // repository-relative: "actions/log-login/log-login.test.js"
	Kind   string // "actions" or "modules"
	Object string // the action or module name
	File   string // relative to the object's folder
}

// Discover lists the *.test.js files of the actions and module drafts, sorted; with filters,
// only those whose path starts with one of them (a folder or a file).
func (w *Workspace) Discover(filters ...string) []TestFile {
	var out []TestFile
	add := func(kind, name string, files map[string][]byte) {
		for _, f := range slices.Sorted(maps.Keys(files)) {
			if !strings.HasSuffix(f, ".test.js") {
				continue
			}
			p := kind + "/" + name + "/" + f
			if len(filters) > 0 && !slices.ContainsFunc(filters, func(fl string) bool {
				fl = strings.TrimSuffix(path.Clean(strings.TrimPrefix(fl, "./")), "/")
				return fl == "." || p == fl || strings.HasPrefix(p, fl+"/")
			}) {
				continue
			}
			out = append(out, TestFile{Path: p, Kind: kind, Object: name, File: f})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(w.State.Snap.Actions)) {
		add("actions", name, w.State.Snap.Actions[name].Files)
	}
	for _, name := range slices.Sorted(maps.Keys(w.State.Snap.Drafts)) {
		add("modules", name, w.State.Snap.Drafts[name].Files)
	}
	return out
}

// TestResult is one test's outcome.
type TestResult struct {
	File     string   `json:"file"`
	Name     string   `json:"name"`
	Status   string   `json:"status"` // pass, fail, skip
	Error    string   `json:"error,omitempty"`
	Pos      string   `json:"pos,omitempty"` // file:line:col of the failure, when known
	Logs     []string `json:"logs,omitempty"`
	Duration float64  `json:"duration_ms"`
}

// TestOptions tune RunTests.
type TestOptions struct {
	Timeout time.Duration // per test; 0 means 5 s
	Logger  *zap.Logger
	// Each is called with each result as it is known (for streaming output).
	Each func(TestResult)
	// PassThrough names hosts (egress allow-list entries) that a fetch no stub matches may reach,
	// through the egress client; empty: every fetch must be stubbed.
	PassThrough egress.Policy
}

// RunTests runs the tests of one file: a generation whose only action is a harness that loads
// the test API, then the test file (beside the action's files, or as part of the module's draft),
// runs once to list the tests and once per test. A file that fails to build gives one failing
// result.
func (w *Workspace) RunTests(ctx context.Context, tf TestFile, opts TestOptions) []TestResult {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	emit := func(rs ...TestResult) []TestResult {
		if opts.Each != nil {
			for _, r := range rs {
				opts.Each(r)
			}
		}
		return rs
	}
	broken := func(msg, pos string) []TestResult {
		return emit(TestResult{File: tf.Path, Name: "(load " + tf.File + ")", Status: "fail", Error: msg, Pos: pos})
	}
	stubs := newStubTransport()
	stubs.passThrough(opts.PassThrough)
	spec, err := w.harnessSpec(ctx, tf, opts.Timeout)
	if err != nil {
		return broken(err.Error(), "")
	}
	gen, err := runner.Build(ctx, spec, runner.Options{Logger: opts.Logger, PoolSize: 1, HTTPClient: stubs.client()})
	if err != nil {
		var be *runner.BuildError
		if errors.As(err, &be) && len(be.Problems) > 0 {
			p := be.Problems[0]
			return broken(p.Message, errorPos(runner.Error{File: p.File, Line: p.Line, Col: p.Col}))
		}
		return broken(err.Error(), "")
	}
	defer gen.Close()

	call := func(req map[string]any) (map[string]any, *runner.ActionResult, error) {
		ev, _ := json.Marshal(map[string]any{"__actionsd_test": req})
		tctx, cancel := context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
		res, err := gen.Test(tctx, "test", ev)
		if err != nil {
			return nil, nil, err
		}
		var ar *runner.ActionResult
		if len(res.Actions) > 0 {
			ar = &res.Actions[0]
			if ar.Error != nil {
				return nil, ar, ar.Error
			}
		}
		raw, ok := res.Effects.IDTokenClaims[resultClaim].(json.RawMessage)
		if !ok {
			return nil, ar, errors.New("the harness returned no result")
		}
		var out map[string]any
		if err := json.Unmarshal(raw, &out); err != nil {
			return nil, ar, err
		}
		return out, ar, nil
	}

	list, _, err := call(map[string]any{"op": "list"})
	if err != nil {
		return broken(err.Error(), errorPosOf(err))
	}
	tests, _ := list["tests"].([]any)
	if len(tests) == 0 {
		return broken("no tests: call test(name, fn) in the file", tf.Path)
	}
	var results []TestResult
	for i, t := range tests {
		tm, _ := t.(map[string]any)
		name, _ := tm["name"].(string)
		r := TestResult{File: tf.Path, Name: name}
		if skip, _ := tm["skip"].(bool); skip {
			r.Status = "skip"
			results = append(results, emit(r)...)
			continue
		}
		start := time.Now()
		out, ar, err := call(map[string]any{"op": "run", "index": i})
		r.Duration = float64(time.Since(start).Microseconds()) / 1000
		if ar != nil {
			r.Logs = ar.Logs
		}
		switch {
		case err != nil:
			r.Status, r.Error, r.Pos = "fail", err.Error(), errorPosOf(err)
		case out["ok"] == true:
			r.Status = "pass"
		default:
			r.Status = "fail"
			e, _ := out["error"].(map[string]any)
			msg, _ := e["message"].(string)
			name, _ := e["name"].(string)
			stack, _ := e["stack"].(string)
			if name != "" && name != "Error" {
				msg = name + ": " + msg
			}
			r.Error, r.Pos = msg, stackPos(stack)
		}
		results = append(results, emit(r)...)
	}
	return results
}

// harnessSpec is the generation of one test file: the harness action "test", bound to nothing.
func (w *Workspace) harnessSpec(ctx context.Context, tf TestFile, timeout time.Duration) (*runner.Spec, error) {
	fixtures, err := json.Marshal(Fixtures())
	if err != nil {
		return nil, err
	}
	kit := strings.Replace(kitJS, "__FIXTURES__", string(fixtures), 1)
	t, _ := trigger.Lookup("post-login")
	harness := func(load string) []byte {
		return []byte(fmt.Sprintf("const __kit = %s;\nObject.assign(globalThis, __kit.globals);\n%s\nexports.%s = async (event, api) => {\n  api.idToken.setCustomClaim(%q, await __kit.run(event.__actionsd_test));\n};\n",
			strings.TrimSpace(kit), load, t.Handler, resultClaim))
	}
	as := &runner.ActionSpec{Name: "test", Version: "test", Trigger: t.Name, Timeout: min(timeout, runner.DefaultBudget),
		Secrets: map[string]string{}, Modules: map[string]*runner.ModuleSpec{}}
	switch tf.Kind {
	case "actions":
		a, err := w.ActionSpec(ctx, tf.Object)
		if err != nil {
			return nil, err
		}
		files := maps.Clone(a.Source.Files)
		files[harnessFile] = harness(fmt.Sprintf("require('./%s');", tf.File))
		as.Source = a.Source
		as.Source.Entry, as.Source.Files = harnessFile, files
		as.Secrets = a.Secrets
		as.Modules = a.Modules
	default:
		m, err := w.ModuleSpec(ctx, tf.Object, 0)
		if err != nil {
			return nil, err
		}
		files := maps.Clone(m.Source.Files)
		files[entryFile] = []byte(fmt.Sprintf("module.exports = require('./%s');\n", tf.File))
		m.Source.Files, m.Source.Entry = files, entryFile
		as.Source = runner.Source{Dir: m.Source.Dir, Entry: harnessFile,
			Files: map[string][]byte{harnessFile: harness(fmt.Sprintf("require('actions:%s');", tf.Object))}}
		as.Modules = map[string]*runner.ModuleSpec{tf.Object: m}
	}
	return &runner.Spec{Commit: w.State.CommitHash(), Actions: map[string]*runner.ActionSpec{"test": as}, Bindings: map[string][]string{}}, nil
}

var stackPosRE = regexp.MustCompile(`((?:actions|modules)/[^\s():]+\.(?:c?js|mjs|[cm]?ts)):(\d+):(\d+)`)

// stackPos finds the first position of a user file (not the harness) in a JavaScript stack.
func stackPos(stack string) string {
	for _, m := range stackPosRE.FindAllStringSubmatch(stack, -1) {
		if strings.HasSuffix(m[1], harnessFile) || strings.HasSuffix(m[1], entryFile) {
			continue
		}
		return m[1] + ":" + m[2] + ":" + m[3]
	}
	return ""
}

func errorPos(e runner.Error) string {
	if e.File == "" {
		return ""
	}
	if e.Line == 0 {
		return e.File
	}
	return e.File + ":" + strconv.Itoa(e.Line) + ":" + strconv.Itoa(max(e.Col, 1))
}

func errorPosOf(err error) string {
	var e *runner.Error
	if errors.As(err, &e) {
		return errorPos(*e)
	}
	return ""
}

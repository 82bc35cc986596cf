package npmvendor

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
)

func TestTransform(t *testing.T) {
	tests := []struct {
		name, file, give string
		wantSame         bool
		wantErr          bool
	}{
		{name: "TypeScript", file: "index.ts", give: `import { x } from "./lib"; interface E { n: number }
export const onExecutePostLogin = async (e: E): Promise<number> => e.n + x;`},
		{name: "ES module", file: "index.js", give: `import lib from "./lib"; export default lib; export async function* g() { yield 1 }`},
		{name: "CommonJS stays as written", file: "index.js", give: "exports.x = 1; // important = true\n", wantSame: true},
		{name: "JSON is not code", file: "data.json", give: `{"a": 1}`, wantSame: true},
		{name: "syntax error", file: "index.ts", give: `export const = ;`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Transform(tt.file, []byte(tt.give))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got %s, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantSame {
				if string(got) != tt.give {
					t.Errorf("got %q, want the source unchanged", got)
				}
				return
			}
			if _, err := goja.Compile(tt.file, "(function (exports, require, module) {"+string(got)+"\n})", false); err != nil {
				t.Errorf("goja cannot compile the output: %v\n%s", err, got)
			}
		})
	}
}

// A transformed file carries an inline source map that goja reads: an error thrown in it names
// the original file (beside the output, in its folder) and line.
func TestTransformSourceMap(t *testing.T) {
	src := "interface Limits { max: number }\nconst l: Limits = { max: 3 };\n\nif (l.max > 2) throw new Error('too high');\nexport {};\n"
	code, err := Transform("lib/limits.ts", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	vm := goja.New()
	fn, err := vm.RunScript("actions/a/lib/limits.js", "(function (exports, require, module) {"+string(code)+"\n})")
	if err != nil {
		t.Fatal(err)
	}
	call, _ := goja.AssertFunction(fn)
	module := vm.NewObject()
	_, err = call(goja.Undefined(), vm.NewObject(), goja.Undefined(), module)
	ex, ok := err.(*goja.Exception)
	if !ok || len(ex.Stack()) == 0 {
		t.Fatalf("got %v, want the thrown error", err)
	}
	if p := ex.Stack()[0].Position(); p.Filename != "actions/a/lib/limits.ts" || p.Line != 4 || !strings.Contains(ex.Error(), "too high") {
		t.Errorf("%v at %s:%d, want too high at actions/a/lib/limits.ts:4", ex, p.Filename, p.Line)
	}
}

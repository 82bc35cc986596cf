package runner

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestBuiltinsAsNode: the built-in modules and globals give what Node gives for every expression of
// testdata/asnode/node.json (legacy url escaping, domain, punycode, diagnostics_channel,
// async_hooks, perf_hooks, timers/promises, stream/promises, util.types, module,
// structuredClone, EventTarget, Blob, File, FormData, ...). The expected values are Node's, made
// by testdata/asnode/gen.js and checked in, so that the test needs no Node. Where the runner
// differs on purpose (Node 22, which Auth0 runs, differs from Node 20; goja lacks something), the
// difference and its reason are in testdata/asnode/accepted.json. It logs the pass rate per
// module.
func TestBuiltinsAsNode(t *testing.T) {
	raw, err := os.ReadFile("testdata/asnode/node.json")
	if err != nil {
		t.Fatal(err)
	}
	var table struct {
		Node     string
		Prologue string
		Cases    []struct{ Module, Expr, Want string }
	}
	if err := json.Unmarshal(raw, &table); err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	src.WriteString(`exports.onExecutePostLogin = async (event, api) => {
` + table.Prologue + `
const out = [];
const t = async (f) => { try { out.push(String(await f())); } catch (err) { out.push('throws ' + (err && err.name) + ' ' + (err && err.code)); } };
`)
	for _, c := range table.Cases {
		src.WriteString("await t(async () => (" + c.Expr + "));\n")
	}
	src.WriteString(`api.idToken.setCustomClaim('r', out);
};`)
	g := mustBuild(t, newSpec(newAction("asnode", src.String())), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	raw, err = os.ReadFile("testdata/asnode/accepted.json")
	if err != nil {
		t.Fatal(err)
	}
	var accepted []struct{ Expr, Got, Why string }
	if err := json.Unmarshal(raw, &accepted); err != nil {
		t.Fatal(err)
	}
	acceptedGot := map[string]string{}
	for _, a := range accepted {
		if a.Why == "" {
			t.Errorf("accepted.json: %s has no reason", a.Expr)
		}
		acceptedGot[a.Expr] = a.Got
	}
	var got []string
	claim, _ := res.Effects.IDTokenClaims["r"].(json.RawMessage)
	if err := json.Unmarshal(claim, &got); err != nil {
		t.Fatalf("claims: %v (%s)", err, claim)
	}
	if len(got) != len(table.Cases) {
		t.Fatalf("got %d results, want %d", len(got), len(table.Cases))
	}
	type count struct{ pass, accepted, all int }
	counts := map[string]*count{}
	var modules []string
	for i, c := range table.Cases {
		n := counts[c.Module]
		if n == nil {
			n = &count{}
			counts[c.Module] = n
			modules = append(modules, c.Module)
		}
		n.all++
		if got[i] == c.Want {
			n.pass++
			continue
		}
		if a, ok := acceptedGot[c.Expr]; ok && a == got[i] {
			n.accepted++
			continue
		}
		t.Errorf("%s: %s\n got %q\nwant %q (Node %s)", c.Module, c.Expr, got[i], c.Want, table.Node)
	}
	var tab strings.Builder
	pass, all := 0, 0
	for _, m := range modules {
		c := counts[m]
		fmt.Fprintf(&tab, "\n%-22s %3d/%3d as Node", m, c.pass, c.all)
		if c.accepted > 0 {
			fmt.Fprintf(&tab, " (+%d accepted differences)", c.accepted)
		}
		pass, all = pass+c.pass, all+c.all
	}
	fmt.Fprintf(&tab, "\n%-22s %3d/%3d (%.1f%%)", "all", pass, all, 100*float64(pass)/float64(all))
	t.Logf("pass rate per module against Node %s:%s", table.Node, tab.String())
}

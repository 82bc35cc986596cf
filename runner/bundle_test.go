package runner

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/jsdeps"
)

// testBundle has the shape npmvendor's esbuild output has: CommonJS chunks, one entry chunk per
// declared package whose exports.default is the package, and a shared chunk of esbuild's helpers
// that the entry chunks require as "./<chunk>".
func testBundle(key string) *jsdeps.Bundle {
	return &jsdeps.Bundle{
		Key:     key,
		Entries: map[string]string{"left-pad": "pkg-0.js", "tiny-digest": "pkg-1.js", "bad": "pkg-2.js"},
		Chunks: map[string][]byte{
			"chunk-SHARED.js": []byte(`"use strict";
var __getOwnPropNames = Object.getOwnPropertyNames;
exports.__commonJS = (cb, mod) => function __require() {
  return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
};
globalThis.__bundleRuns = (globalThis.__bundleRuns || 0) + 1;
`),
			"pkg-0.js": []byte(`var import_chunk = require("./chunk-SHARED.js");
var require_left_pad = (0, import_chunk.__commonJS)({
  "node_modules/left-pad/index.js"(exports, module) {
    module.exports = function leftPad(str, len, ch) { str = String(str); ch = ch === undefined ? ' ' : String(ch); while (str.length < len) str = ch + str; return str; };
  }
});
exports.default = require_left_pad();
`),
			"pkg-1.js": []byte(`var import_chunk = require("./chunk-SHARED.js");
var require_digest = (0, import_chunk.__commonJS)({
  "node_modules/tiny-digest/index.js"(exports) {
    var crypto = require("crypto");
    exports.sha256 = (s) => crypto.createHash("sha256").update(s).digest("hex");
    exports.evaluations = (exports.evaluations || 0) + 1;
  }
});
exports.default = require_digest();
`),
			"pkg-2.js": []byte(`var import_chunk = require("./chunk-SHARED.js");
var require_bad = (0, import_chunk.__commonJS)({
  "node_modules/bad/index.js"(exports) { require("left-pad"); }
});
exports.default = require_bad();
`),
		},
	}
}

func TestNPMBundle(t *testing.T) {
	bundle := testBundle("sha256-test-1")
	src := `const leftPad = require('left-pad');
const digest = require('tiny-digest');
const again = require('tiny-digest');
exports.onExecutePostLogin = async (event, api) => {
  let bad;
  try { require('bad'); } catch (e) { bad = e.message; }
  api.idToken.setCustomClaim('r', [leftPad('7', 3, '0'), digest.sha256('abc').slice(0, 8), digest === again, digest.evaluations, globalThis.__bundleRuns, bad]);
};`
	a := newAction("a", src)
	a.Source.Dependencies = map[string]string{"left-pad": "1.3.0", "tiny-digest": "1.0.0", "bad": "1.0.0"}
	a.Source.Bundle = bundle
	b := newAction("b", src)
	b.Source.Dependencies = a.Source.Dependencies
	b.Source.Bundle = testBundle(bundle.Key)
	g := mustBuild(t, newSpec(a, b), Options{})
	// Twice: an entry chunk that threw is not kept as loaded (as Node forgets a module that threw),
	// so requiring it again throws again rather than handing out half-made exports.
	for range 2 {
		res := mustExecute(t, g, "post-login", `{}`)
		wantSuccess(t, res)
		want := `{"r":["007","ba7816bf",true,1,1,"cannot require 'left-pad': the Node built-in is not available to actions"]}`
		if got := toJSON(t, res.Effects.IDTokenClaims); got != want {
			t.Errorf("claims = %s, want %s", got, want)
		}
	}
	pa, errA := g.actions["a"].unit.bundle.chunks["pkg-1.js"].wait()
	pb, errB := g.actions["b"].unit.bundle.chunks["pkg-1.js"].wait()
	if errA != nil || errB != nil || pa == nil || pa != pb {
		t.Errorf("equal chunks compiled twice (%p, %p) or failed (%v, %v)", pa, pb, errA, errB)
	}
}

func TestNPMBundleErrors(t *testing.T) {
	a := newAction("a", `require('left-pad'); exports.onExecutePostLogin = async () => {};`)
	a.Source.Dependencies = map[string]string{"left-pad": "1.3.0"}
	a.Source.Bundle = &jsdeps.Bundle{Key: "k-broken", Entries: map[string]string{"left-pad": "pkg-0.js"},
		Chunks: map[string][]byte{"pkg-0.js": []byte("module.exports = {")}}
	_, err := Build(t.Context(), newSpec(a), Options{})
	if err == nil || !strings.Contains(err.Error(), "the npm dependency bundle does not compile: chunk pkg-0.js") ||
		!strings.Contains(err.Error(), "actions/a/<npm bundle>") {
		t.Errorf("broken bundle: err = %v", err)
	}
	a.Source.Bundle = &jsdeps.Bundle{Key: "k-empty"}
	_, err = Build(t.Context(), newSpec(a), Options{})
	if err == nil || !strings.Contains(err.Error(), "the dependency bundle of actions/a has no left-pad") {
		t.Errorf("bundle without the package: err = %v", err)
	}
	a.Source.Bundle = &jsdeps.Bundle{Key: "k-missing", Entries: map[string]string{"left-pad": "pkg-0.js"},
		Chunks: map[string][]byte{"pkg-0.js": []byte(`exports.default = require("./chunk-GONE.js");`)}}
	_, err = Build(t.Context(), newSpec(a), Options{})
	if err == nil || !strings.Contains(err.Error(), "the dependency bundle of actions/a has no chunk chunk-GONE.js") {
		t.Errorf("bundle with a missing chunk: err = %v", err)
	}
	// require('pkg/') is the package itself, as in Node.
	slash := newAction("slash", `exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('r', require('left-pad/')('1', 2, '0')); };`)
	slash.Source.Dependencies = map[string]string{"left-pad": "1.3.0"}
	slash.Source.Bundle = testBundle("k-slash")
	res0 := mustExecute(t, mustBuild(t, newSpec(slash), Options{}), "post-login", `{}`)
	if got := toJSON(t, res0.Effects.IDTokenClaims); got != `{"r":"01"}` {
		t.Errorf("require('left-pad/'): got %s", got)
	}
	// A deep import without an entry of its own is an error, not the package's root.
	deep := newAction("deep", `exports.onExecutePostLogin = async (event, api) => {
  let r; try { r = typeof require('left-pad/' + 'sub'); } catch (e) { r = e.message; } api.idToken.setCustomClaim('r', r); };`)
	deep.Source.Dependencies = map[string]string{"left-pad": "1.3.0"}
	deep.Source.Bundle = testBundle("k-deep")
	g := mustBuild(t, newSpec(deep), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	if got, _ := res.Effects.IDTokenClaims["r"].(json.RawMessage); !strings.Contains(string(got), "has no left-pad/sub") {
		t.Errorf("deep import without an entry: got %s", got)
	}
	// A chunk that nothing loads at start must compile all the same before the generation serves.
	lazy := newAction("lazy", `exports.onExecutePostLogin = async () => { require('left-pad'); };`)
	lazy.Source.Dependencies = map[string]string{"left-pad": "1.3.0"}
	lazy.Source.Bundle = &jsdeps.Bundle{Key: "k-lazy", Entries: map[string]string{"left-pad": "pkg-0.js"},
		Chunks: map[string][]byte{"pkg-0.js": []byte(`exports.default = 1;`), "chunk-BAD.js": []byte("var = ;")}}
	_, err = Build(t.Context(), newSpec(lazy), Options{})
	if err == nil || !strings.Contains(err.Error(), "does not compile: chunk chunk-BAD.js") {
		t.Errorf("a broken chunk nothing loads at start: err = %v", err)
	}
}

// Precompile compiles a bundle's chunks ahead of the build, which then uses those programs.
func TestPrecompile(t *testing.T) {
	c := NewProgramCache()
	bundle := testBundle("k-pre")
	c.Precompile(bundle)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.mu.Lock()
		n := len(c.progs)
		c.mu.Unlock()
		if n == len(bundle.Chunks) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s after Precompile: %d of %d chunks compiled", n, len(bundle.Chunks))
		}
		time.Sleep(time.Millisecond)
	}
	c.mu.Lock()
	before := maps.Clone(c.progs)
	c.mu.Unlock()
	a := newAction("a", `const pad = require('left-pad'); exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('p', pad('1', 3, '0')); };`)
	a.Source.Dependencies = map[string]string{"left-pad": "1.3.0"}
	a.Source.Bundle = bundle
	g := mustBuild(t, newSpec(a), Options{Programs: c})
	wantSuccess(t, mustExecute(t, g, "post-login", `{}`))
	for name, cc := range g.actions["a"].unit.bundle.chunks {
		prg, err := cc.wait()
		found := false
		for _, p := range before {
			found = found || p.prg == prg
		}
		if err != nil || !found {
			t.Errorf("chunk %s: compiled again by the build (err %v)", name, err)
		}
	}
}

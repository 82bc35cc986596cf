package runner

import (
	"strings"
	"testing"
)

// testBundle has the shape npmvendor's esbuild output has: a CommonJS file whose module.exports
// maps each declared package to a function returning its exports, evaluated on first call.
const testBundle = `"use strict";
var __getOwnPropNames = Object.getOwnPropertyNames;
var __commonJS = (cb, mod) => function __require() {
  return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
};
globalThis.__bundleRuns = (globalThis.__bundleRuns || 0) + 1;
var require_left_pad = __commonJS({
  "node_modules/left-pad/index.js"(exports, module) {
    module.exports = function leftPad(str, len, ch) { str = String(str); ch = ch === undefined ? ' ' : String(ch); while (str.length < len) str = ch + str; return str; };
  }
});
var require_digest = __commonJS({
  "node_modules/tiny-digest/index.js"(exports) {
    var crypto = require("crypto");
    exports.sha256 = (s) => crypto.createHash("sha256").update(s).digest("hex");
    exports.evaluations = (exports.evaluations || 0) + 1;
  }
});
var require_bad = __commonJS({
  "node_modules/bad/index.js"(exports) { require("left-pad"); }
});
module.exports = {
  "left-pad": () => require_left_pad(),
  "tiny-digest": () => require_digest(),
  "bad": () => require_bad(),
};
`

func TestNPMBundle(t *testing.T) {
	bundle := &Bundle{Key: "sha256-test-1", Code: []byte(testBundle)}
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
	b.Source.Bundle = &Bundle{Key: bundle.Key, Code: []byte(testBundle)}
	g := mustBuild(t, newSpec(a, b), Options{})
	for i := range 2 {
		res := mustExecute(t, g, "post-login", `{}`)
		wantSuccess(t, res)
		want := `{"r":["007","ba7816bf",true,1,1,"cannot require 'left-pad': the Node built-in is not available to actions"]}`
		if i == 1 { // esbuild's __commonJS caches a module that threw as loaded, empty
			want = `{"r":["007","ba7816bf",true,1,1,null]}`
		}
		if got := toJSON(t, res.Effects.IDTokenClaims); got != want {
			t.Errorf("claims = %s, want %s", got, want)
		}
	}
	if pa, pb := g.actions["a"].unit.bundle, g.actions["b"].unit.bundle; pa == nil || pa != pb {
		t.Errorf("equal bundles compiled twice (%p, %p)", pa, pb)
	}
}

func TestNPMBundleErrors(t *testing.T) {
	a := newAction("a", `require('left-pad'); exports.onExecutePostLogin = async () => {};`)
	a.Source.Dependencies = map[string]string{"left-pad": "1.3.0"}
	a.Source.Bundle = &Bundle{Key: "k-broken", Code: []byte("module.exports = {")}
	_, err := Build(t.Context(), newSpec(a), Options{})
	if err == nil || !strings.Contains(err.Error(), "the npm dependency bundle does not compile") {
		t.Errorf("broken bundle: err = %v", err)
	}
	a.Source.Bundle = &Bundle{Key: "k-empty", Code: []byte("module.exports = {};")}
	_, err = Build(t.Context(), newSpec(a), Options{})
	if err == nil || !strings.Contains(err.Error(), "the dependency bundle of actions/a has no left-pad") {
		t.Errorf("bundle without the package: err = %v", err)
	}
}

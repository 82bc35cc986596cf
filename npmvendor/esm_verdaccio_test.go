package npmvendor

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// esmProbe is what Node and goja both run over actionsd-esm-consumer: each line one answer.
const esmProbe = `
const c = require("actionsd-esm-consumer");
(async () => [c.viaRequire(), await c.viaImport(), c.letters("aÄbZ")].join("\n"))()`

// TestVerdaccioESM: a CommonJS package from a real registry that loads the ES-module-only fixture
// with import(), its own ES module with require() (which Node 22 allows; Node 20 with
// --experimental-require-module), a CommonJS file with import(), and uses a RegExp of the v flag,
// bundles and gives Node's answers.
func TestVerdaccioESM(t *testing.T) {
	regs := fidelityRegistries(t)
	_, b, err := fidelityInstall(t, regs, map[string]string{"actionsd-esm-consumer": "1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	vm, exports := loadBundle(t, b)
	vm.Set("require", func(name string) goja.Value { return loadPackage(t, vm, exports, name) })
	v, err := vm.RunString(esmProbe)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := v.Export().(*goja.Promise)
	if !ok || p.State() != goja.PromiseStateFulfilled {
		t.Fatalf("got %v, want a fulfilled promise (%v)", v, p.Result())
	}
	got := p.Result().String()
	want := esmNode(t, map[string]string{"actionsd-esm-consumer": "esm-consumer-1.0.0", "actionsd-esm-only": "esm-only-1.0.0"})
	if got != want {
		t.Errorf("goja:\n%s\nnode:\n%s", got, want)
	}
}

// esmNode runs esmProbe under Node over the fixture folders pkgs (name -> folder), with require of
// ES modules on as in Node 22.
func esmNode(t *testing.T, pkgs map[string]string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the reference for these cases")
	}
	dir := t.TempDir()
	for name, folder := range pkgs {
		src, err := filepath.Abs(filepath.Join("..", "testing", "npm", "fixtures", folder))
		if err != nil {
			t.Fatal(err)
		}
		if err := symlink(src, filepath.Join(dir, "node_modules", name)); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(node, "--experimental-require-module", "--no-warnings", "--preserve-symlinks", "-e", esmProbe+".then(console.log)")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	return strings.TrimSpace(string(out))
}

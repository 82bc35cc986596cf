package npmvendor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/lockfile"
)

// TestLockRepo locks a working tree against a registry on loopback: manifests are pinned and
// the pins reported, the lock is written with the other sections kept, modes are kept, and a
// tree without dependencies never asks for a registry.
func TestLockRepo(t *testing.T) {
	f := newFakeRegistry(t)
	f.add("a", "1.0.0", &fakePkg{})
	f.add("a", "1.2.0", &fakePkg{})
	f.add("b", "2.0.0", &fakePkg{})
	f.add("c", "1.0.0", &fakePkg{manifest: map[string]any{"deprecated": "use b"}})
	noRegistry := func() (*Registries, error) { return nil, errors.New("no registry wanted") }

	tests := []struct {
		name       string
		files      map[string]string
		owners     map[string]Manifest
		registries func() (*Registries, error)
		wantPins   []Pin
		wantFiles  map[string]string
		wantErr    string
		wantWarn   string
		wantOwners int
	}{
		{name: "no dependencies: no registry", registries: noRegistry,
			files:  map[string]string{"actions/x/action.yaml": "trigger: post-login\n"},
			owners: map[string]Manifest{"actions/x": {Path: "actions/x/action.yaml"}}},
		{name: "pins ranges and latest",
			files: map[string]string{
				"actions/x/action.yaml":  "trigger: post-login\ndependencies:\n  a: ^1.0.0 # keep\n  b: 2.0.0\n",
				"modules/m/module.yaml":  "dependencies: {b: latest}\n",
				"modules/ok/module.yaml": "dependencies: {c: 1.0.0}\n",
			},
			owners: map[string]Manifest{
				"actions/x":  {Path: "actions/x/action.yaml", Dependencies: map[string]string{"a": "^1.0.0", "b": "2.0.0"}},
				"modules/m":  {Path: "modules/m/module.yaml", Dependencies: map[string]string{"b": "latest"}},
				"modules/ok": {Path: "modules/ok/module.yaml", Dependencies: map[string]string{"c": "1.0.0"}},
			},
			wantPins: []Pin{{Manifest: "actions/x/action.yaml", Package: "a", From: "^1.0.0", To: "1.2.0"}, {Manifest: "modules/m/module.yaml", Package: "b", From: "latest", To: "2.0.0"}},
			wantFiles: map[string]string{
				"actions/x/action.yaml":  "trigger: post-login\ndependencies:\n  a: 1.2.0 # keep\n  b: 2.0.0\n",
				"modules/m/module.yaml":  "dependencies: {b: 2.0.0}\n",
				"modules/ok/module.yaml": "dependencies: {c: 1.0.0}\n",
			},
			wantWarn: "c@1.0.0 is deprecated: use b", wantOwners: 3},
		{name: "a registry that cannot be found",
			registries: func() (*Registries, error) { return nil, errors.New("no registry configured") },
			owners:     map[string]Manifest{"actions/x": {Path: "actions/x/action.yaml", Dependencies: map[string]string{"a": "1.0.0"}}},
			wantErr:    "no registry configured"},
		{name: "a manifest that is missing is an error, and no lock is written",
			owners:  map[string]Manifest{"actions/x": {Path: "actions/x/action.yaml", Dependencies: map[string]string{"a": "1.0.0"}}},
			wantErr: "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for rel, data := range tt.files {
				p := filepath.Join(dir, filepath.FromSlash(rel))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			prev := lockfile.New()
			prev.SetRecord("m", 1, &lockfile.VersionRecord{Tree: "abc"})
			regs := tt.registries
			if regs == nil {
				regs = func() (*Registries, error) { return f.registries(), nil }
			}
			res, err := LockRepo(context.Background(), dir, tt.owners, prev, RepoOptions{Registries: regs})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				if _, err := os.Stat(filepath.Join(dir, lockfile.Name)); err == nil || res.Lock != nil {
					t.Errorf("a lock was written after an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Pins) != len(tt.wantPins) {
				t.Fatalf("pins %+v, want %+v", res.Pins, tt.wantPins)
			}
			for i := range res.Pins {
				if res.Pins[i] != tt.wantPins[i] {
					t.Errorf("pin %d: %+v, want %+v", i, res.Pins[i], tt.wantPins[i])
				}
			}
			for rel, want := range tt.wantFiles {
				p := filepath.Join(dir, filepath.FromSlash(rel))
				data, _ := os.ReadFile(p)
				if string(data) != want {
					t.Errorf("%s:\n%s\nwant\n%s", rel, data, want)
				}
				if info, err := os.Stat(p); err != nil || info.Mode().Perm() != 0o600 {
					t.Errorf("%s: mode not kept: %v", rel, err)
				}
			}
			if tt.wantWarn != "" && !strings.Contains(strings.Join(res.Warnings, "\n"), tt.wantWarn) {
				t.Errorf("warnings %q, want %q", res.Warnings, tt.wantWarn)
			}
			l, err := ReadLock(dir, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Owners) != tt.wantOwners || l.Record("m", 1) == nil {
				t.Errorf("lock: %d owners (want %d), record of m v1 %+v", len(l.Owners), tt.wantOwners, l.Record("m", 1))
			}
			if err := CheckManifests(l, tt.owners); err != nil {
				t.Errorf("the lock written disagrees with the manifests: %v", err)
			}
		})
	}
}

func TestReadLock(t *testing.T) {
	dir := t.TempDir()
	if l, err := ReadLock(dir, true); err != nil || len(l.Owners) != 0 {
		t.Errorf("missing, allowed: got %+v, %v, want an empty lock", l, err)
	}
	if _, err := ReadLock(dir, false); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: got %v, want not exist", err)
	}
	if err := os.WriteFile(filepath.Join(dir, lockfile.Name), []byte("[]"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadLock(dir, true); err == nil || !strings.HasPrefix(err.Error(), lockfile.Name+": ") {
		t.Errorf("bad lock: got %v, want an error naming %s", err, lockfile.Name)
	}
}

func TestCheckManifests(t *testing.T) {
	lock := lockfile.New()
	lock.Owners["actions/x"] = &lockfile.Owner{Dependencies: map[string]string{"a": "1.0.0"}}
	lock.Owners["modules/gone"] = &lockfile.Owner{Dependencies: map[string]string{"b": "2.0.0"}}
	lock.Packages["a@1.0.0"] = &lockfile.Package{Version: "1.0.0"}
	lock.Packages["b@2.0.0"] = &lockfile.Package{Version: "2.0.0"}
	tests := []struct {
		name    string
		owners  map[string]Manifest
		wantErr string
	}{
		{name: "agrees", owners: map[string]Manifest{"actions/x": {Path: "actions/x/action.yaml", Dependencies: map[string]string{"a": "^1.0.0"}}}},
		{name: "every disagreement, by manifest",
			owners: map[string]Manifest{
				"actions/x":    {Path: "actions/x/action.yaml", Dependencies: map[string]string{"a": "^2.0.0", "c": "1.0.0"}},
				"modules/gone": {Path: "modules/gone/module.yaml"},
			},
			wantErr: "the lock disagrees with the manifests:\n" +
				"  actions/x/action.yaml: a: declared ^2.0.0, locked to 1.0.0 (run actionsd lock)\n" +
				"  actions/x/action.yaml: c: declared 1.0.0 but not locked (run actionsd lock)\n" +
				"  modules/gone/module.yaml: b: locked but not declared (run actionsd lock)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckManifests(lock, tt.owners)
			if got := ""; err != nil {
				got = err.Error()
				if got != tt.wantErr {
					t.Errorf("got %q, want %q", got, tt.wantErr)
				}
			} else if tt.wantErr != "" {
				t.Errorf("got no error, want %q", tt.wantErr)
			}
		})
	}
}

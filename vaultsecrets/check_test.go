package vaultsecrets_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/internal/vaulttest"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// TestCheckNames checks declared names against a real Vault: present, missing, undeclared and
// unreadable names are counted per owner, owners are sorted, and no value is in the result.
func TestCheckNames(t *testing.T) {
	srv := vaulttest.Start(t)
	srv.Put(t, "actionsd/modules/logger", map[string]any{"API_KEY": canary, "OLD": canary})
	srv.Put(t, "actionsd/actions/log-login", map[string]any{"SLACK": canary})
	v := newVaultAt(t, vaultsecrets.VaultConfig{Address: srv.Addr, Token: srv.RootToken})
	mod := func(n string) vaultsecrets.Owner { return vaultsecrets.Owner{Kind: vaultsecrets.KindModule, Name: n} }
	act := func(n string) vaultsecrets.Owner { return vaultsecrets.Owner{Kind: vaultsecrets.KindAction, Name: n} }

	tests := []struct {
		name     string
		declared map[vaultsecrets.Owner][]string
		problems []string
		want     string // the result as JSON
	}{
		{name: "nothing declared", declared: map[vaultsecrets.Owner][]string{},
			want: `{"ok":true,"owners":[],"counts":{"declared":0,"missing":0,"unreadable":0}}`},
		{name: "all present", declared: map[vaultsecrets.Owner][]string{act("log-login"): {"SLACK"}},
			want: `{"ok":true,"owners":[{"owner":"actions/log-login","path":"secret/actionsd/actions/log-login","version":1,"present":["SLACK"],"missing":[]}],"counts":{"declared":1,"missing":0,"unreadable":0}}`},
		{name: "missing and undeclared, owners sorted",
			declared: map[vaultsecrets.Owner][]string{mod("logger"): {"URL", "API_KEY"}, act("log-login"): {"SLACK"}},
			want: `{"ok":false,"owners":[{"owner":"actions/log-login","path":"secret/actionsd/actions/log-login","version":1,"present":["SLACK"],"missing":[]},` +
				`{"owner":"modules/logger","path":"secret/actionsd/modules/logger","version":1,"present":["API_KEY"],"missing":["URL"],"undeclared":["OLD"]}],"counts":{"declared":3,"missing":1,"unreadable":0}}`},
		{name: "no secret at the path", declared: map[vaultsecrets.Owner][]string{mod("none"): {"B", "A"}},
			want: `{"ok":false,"owners":[{"owner":"modules/none","path":"secret/actionsd/modules/none","present":[],"missing":["A","B"],"error":"no secret at secret/actionsd/modules/none"}],"counts":{"declared":2,"missing":2,"unreadable":0}}`},
		{name: "unreadable owner", declared: map[vaultsecrets.Owner][]string{{Kind: "nonsense", Name: "x"}: {"A"}},
			want: `"counts":{"declared":1,"missing":0,"unreadable":1,"unknown":1}`},
		{name: "manifest problems fail the check", problems: []string{"modules/x/module.yaml:1:1: bad"},
			want: `{"ok":false,"owners":[],"errors":["modules/x/module.yaml:1:1: bad"],"counts":{"declared":0,"missing":0,"unreadable":0}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := vaultsecrets.CheckNames(t.Context(), v, tt.declared, tt.problems)
			got, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(got), tt.want) {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if strings.Contains(string(got), canary) {
				t.Errorf("the result holds a value: %s", got)
			}
		})
	}
}

// TestNameChecker asks a real Vault which names exist: a missing secret holds none, and any
// other read failure is an error.
func TestNameChecker(t *testing.T) {
	srv := vaulttest.Start(t)
	srv.Put(t, "actionsd/modules/logger", map[string]any{"API_KEY": canary})
	c := vaultsecrets.NameChecker{Source: newVaultAt(t, vaultsecrets.VaultConfig{Address: srv.Addr, Token: srv.RootToken})}
	tests := []struct {
		name, kind, owner string
		want              map[string]bool
		wantErr           bool
	}{
		{name: "present and absent", kind: "modules", owner: "logger", want: map[string]bool{"API_KEY": true, "URL": false}},
		{name: "no secret", kind: "actions", owner: "none", want: map[string]bool{"API_KEY": false, "URL": false}},
		{name: "bad owner", kind: "nonsense", owner: "x", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Exists(t.Context(), tt.kind, tt.owner, []string{"API_KEY", "URL"})
			if (err != nil) != tt.wantErr || len(got) != len(tt.want) {
				t.Fatalf("got %v, %v, want %v (error: %v)", got, err, tt.want, tt.wantErr)
			}
			for k, w := range tt.want {
				if got[k] != w {
					t.Errorf("%s: got %v, want %v", k, got[k], w)
				}
			}
		})
	}
}

package gitcli

import (
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := Run(ctx, dir, "init", "-q", "-b", "main"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		give    []string
		want    string
		wantErr string
	}{
		{name: "output is trimmed", give: []string{"symbolic-ref", "--short", "HEAD"}, want: "main"},
		{name: "git's message names the command", give: []string{"rev-parse", "--verify", "-q", "nosuchref^{commit}"}, wantErr: "git rev-parse --verify -q nosuchref^{commit}: "},
		{name: "stderr is the message", give: []string{"nosuchcommand"}, wantErr: "git nosuchcommand: git: 'nosuchcommand' is not a git command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Run(ctx, dir, tt.give...)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one starting %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v, want %q", got, err, tt.want)
			}
		})
	}
}

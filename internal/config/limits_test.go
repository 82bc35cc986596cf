package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		give    string
		want    Size
		wantErr bool
	}{
		{give: "1048576", want: 1 << 20},
		{give: "5MiB", want: 5 << 20},
		{give: "5 MiB", want: 5 << 20},
		{give: "5m", want: 5 << 20},
		{give: "512KiB", want: 512 << 10},
		{give: "2Gi", want: 2 << 30},
		{give: "1.5MiB", want: 3 << 19},
		{give: "100B", want: 100},
		{give: "-1", want: -1},
		{give: "0", want: 0},
		{give: "5MB", wantErr: true}, // decimal or binary? refused
		{give: "five", wantErr: true},
		{give: "", wantErr: true},
		{give: "99999999999GiB", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.give)
		if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
			t.Errorf("ParseSize(%q): got %d, %v, want %d (error %v)", tt.give, got, err, tt.want, tt.wantErr)
		}
	}
	for _, s := range []Size{5 << 20, 512 << 10, 1500, -1, 0, 3 << 30} {
		if back, err := ParseSize(s.String()); err != nil || back != s {
			t.Errorf("%d: String %q parses back to %d, %v", s, s.String(), back, err)
		}
	}
}

func TestLoadRepoLimits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "actionsd.yaml")
	data := "repo_limits:\n  max_file_size: 64KiB\n  max_actions: 10\n  max_lock_size: -1\nkeep_corrupt_mirrors: 5\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	l := c.RepoLimits.Limits()
	if l.FileSize != 64<<10 || l.Actions != 10 || l.LockSize != -1 || c.KeepCorruptMirrors != 5 {
		t.Errorf("got %+v, keep %d", l, c.KeepCorruptMirrors)
	}
	if d := DefaultRepoLimits().Limits(); l.FolderSize != d.FolderSize || l.Modules != d.Modules {
		t.Errorf("settings not in the file: got %+v, want the defaults %+v", l, d)
	}
	if err := os.WriteFile(path, []byte("repo_limits:\n  max_file_size: lots\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "lots") {
		t.Errorf("a bad size: got %v, want an error naming it", err)
	}
}

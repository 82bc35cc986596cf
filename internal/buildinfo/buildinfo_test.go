package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{
		GoVersion: "go1.99.0",
		Main:      debug.Module{Path: "github.com/actionsd/actionsd", Version: "v1.2.3"},
		Deps: []*debug.Module{
			{Path: GojaPath, Version: "v0.0.0-1", Replace: &debug.Module{Path: "./third_party/goja", Version: "(devel)"}},
			{Path: EsbuildPath, Version: "v0.28.2", Replace: &debug.Module{Path: "example.com/esbuild", Version: "v0.28.3"}},
		},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.time", Value: "2026-01-01T00:00:00Z"},
			{Key: "vcs.modified", Value: "true"}, {Key: "GOOS", Value: "darwin"}, {Key: "GOARCH", Value: "arm64"}},
	}
	got := FromBuildInfo(bi)
	want := Info{Version: "v1.2.3", Commit: "abc", CommitTime: "2026-01-01T00:00:00Z", Modified: true, Go: "go1.99.0",
		Platform: "darwin/arm64", Goja: Dep{Version: "v0.0.0-1", Replace: "./third_party/goja"},
		Esbuild: Dep{Version: "v0.28.2", Replace: "example.com/esbuild@v0.28.3"}}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	text := got.String()
	for _, s := range []string{"abc (with uncommitted changes)", "replaced by ./third_party/goja, our fork", "replaced by example.com/esbuild@v0.28.3)"} {
		if !strings.Contains(text, s) {
			t.Errorf("no %q in\n%s", s, text)
		}
	}
}

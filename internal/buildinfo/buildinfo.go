// Package buildinfo says what a binary of actionsd was built from: the module version, the git
// commit and its time, Go, and the versions of the engines it embeds (goja, esbuild), read from
// the build information that the Go toolchain writes into every binary.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Module paths of the embedded engines.
const (
	GojaPath    = "github.com/dop251/goja"
	EsbuildPath = "github.com/evanw/esbuild"
)

// date is the build date, set by a release build with
// -ldflags "-X github.com/actionsd/actionsd/internal/buildinfo.date=2006-01-02T15:04:05Z";
// empty in a plain `go build`, which records no clock so that builds are reproducible.
var date string

// version, when set by a release build (-X github.com/actionsd/actionsd/internal/buildinfo.version=v1.2.3),
// replaces the module version Go records ("(devel)" unless built from a tagged clone).
var version string

// Info is what a binary was built from.
type Info struct {
	Version    string `json:"version"`               // module version ("(devel)" or a pseudo-version from git)
	Commit     string `json:"commit,omitempty"`      // vcs.revision
	CommitTime string `json:"commit_time,omitempty"` // vcs.time, RFC 3339
	Modified   bool   `json:"modified,omitempty"`    // vcs.modified: built from a tree with uncommitted changes
	BuildDate  string `json:"build_date,omitempty"`  // set by release builds (-ldflags -X), else empty
	Go         string `json:"go"`                    // toolchain version
	Platform   string `json:"platform"`              // GOOS/GOARCH
	Goja       Dep    `json:"goja"`
	Esbuild    Dep    `json:"esbuild"`
}

// Dep is a dependency's version, and where a go.mod replace points it.
type Dep struct {
	Version string `json:"version"`
	// Replace is the replacement's path (a directory, such as ./third_party/goja for our goja
	// fork, or a module path), with its version when it has one; empty when not replaced.
	Replace string `json:"replace,omitempty"`
}

// Read returns this binary's Info.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Version: "(unknown)", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH, BuildDate: date}
	}
	info := FromBuildInfo(bi)
	info.BuildDate = date
	if version != "" {
		info.Version = version
	}
	return info
}

// FromBuildInfo extracts Info from bi.
func FromBuildInfo(bi *debug.BuildInfo) Info {
	info := Info{Version: bi.Main.Version, Go: bi.GoVersion}
	var goos, goarch string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Commit = s.Value
		case "vcs.time":
			info.CommitTime = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		case "GOOS":
			goos = s.Value
		case "GOARCH":
			goarch = s.Value
		}
	}
	if goos == "" {
		goos, goarch = runtime.GOOS, runtime.GOARCH
	}
	info.Platform = goos + "/" + goarch
	for _, d := range bi.Deps {
		switch d.Path {
		case GojaPath:
			info.Goja = dep(d)
		case EsbuildPath:
			info.Esbuild = dep(d)
		}
	}
	return info
}

func dep(m *debug.Module) Dep {
	d := Dep{Version: m.Version}
	if r := m.Replace; r != nil {
		d.Replace = r.Path
		if r.Version != "" && r.Version != "(devel)" { // a directory replacement has no version
			d.Replace += "@" + r.Version
		}
	}
	return d
}

// String is the text of `actionsd version`.
func (i Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "actionsd %s\n", i.Version)
	commit := i.Commit
	if commit == "" {
		commit = "unknown (built without git information)"
	} else if i.Modified {
		commit += " (with uncommitted changes)"
	}
	fmt.Fprintf(&b, "  commit:      %s\n", commit)
	if i.CommitTime != "" {
		fmt.Fprintf(&b, "  commit time: %s\n", i.CommitTime)
	}
	built := i.BuildDate
	if built == "" {
		built = "not recorded (a plain go build records no clock; see commit time)"
	}
	fmt.Fprintf(&b, "  build date:  %s\n", built)
	fmt.Fprintf(&b, "  go:          %s %s\n", i.Go, i.Platform)
	fmt.Fprintf(&b, "  goja:        %s\n", i.Goja.text("our fork"))
	fmt.Fprintf(&b, "  esbuild:     %s\n", i.Esbuild.text(""))
	return b.String()
}

func (d Dep) text(forkNote string) string {
	v := d.Version
	if v == "" {
		v = "unknown"
	}
	if d.Replace != "" {
		note := "replaced by " + d.Replace
		if forkNote != "" && strings.HasPrefix(d.Replace, ".") {
			note += ", " + forkNote
		}
		v += " (" + note + ")"
	}
	return v
}

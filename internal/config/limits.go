package config

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/actionsd/actionsd/gitstore"
)

// RepoLimits bound what a commit may make the daemon read (docs/repository.md, "Limits"): a
// commit past one fails with an error naming the file or folder, its size and the limit, and the
// generation that serves keeps serving. 0 takes the default; a negative value means no limit.
type RepoLimits struct {
	MaxFileSize     Size `yaml:"max_file_size"`     // one file of an action or module folder
	MaxFolderSize   Size `yaml:"max_folder_size"`   // one action or module folder's files together
	MaxSourceSize   Size `yaml:"max_source_size"`   // every action and module version read, together
	MaxFiles        int  `yaml:"max_files"`         // files in one action or module folder
	MaxDepth        int  `yaml:"max_depth"`         // folders nested in an action or module folder
	MaxActions      int  `yaml:"max_actions"`       // folders under actions/
	MaxModules      int  `yaml:"max_modules"`       // folders under modules/
	MaxManifestSize Size `yaml:"max_manifest_size"` // triggers.yaml, action.yaml, module.yaml, .npmrc
	MaxLockSize     Size `yaml:"max_lock_size"`     // actionsd.lock
}

// DefaultRepoLimits are gitstore.DefaultLimits.
func DefaultRepoLimits() RepoLimits {
	d := gitstore.DefaultLimits
	return RepoLimits{
		MaxFileSize: Size(d.FileSize), MaxFolderSize: Size(d.FolderSize), MaxSourceSize: Size(d.SourceSize),
		MaxFiles: d.Files, MaxDepth: d.Depth, MaxActions: d.Actions, MaxModules: d.Modules,
		MaxManifestSize: Size(d.ManifestSize), MaxLockSize: Size(d.LockSize),
	}
}

// Limits returns the limits as gitstore takes them.
func (l RepoLimits) Limits() gitstore.Limits {
	return gitstore.Limits{
		FileSize: int64(l.MaxFileSize), FolderSize: int64(l.MaxFolderSize), SourceSize: int64(l.MaxSourceSize),
		Files: l.MaxFiles, Depth: l.MaxDepth, Actions: l.MaxActions, Modules: l.MaxModules,
		ManifestSize: int64(l.MaxManifestSize), LockSize: int64(l.MaxLockSize),
	}
}

// Size is a byte count, written as a number of bytes or with a binary unit: 512KiB, 5MiB, 1GiB
// (K, M, G and Ki, Mi, Gi mean the same). A negative size means no limit.
type Size int64

var sizeUnits = []struct {
	suffixes []string
	mult     int64
}{
	{[]string{"gib", "gi", "g"}, 1 << 30},
	{[]string{"mib", "mi", "m"}, 1 << 20},
	{[]string{"kib", "ki", "k"}, 1 << 10},
	{[]string{"b", ""}, 1},
}

// ParseSize reads a Size: "5MiB", "512 KiB", "1.5GiB", "1048576", "-1".
func ParseSize(s string) (Size, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for _, u := range sizeUnits {
		for _, suffix := range u.suffixes {
			num, ok := strings.CutSuffix(t, suffix)
			if !ok {
				continue
			}
			num = strings.TrimSpace(num)
			if n, err := strconv.ParseInt(num, 10, 64); err == nil {
				if n > (1<<62)/u.mult || n < -(1<<62)/u.mult {
					return 0, fmt.Errorf("size %q is too large", s)
				}
				return Size(n * u.mult), nil
			}
			if f, err := strconv.ParseFloat(num, 64); err == nil && u.mult > 1 && f >= 0 && f*float64(u.mult) < 1<<62 {
				return Size(f * float64(u.mult)), nil
			}
		}
	}
	return 0, fmt.Errorf("size %q: want a number of bytes, or one with a unit such as 512KiB, 5MiB or 1GiB", s)
}

// String writes the size with the largest unit that divides it: "5MiB", "1500B"; "-1" for none.
func (s Size) String() string {
	switch {
	case s < 0:
		return "-1"
	case s == 0:
		return "0"
	}
	for _, u := range []struct {
		name string
		mult int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if int64(s)%u.mult == 0 {
			return fmt.Sprintf("%d%s", int64(s)/u.mult, u.name)
		}
	}
	return fmt.Sprintf("%dB", int64(s))
}

// Set implements pflag.Value.
func (s *Size) Set(v string) error {
	n, err := ParseSize(v)
	if err != nil {
		return err
	}
	*s = n
	return nil
}

// Type implements pflag.Value.
func (s *Size) Type() string { return "size" }

// UnmarshalYAML reads a number of bytes or a string with a unit.
func (s *Size) UnmarshalYAML(n *yaml.Node) error {
	var v string
	if err := n.Decode(&v); err != nil {
		return fmt.Errorf("line %d: want a size such as 5MiB", n.Line)
	}
	size, err := ParseSize(v)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*s = size
	return nil
}

// MarshalYAML writes the size as String does.
func (s Size) MarshalYAML() (any, error) { return s.String(), nil }

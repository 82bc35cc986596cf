package npmvendor

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"deps.dev/util/semver"
)

// distTagRE is what npm accepts as a dist-tag name in a dependency spec: not a range.
var distTagRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]*$`)

// Satisfies reports whether version satisfies the npm range rng, with node-semver's rules
// (prereleases match only a comparator with the same major.minor.patch tuple, "" and "*" match
// every release). An invalid range or version satisfies nothing.
func Satisfies(version, rng string) bool {
	c, err := parseRange(rng)
	if err != nil {
		return false
	}
	return c.Match(version)
}

// ValidRange reports whether rng is an npm semver range (an exact version is one).
func ValidRange(rng string) error {
	_, err := parseRange(rng)
	return err
}

func parseRange(rng string) (*semver.Constraint, error) {
	return semver.NPM.ParseConstraint(normalizeRange(rng))
}

// hyphenRE is a hyphen range "A - B".
var hyphenRE = regexp.MustCompile(`^(\S+)\s+-\s+(\S+)$`)

// normalizeRange rewrites the few forms where deps.dev's parser and node-semver disagree into
// equivalent ones both read the same: an empty alternative of || means any version ("||"), and a
// hyphen range whose upper bound is a wildcard has no upper bound ("1.0.0 - x" is ">=1.0.0").
func normalizeRange(rng string) string {
	parts := strings.Split(rng, "||")
	for i, part := range parts {
		p := strings.TrimSpace(part)
		switch {
		case p == "" || p == "x" || p == "X":
			p = "*"
		default:
			if m := hyphenRE.FindStringSubmatch(p); m != nil && isWildcard(m[2]) {
				if isWildcard(m[1]) {
					p = "*"
				} else {
					p = ">=" + m[1]
				}
			}
		}
		parts[i] = p
	}
	return strings.Join(parts, " || ")
}

func isWildcard(v string) bool {
	v = strings.TrimPrefix(v, "v")
	head, _, _ := strings.Cut(v, ".")
	return head == "x" || head == "X" || head == "*"
}

// exactVersion returns the canonical version when spec names exactly one version ("1.2.3",
// "=1.2.3", "v1.2.3"), else "".
func exactVersion(spec string) string {
	s := strings.TrimSpace(spec)
	s = strings.TrimPrefix(s, "=")
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	v, err := semver.NPM.Parse(s)
	if err != nil || v.IsWildcard() {
		return ""
	}
	// Parse accepts partial versions ("1.2"); only a full major.minor.patch is exact.
	core := s
	if i := strings.IndexAny(core, "-+"); i >= 0 {
		core = core[:i]
	}
	if strings.Count(core, ".") != 2 {
		return ""
	}
	return v.Canon(false)
}

// errNoVersion is what pickVersion's errors match (errors.Is) when nothing satisfies the spec.
var errNoVersion = errors.New("no version satisfies")

// noVersionError is a pickVersion failure: its message, matching errNoVersion.
type noVersionError string

func (e noVersionError) Error() string        { return string(e) }
func (e noVersionError) Is(target error) bool { return target == errNoVersion }

func noVersion(format string, args ...any) error { return noVersionError(fmt.Sprintf(format, args...)) }

// DefaultNodeVersion is the Node version lock resolves for when none is set: Auth0 runs Node 22.
const DefaultNodeVersion = "22"

// ParseNodeVersion reads the Node version packages are picked for ("22", "22.12", "v22.12.0") and
// returns the version engines.node ranges are matched with. A partial version stands for its
// newest release, whatever that is ("22" matches as 22.9999.9999: what "^22.12.0" or ">=22.5"
// admits, Node 22 as Auth0 updates it admits). "" is DefaultNodeVersion.
func ParseNodeVersion(s string) (string, error) {
	v := strings.TrimPrefix(strings.TrimSpace(s), "v")
	if v == "" {
		v = DefaultNodeVersion
	}
	parts := strings.Split(v, ".")
	if len(parts) > 3 {
		return "", fmt.Errorf("node version %q: want major[.minor[.patch]]", s)
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return "", fmt.Errorf("node version %q: want major[.minor[.patch]]", s)
		}
	}
	for len(parts) < 3 {
		parts = append(parts, "9999")
	}
	return strings.Join(parts, "."), nil
}

// engineOK reports whether m may run on Node nodeVersion, as npm-pick-manifest's engineOk reads
// engines.node: no range admits every version, a range that does not parse admits none.
func engineOK(m *manifest, nodeVersion string) bool {
	if m == nil || m.Engines.Node == "" || nodeVersion == "" {
		return true
	}
	return Satisfies(nodeVersion, m.Engines.Node)
}

// pickVersion chooses a version of p for spec as npm does (npm-pick-manifest) for Node
// nodeVersion ("": engines are not read): an exact version is that version and a dist-tag other
// than latest names its version. For a range, and for "latest" (which npm's `npm install <name>`
// resolves as the range "*" with the latest tag as the default), the latest dist-tag when it
// satisfies, is not deprecated and its engines.node admits nodeVersion; else the highest
// satisfying version, ranked: not deprecated and engines admitting nodeVersion first, then
// engines admitting it, then the others.
func pickVersion(p *packument, spec, nodeVersion string) (string, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		spec = "latest"
	}
	if exact := exactVersion(spec); exact != "" {
		if _, ok := p.Versions[exact]; ok {
			return exact, nil
		}
		// Versions may be stored in a form that canonicalises differently ("1.0.0+build").
		for v := range p.Versions {
			if exactVersion(v) == exact {
				return v, nil
			}
		}
		return "", noVersion("version %s does not exist (latest is %s)", exact, p.DistTags["latest"])
	}
	latestSpec := spec == "latest"
	if distTagRE.MatchString(spec) && spec != "x" && spec != "X" {
		v, ok := p.DistTags[spec]
		if !ok {
			return "", noVersion("no dist-tag %q", spec)
		}
		if _, ok := p.Versions[v]; !ok {
			return "", noVersion("dist-tag %q names version %s, which the registry does not list", spec, v)
		}
		if !latestSpec {
			return v, nil
		}
		spec = "*"
	}
	c, err := parseRange(spec)
	if err != nil {
		return "", fmt.Errorf("invalid version range %q: %v", spec, err)
	}
	if latest, ok := p.DistTags["latest"]; ok {
		if m := p.Versions[latest]; m != nil && m.deprecation() == "" && (spec == "*" || c.Match(latest)) && engineOK(m, nodeVersion) {
			return latest, nil
		}
	}
	type cand struct {
		v              *semver.Version
		s              string
		good, engineOK bool
	}
	var cands []cand
	for s, m := range p.Versions {
		v, err := semver.NPM.Parse(s)
		if err != nil || !c.MatchVersion(v) {
			continue
		}
		ok := engineOK(m, nodeVersion)
		cands = append(cands, cand{v, s, ok && m.deprecation() == "", ok})
	}
	if len(cands) == 0 {
		if latestSpec { // the latest tag names a version "*" does not match (a prerelease)
			return p.DistTags["latest"], nil
		}
		return "", noVersion("no version satisfies %q (latest is %s)", spec, p.DistTags["latest"])
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].good != cands[j].good {
			return cands[i].good
		}
		if cands[i].engineOK != cands[j].engineOK {
			return cands[i].engineOK
		}
		return cands[i].v.Compare(cands[j].v) > 0
	})
	return cands[0].s, nil
}

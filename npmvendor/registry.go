package npmvendor

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Registries is where npm packages come from and how to authenticate to them: a default registry,
// per-scope registries and credentials by URL prefix, as npm reads them from .npmrc.
type Registries struct {
	// Default is the base URL of the registry for unscoped packages and scopes without one.
	Default string
	// Scopes maps "@scope" to the base URL of its registry.
	Scopes map[string]string
	// auth maps a "nerf dart" (//host[:port]/path/) to an Authorization header value.
	auth map[string]string
	// Source says where Default came from, for messages ("NPM_CONFIG_REGISTRY", ".npmrc", …).
	Source string
}

// RegistryOptions say where LoadRegistries looks.
type RegistryOptions struct {
	// Registry is the daemon configuration's registry; it wins over everything else.
	Registry string
	// RepoDir is the repository whose .npmrc is read first; "" skips it.
	RepoDir string
	// RepoNpmrc is the repository's .npmrc when there is no RepoDir to read it from (a remote
	// repository, read from git); nil for none.
	RepoNpmrc []byte
	// UserNpmrc is the user's .npmrc; "" means NPM_CONFIG_USERCONFIG, else ~/.npmrc.
	UserNpmrc string
	// Getenv reads the environment (for NPM_CONFIG_REGISTRY and ${VAR} in .npmrc); nil: os.Getenv.
	Getenv func(string) string
	// NoNpmCLI skips asking the npm CLI (`npm config get registry`) as the last resort.
	NoNpmCLI bool
}

// UserNpmrcPath is the user's .npmrc as npm finds it: NPM_CONFIG_USERCONFIG, else ~/.npmrc; ""
// when there is no home folder.
func UserNpmrcPath(getenv func(string) string) string {
	if rc := getenv("NPM_CONFIG_USERCONFIG"); rc != "" {
		return rc
	}
	if rc := getenv("npm_config_userconfig"); rc != "" {
		return rc
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".npmrc")
	}
	return ""
}

// LoadRegistries finds the registry configuration, in SPEC order: the daemon's config, then
// NPM_CONFIG_REGISTRY, then `registry=` of the repository's .npmrc, then the user's, then the npm
// CLI's own setting. Scoped registries and credentials come from both .npmrc files (the
// repository's win). It fails only when no registry is configured anywhere.
func LoadRegistries(opts RegistryOptions) (*Registries, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	r := &Registries{Scopes: map[string]string{}, auth: map[string]string{}}
	userRC := opts.UserNpmrc
	if userRC == "" {
		userRC = UserNpmrcPath(getenv)
	}
	type rcFile struct {
		name string
		data []byte // read from name when nil
	}
	var files []rcFile
	if opts.RepoDir != "" {
		files = append(files, rcFile{name: filepath.Join(opts.RepoDir, ".npmrc")})
	} else if opts.RepoNpmrc != nil {
		files = append(files, rcFile{name: "the repository's .npmrc", data: opts.RepoNpmrc})
	}
	if userRC != "" {
		files = append(files, rcFile{name: userRC})
	}
	var rcRegistry, rcSource string
	for _, file := range files {
		f, data := file.name, file.data
		if data == nil {
			var err error
			data, err = os.ReadFile(f)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("npm registry config: %w", err)
			}
		}
		rc := parseNpmrc(data, getenv)
		if rcRegistry == "" && rc.registry != "" {
			rcRegistry, rcSource = rc.registry, f
		}
		for k, v := range rc.scopes {
			if _, ok := r.Scopes[k]; !ok {
				r.Scopes[k] = normalizeBase(v)
			}
		}
		for k, v := range rc.auth {
			if _, ok := r.auth[k]; !ok {
				r.auth[k] = v
			}
		}
	}
	switch {
	case opts.Registry != "":
		r.Default, r.Source = opts.Registry, "configuration"
	case getenv("NPM_CONFIG_REGISTRY") != "":
		r.Default, r.Source = getenv("NPM_CONFIG_REGISTRY"), "NPM_CONFIG_REGISTRY"
	case getenv("npm_config_registry") != "":
		r.Default, r.Source = getenv("npm_config_registry"), "npm_config_registry"
	case rcRegistry != "":
		r.Default, r.Source = rcRegistry, rcSource
	case !opts.NoNpmCLI:
		if reg := npmCLIRegistry(); reg != "" {
			r.Default, r.Source = reg, "npm config get registry"
		}
	}
	if r.Default == "" {
		return nil, errors.New("no npm registry configured: set the daemon's npm registry, NPM_CONFIG_REGISTRY, or registry= in .npmrc")
	}
	if _, err := url.Parse(r.Default); err != nil {
		return nil, fmt.Errorf("npm registry %q (from %s): %w", r.Default, r.Source, err)
	}
	r.Default = normalizeBase(r.Default)
	return r, nil
}

// npmCLIRegistry asks an installed npm for its registry setting; "" when npm is missing or fails.
func npmCLIRegistry() string {
	path, err := exec.LookPath("npm")
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "config", "get", "registry").Output()
	if err != nil {
		return ""
	}
	reg := strings.TrimSpace(string(out))
	if !strings.HasPrefix(reg, "http://") && !strings.HasPrefix(reg, "https://") {
		return ""
	}
	return reg
}

func normalizeBase(u string) string {
	u = strings.TrimSpace(u)
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// For returns the base URL of the registry that serves package name.
func (r *Registries) For(name string) string {
	if strings.HasPrefix(name, "@") {
		if i := strings.IndexByte(name, '/'); i > 0 {
			if base, ok := r.Scopes[name[:i]]; ok {
				return base
			}
		}
	}
	return r.Default
}

// authorization returns the Authorization header for a request to rawURL: the credential whose
// nerf dart (//host/path/) is the longest prefix of the URL.
func (r *Registries) authorization(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	key := "//" + u.Host + u.Path
	best, bestLen := "", -1
	for dart, h := range r.auth {
		if strings.HasPrefix(key, dart) && len(dart) > bestLen {
			best, bestLen = h, len(dart)
		}
	}
	return best
}

// SetToken sets a bearer token for requests to base (a registry URL), as a
// //host/path/:_authToken line would.
func (r *Registries) SetToken(base, token string) {
	if r.auth == nil {
		r.auth = map[string]string{}
	}
	r.auth[nerfDart(base)] = "Bearer " + token
}

func nerfDart(base string) string {
	u, err := url.Parse(normalizeBase(base))
	if err != nil {
		return base
	}
	return "//" + u.Host + u.Path
}

type npmrc struct {
	registry string
	scopes   map[string]string
	auth     map[string]string
}

var envRefRE = regexp.MustCompile(`\$\{([^}]+)\}`)

// parseNpmrc reads the lines of an .npmrc that matter here: registry, @scope:registry, and
// //host/path/:_authToken, :_auth, :username + :_password. ${VAR} is expanded from the environment.
func parseNpmrc(data []byte, getenv func(string) string) npmrc {
	rc := npmrc{scopes: map[string]string{}, auth: map[string]string{}}
	users, passwords := map[string]string{}, map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		v = envRefRE.ReplaceAllStringFunc(v, func(m string) string { return getenv(m[2 : len(m)-1]) })
		switch {
		case k == "registry":
			rc.registry = v
		case strings.HasPrefix(k, "@") && strings.HasSuffix(k, ":registry"):
			rc.scopes[strings.TrimSuffix(k, ":registry")] = v
		case strings.HasPrefix(k, "//"):
			dart, field, ok := cutLast(k, ":")
			if !ok {
				continue
			}
			if !strings.HasSuffix(dart, "/") {
				dart += "/"
			}
			switch field {
			case "_authToken":
				rc.auth[dart] = "Bearer " + v
			case "_auth":
				rc.auth[dart] = "Basic " + v
			case "username":
				users[dart] = v
			case "_password":
				if p, err := base64.StdEncoding.DecodeString(v); err == nil {
					passwords[dart] = string(p)
				}
			}
		}
	}
	for dart, u := range users {
		if p, ok := passwords[dart]; ok {
			if _, has := rc.auth[dart]; !has {
				rc.auth[dart] = "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p))
			}
		}
	}
	return rc
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// packument is a package's abbreviated metadata document. The field types are lenient
// (metadata.go): npm accepts what the registry serves, and so do we.
type packument struct {
	Name     string               `json:"name"`
	DistTags distTags             `json:"dist-tags"`
	Versions map[string]*manifest `json:"versions"`
}

// manifest is one version in a packument.
type manifest struct {
	Name                 looseString     `json:"name"`
	Version              looseString     `json:"version"`
	Dependencies         depMap          `json:"dependencies"`
	OptionalDependencies depMap          `json:"optionalDependencies"`
	PeerDependencies     depMap          `json:"peerDependencies"`
	PeerDependenciesMeta peerMeta        `json:"peerDependenciesMeta"`
	BundleDependencies   json.RawMessage `json:"bundleDependencies"`
	BundledDependencies  json.RawMessage `json:"bundledDependencies"`
	OS                   stringList      `json:"os"`
	CPU                  stringList      `json:"cpu"`
	Engines              engines         `json:"engines"`
	Deprecated           json.RawMessage `json:"deprecated"`
	Dist                 struct {
		Tarball   looseString `json:"tarball"`
		Integrity looseString `json:"integrity"`
		Shasum    looseString `json:"shasum"`
	} `json:"dist"`
}

// deprecation is the deprecation message, "" when the version is not deprecated.
func (m *manifest) deprecation() string {
	if len(m.Deprecated) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(m.Deprecated, &s) == nil {
		return s
	}
	var b bool
	if json.Unmarshal(m.Deprecated, &b) == nil && b {
		return "deprecated"
	}
	return ""
}

// bundled lists the dependencies shipped inside the tarball (bundleDependencies: a list, or true
// for all of them).
func (m *manifest) bundled() map[string]bool {
	out := map[string]bool{}
	for _, raw := range []json.RawMessage{m.BundleDependencies, m.BundledDependencies} {
		if len(raw) == 0 {
			continue
		}
		var list []string
		if json.Unmarshal(raw, &list) == nil {
			for _, n := range list {
				out[n] = true
			}
			continue
		}
		var all bool
		if json.Unmarshal(raw, &all) == nil && all {
			for n := range m.Dependencies {
				out[n] = true
			}
		}
	}
	return out
}

// RegistryError is an HTTP answer from a registry that is not a success.
type RegistryError struct {
	URL    string
	Status int
}

func (e *RegistryError) Error() string {
	return fmt.Sprintf("registry answered %d %s for %s", e.Status, http.StatusText(e.Status), redactURL(e.URL))
}

// redactURL drops credentials and the query from a URL for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.User = nil
	u.RawQuery = ""
	return u.String()
}

// client talks to registries: metadata and tarballs, with per-request time-outs and a few
// retries of failures that may pass (5xx, 429, connection errors).
type client struct {
	regs    *Registries
	http    *http.Client
	timeout time.Duration // per attempt
	retries int
	maxMeta int64 // largest metadata document read
}

func (c *client) packumentURL(name string) string {
	return c.regs.For(name) + strings.Replace(url.PathEscape(name), "%40", "@", 1)
}

// get performs a GET with retries and returns the response of the first success; the caller closes
// the body. ctx bounds every attempt; each attempt also has c.timeout until the headers arrive and
// the body is read (the body reader carries the attempt's context).
func (c *client) get(ctx context.Context, rawURL, accept string) (*http.Response, context.CancelFunc, error) {
	var lastErr error
	for attempt := 0; attempt <= c.retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * 200 * time.Millisecond):
			}
		}
		actx, cancel := context.WithTimeout(ctx, c.timeout)
		req, err := http.NewRequestWithContext(actx, http.MethodGet, rawURL, nil)
		if err != nil {
			cancel()
			return nil, nil, err
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if h := c.regs.authorization(rawURL); h != "" {
			req.Header.Set("Authorization", h)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			cancel()
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(actx.Err(), context.DeadlineExceeded) {
				err = fmt.Errorf("no answer within %s from %s", c.timeout, redactURL(rawURL))
			}
			lastErr = err
			continue
		}
		if resp.StatusCode == http.StatusOK {
			return resp, cancel, nil
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		cancel()
		lastErr = &RegistryError{URL: rawURL, Status: resp.StatusCode}
		if resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
			return nil, nil, lastErr
		}
	}
	return nil, nil, lastErr
}

// packument fetches the abbreviated metadata of name.
func (c *client) packument(ctx context.Context, name string) (*packument, error) {
	u := c.packumentURL(name)
	resp, cancel, err := c.get(ctx, u, "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*")
	if err != nil {
		var re *RegistryError
		if errors.As(err, &re) && re.Status == http.StatusNotFound {
			return nil, fmt.Errorf("package %s does not exist on the registry", name)
		}
		return nil, err
	}
	defer cancel()
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxMeta+1))
	if err != nil {
		return nil, fmt.Errorf("reading metadata: %w", err)
	}
	if int64(len(data)) > c.maxMeta {
		return nil, fmt.Errorf("metadata larger than %d bytes", c.maxMeta)
	}
	p, err := decodePackument(data)
	if err != nil {
		return nil, fmt.Errorf("malformed metadata from the registry: %w", err)
	}
	if p.Versions == nil {
		return nil, errors.New("malformed metadata from the registry: no versions")
	}
	return p, nil
}

// tarballURL turns a lock's registry-relative tarball path back into a URL on name's registry.
func (c *client) tarballURL(name, rel string) string {
	base := c.regs.For(name)
	if strings.HasPrefix(rel, "/") {
		u, err := url.Parse(base)
		if err == nil {
			u.Path, u.RawPath = "", ""
			return strings.TrimSuffix(u.String(), "/") + rel
		}
	}
	return base + rel
}

// relativeTarball returns the tarball URL relative to the registry base of name: the path below
// the base when the tarball is there, else the URL's absolute path (on the registry's host). No
// host is ever returned.
func (c *client) relativeTarball(name, tarball string) (string, error) {
	base := c.regs.For(name)
	tu, err := url.Parse(tarball)
	if err != nil {
		return "", fmt.Errorf("bad tarball URL: %w", err)
	}
	bu, _ := url.Parse(base)
	if tu.Path == "" {
		return "", fmt.Errorf("bad tarball URL %q", redactURL(tarball))
	}
	if bu != nil && strings.HasPrefix(tu.EscapedPath(), bu.EscapedPath()) {
		return strings.TrimPrefix(tu.EscapedPath(), bu.EscapedPath()), nil
	}
	return tu.EscapedPath(), nil
}

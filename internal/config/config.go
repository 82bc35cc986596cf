// Package config loads the daemon's configuration: a YAML file, then environment variables, then
// flags, each overriding the one before. It holds no secret values except the API token, which it
// never prints.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the daemon's configuration. Field names are the YAML keys.
type Config struct {
	Repo         string   `yaml:"repo"`          // local path or remote URL
	Branch       string   `yaml:"branch"`        // deploy branch; default "main"
	Addr         string   `yaml:"addr"`          // HTTP listen address; default 127.0.0.1:8080
	DataDir      string   `yaml:"data_dir"`      // git mirror and version records
	Token        string   `yaml:"token"`         // API bearer token (prefer ACTIONSD_TOKEN)
	PollInterval Duration `yaml:"poll_interval"` // default 30s; negative: never
	SecretsFile  string   `yaml:"secrets_file"`  // dev secrets file instead of Vault (not for production)
	Vault        Vault    `yaml:"vault"`
	Egress       Egress   `yaml:"egress"`
	Log          Log      `yaml:"log"`
}

// Vault locates the secrets. The token comes from VAULT_TOKEN, never from the file.
type Vault struct {
	Address   string `yaml:"address"`   // VAULT_ADDR
	Namespace string `yaml:"namespace"` // VAULT_NAMESPACE
	KVMount   string `yaml:"kv_mount"`  // default "secret"
	Prefix    string `yaml:"prefix"`    // default "actionsd"
}

// Egress is the fetch allow-list: host, host:port or CIDR entries that may be private addresses.
type Egress struct {
	Allow []string `yaml:"allow"`
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error; default info
	Format string `yaml:"format"` // json or console; default json
}

// Defaults.
const (
	DefaultBranch  = "main"
	DefaultAddr    = "127.0.0.1:8080"
	DefaultKVMount = "secret"
	DefaultPrefix  = "actionsd"
	DefaultPoll    = 30 * time.Second
)

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Branch:       DefaultBranch,
		Addr:         DefaultAddr,
		PollInterval: Duration(DefaultPoll),
		Vault:        Vault{KVMount: DefaultKVMount, Prefix: DefaultPrefix},
		Log:          Log{Level: "info", Format: "json"},
	}
}

// Load reads the YAML file at path over the defaults. Unknown fields are errors that name the file,
// line and field.
func Load(path string) (Config, error) {
	c := Default()
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// ApplyEnv overrides c with the environment: ACTIONSD_TOKEN, VAULT_ADDR, VAULT_NAMESPACE.
func (c *Config) ApplyEnv(getenv func(string) string) {
	if v := getenv("ACTIONSD_TOKEN"); v != "" {
		c.Token = v
	}
	if v := getenv("VAULT_ADDR"); v != "" {
		c.Vault.Address = v
	}
	if v := getenv("VAULT_NAMESPACE"); v != "" {
		c.Vault.Namespace = v
	}
}

// Check reports the first setting that cannot work.
func (c *Config) Check() error {
	switch {
	case c.Repo == "":
		return errors.New("config: repo is required (--repo PATH|URL or repo: in the file)")
	case c.DataDir == "":
		return errors.New("config: data_dir is required (--data-dir DIR)")
	case c.Vault.Address == "" && c.SecretsFile == "":
		return errors.New("config: no secrets source: set VAULT_ADDR (and VAULT_TOKEN), or --secrets-file for a local trial")
	}
	return nil
}

// Duration is a time.Duration written as "30s" in YAML.
type Duration time.Duration

// UnmarshalYAML reads a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return fmt.Errorf("line %d: want a duration such as 30s", n.Line)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

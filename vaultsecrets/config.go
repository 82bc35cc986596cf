package vaultsecrets

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.uber.org/zap/zapcore"
)

// Defaults of VaultConfig.
const (
	DefaultMount        = "secret"
	DefaultPrefix       = "actionsd"
	DefaultPollInterval = 10 * time.Second
	DefaultTimeout      = 60 * time.Second // as the Vault CLI's VAULT_CLIENT_TIMEOUT
	DefaultMaxRetries   = 2                // as the Vault CLI's VAULT_MAX_RETRIES

	// DefaultKubernetesTokenPath is where Kubernetes mounts a pod's service-account token.
	DefaultKubernetesTokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token"
)

// Auth methods of VaultConfig.AuthMethod.
const (
	AuthToken      = "token"
	AuthAppRole    = "approle"
	AuthKubernetes = "kubernetes"
)

// VaultConfig says how to reach Vault, how to log in and where the secrets are. Empty fields take
// their defaults. The credentials (Token, SecretID) are never read from a file by the YAML
// decoder, and the config prints, logs and encodes without them.
//
// The environment variables (see ApplyEnv) follow the Vault CLI where it has one:
//
//	VAULT_ADDR, VAULT_NAMESPACE, VAULT_TOKEN           address, namespace, token
//	VAULT_CACERT, VAULT_CAPATH, VAULT_CLIENT_CERT,     TLS, as the Vault CLI takes it
//	VAULT_CLIENT_KEY, VAULT_TLS_SERVER_NAME, VAULT_SKIP_VERIFY
//	VAULT_CLIENT_TIMEOUT, VAULT_MAX_RETRIES            request timeout (a duration or seconds) and retries
//
// and, for what the Vault CLI has no variable for:
//
//	VAULT_TOKEN_FILE            a file holding the token (a Vault Agent sink), re-read at each login
//	VAULT_AUTH_METHOD           token, approle or kubernetes; guessed from the other settings when unset
//	VAULT_AUTH_MOUNT            where the auth method is mounted; the method's name when unset
//	VAULT_ROLE_ID               AppRole role_id (VAULT_ROLE_ID_FILE: from a file)
//	VAULT_SECRET_ID             AppRole secret_id (VAULT_SECRET_ID_FILE: from a file, re-read at each login)
//	VAULT_KUBERNETES_ROLE       the Vault role of Kubernetes auth
//	VAULT_KUBERNETES_TOKEN_PATH the service-account token; DefaultKubernetesTokenPath when unset,
//	                            re-read at each login (projected tokens rotate)
type VaultConfig struct {
	Address   string `yaml:"address"`   // e.g. "https://vault.example.com:8200"; required
	Namespace string `yaml:"namespace"` // Vault Enterprise namespace; empty for none
	Mount     string `yaml:"kv_mount"`  // the KV v2 mount; DefaultMount when empty
	Prefix    string `yaml:"prefix"`    // the path under the mount, e.g. "actionsd/prod"; DefaultPrefix when empty

	// PollInterval is how often the Watcher reads each path's KV v2 metadata; DefaultPollInterval
	// when 0.
	PollInterval time.Duration `yaml:"poll_interval"`

	// AuthMethod is AuthToken, AuthAppRole or AuthKubernetes. When empty it is guessed: token when
	// Token or TokenFile is set, else approle when a role ID is, else kubernetes when KubernetesRole is.
	AuthMethod string `yaml:"auth_method"`
	AuthMount  string `yaml:"auth_mount"` // where the method is mounted; the method's name when empty

	Token     string `yaml:"-"`          // token auth (VAULT_TOKEN); never from the file
	TokenFile string `yaml:"token_file"` // token auth: a file holding the token, re-read at each login

	RoleID       string `yaml:"role_id"`        // AppRole
	RoleIDFile   string `yaml:"role_id_file"`   // AppRole: the role_id from a file
	SecretID     string `yaml:"-"`              // AppRole (VAULT_SECRET_ID); never from the file
	SecretIDFile string `yaml:"secret_id_file"` // AppRole: the secret_id from a file, re-read at each login

	KubernetesRole      string `yaml:"kubernetes_role"`       // Kubernetes auth: the Vault role
	KubernetesTokenPath string `yaml:"kubernetes_token_path"` // DefaultKubernetesTokenPath when empty

	// TLS, as the Vault CLI takes it.
	CACert        string `yaml:"ca_cert"`         // PEM file of the CA that signed Vault's certificate
	CAPath        string `yaml:"ca_path"`         // a folder of PEM CA files
	ClientCert    string `yaml:"client_cert"`     // PEM file of a client certificate, with ClientKey
	ClientKey     string `yaml:"client_key"`      // PEM file of ClientCert's key
	TLSServerName string `yaml:"tls_server_name"` // SNI name to use
	SkipVerify    bool   `yaml:"skip_verify"`     // do not verify Vault's certificate: for trials only

	Timeout    time.Duration `yaml:"timeout"`     // per request; DefaultTimeout when 0
	MaxRetries int           `yaml:"max_retries"` // retries of 5xx and connection errors; DefaultMaxRetries when 0, none when negative
}

// VaultConfigFromEnv returns the configuration the environment gives (see ApplyEnv); a variable
// that cannot be parsed is ignored.
func VaultConfigFromEnv() VaultConfig {
	var c VaultConfig
	_ = c.ApplyEnv(os.Getenv)
	return c
}

// ApplyEnv overrides c with the environment variables listed on VaultConfig that are set and not
// empty. It applies every one it can and returns the first that cannot be parsed.
func (c *VaultConfig) ApplyEnv(getenv func(string) string) error {
	var errs []error
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	str("VAULT_ADDR", &c.Address)
	str("VAULT_NAMESPACE", &c.Namespace)
	str("VAULT_TOKEN", &c.Token)
	str("VAULT_TOKEN_FILE", &c.TokenFile)
	str("VAULT_AUTH_METHOD", &c.AuthMethod)
	str("VAULT_AUTH_MOUNT", &c.AuthMount)
	str("VAULT_ROLE_ID", &c.RoleID)
	str("VAULT_ROLE_ID_FILE", &c.RoleIDFile)
	str("VAULT_SECRET_ID", &c.SecretID)
	str("VAULT_SECRET_ID_FILE", &c.SecretIDFile)
	str("VAULT_KUBERNETES_ROLE", &c.KubernetesRole)
	str("VAULT_KUBERNETES_TOKEN_PATH", &c.KubernetesTokenPath)
	str("VAULT_CACERT", &c.CACert)
	str("VAULT_CAPATH", &c.CAPath)
	str("VAULT_CLIENT_CERT", &c.ClientCert)
	str("VAULT_CLIENT_KEY", &c.ClientKey)
	str("VAULT_TLS_SERVER_NAME", &c.TLSServerName)
	if v := getenv("VAULT_SKIP_VERIFY"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("VAULT_SKIP_VERIFY: %q is not a boolean", v))
		} else {
			c.SkipVerify = b
		}
	}
	if v := getenv("VAULT_CLIENT_TIMEOUT"); v != "" {
		d, err := parseSeconds(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("VAULT_CLIENT_TIMEOUT: %w", err))
		} else {
			c.Timeout = d
		}
	}
	if v := getenv("VAULT_MAX_RETRIES"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 0:
			errs = append(errs, fmt.Errorf("VAULT_MAX_RETRIES: %q is not a count", v))
		case n == 0:
			c.MaxRetries = -1
		default:
			c.MaxRetries = n
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// parseSeconds reads a Go duration or, as the Vault CLI also takes, a number of seconds.
func parseSeconds(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is neither a duration nor seconds", s)
	}
	return d, nil
}

// Flags registers the Vault flags on fs, each showing c's value as its default. It binds nothing:
// after the file and the environment are applied, ApplyFlags copies the flags given on the command
// line (file < environment < flags). There is no flag for a token or a secret_id: a command line is
// visible to every user of the machine; use the environment or a file.
func (c *VaultConfig) Flags(fs *pflag.FlagSet) {
	for _, f := range c.stringFlags() {
		fs.String(f.name, f.def, f.usage)
	}
	fs.Duration("vault-poll-interval", orDuration(c.PollInterval, DefaultPollInterval), "how often to read each secret path's KV metadata for rotations")
	fs.Bool("vault-skip-verify", c.SkipVerify, "do not verify Vault's certificate: trials only (VAULT_SKIP_VERIFY)")
	fs.Duration("vault-client-timeout", orDuration(c.Timeout, DefaultTimeout), "timeout of each Vault request (VAULT_CLIENT_TIMEOUT)")
}

// stringFlag is one string flag of Flags and the field of c that ApplyFlags sets from it.
type stringFlag struct {
	name  string
	field *string
	def   string // the default shown: c's value, or the package default
	usage string
}

// stringFlags is the one list of the string flags, for Flags and ApplyFlags alike.
func (c *VaultConfig) stringFlags() []stringFlag {
	return []stringFlag{
		{"vault-addr", &c.Address, c.Address, "Vault address (VAULT_ADDR)"},
		{"vault-namespace", &c.Namespace, c.Namespace, "Vault Enterprise namespace (VAULT_NAMESPACE)"},
		{"vault-kv-mount", &c.Mount, or(c.Mount, DefaultMount), "Vault KV v2 mount"},
		{"vault-prefix", &c.Prefix, or(c.Prefix, DefaultPrefix), "path prefix under the mount: <mount>/<prefix>/modules/<name>"},
		{"vault-auth-method", &c.AuthMethod, c.AuthMethod, "token, approle or kubernetes (VAULT_AUTH_METHOD; guessed when unset)"},
		{"vault-auth-mount", &c.AuthMount, c.AuthMount, "mount path of the auth method (VAULT_AUTH_MOUNT; default: the method's name)"},
		{"vault-token-file", &c.TokenFile, c.TokenFile, "file holding the Vault token, re-read at each login (VAULT_TOKEN_FILE)"},
		{"vault-role-id", &c.RoleID, c.RoleID, "AppRole role_id (VAULT_ROLE_ID)"},
		{"vault-role-id-file", &c.RoleIDFile, c.RoleIDFile, "file holding the AppRole role_id (VAULT_ROLE_ID_FILE)"},
		{"vault-secret-id-file", &c.SecretIDFile, c.SecretIDFile, "file holding the AppRole secret_id, re-read at each login (VAULT_SECRET_ID_FILE)"},
		{"vault-kubernetes-role", &c.KubernetesRole, c.KubernetesRole, "Vault role for Kubernetes auth (VAULT_KUBERNETES_ROLE)"},
		{"vault-kubernetes-token-path", &c.KubernetesTokenPath, or(c.KubernetesTokenPath, DefaultKubernetesTokenPath), "service-account token for Kubernetes auth (VAULT_KUBERNETES_TOKEN_PATH)"},
		{"vault-cacert", &c.CACert, c.CACert, "PEM CA file for Vault's certificate (VAULT_CACERT)"},
		{"vault-capath", &c.CAPath, c.CAPath, "folder of PEM CA files (VAULT_CAPATH)"},
		{"vault-client-cert", &c.ClientCert, c.ClientCert, "PEM client certificate (VAULT_CLIENT_CERT)"},
		{"vault-client-key", &c.ClientKey, c.ClientKey, "PEM client key (VAULT_CLIENT_KEY)"},
		{"vault-tls-server-name", &c.TLSServerName, c.TLSServerName, "SNI name for Vault (VAULT_TLS_SERVER_NAME)"},
	}
}

// ApplyFlags overrides c with the flags of fs that Flags registered and the command line set.
func (c *VaultConfig) ApplyFlags(fs *pflag.FlagSet) error {
	fields := map[string]*string{}
	for _, f := range c.stringFlags() {
		fields[f.name] = f.field
	}
	var err error
	fs.Visit(func(f *pflag.Flag) {
		if err != nil {
			return
		}
		s := f.Value.String()
		if field, ok := fields[f.Name]; ok {
			*field = s
			return
		}
		switch f.Name {
		case "vault-poll-interval":
			c.PollInterval, err = fs.GetDuration(f.Name)
			if err == nil && c.PollInterval <= 0 {
				err = fmt.Errorf("--vault-poll-interval: %s is not a positive duration", s)
			}
		case "vault-skip-verify":
			c.SkipVerify, err = fs.GetBool(f.Name)
		case "vault-client-timeout":
			c.Timeout, err = fs.GetDuration(f.Name)
		}
	})
	return err
}

// method returns the auth method c selects, explicitly or by guess.
func (c *VaultConfig) method() (string, error) {
	m := strings.ToLower(strings.TrimSpace(c.AuthMethod))
	switch m {
	case AuthToken, AuthAppRole, AuthKubernetes:
		return m, nil
	case "":
	default:
		return "", fmt.Errorf("auth method %q is none of token, approle, kubernetes", c.AuthMethod)
	}
	switch {
	case c.Token != "" || c.TokenFile != "":
		return AuthToken, nil
	case c.RoleID != "" || c.RoleIDFile != "":
		return AuthAppRole, nil
	case c.KubernetesRole != "":
		return AuthKubernetes, nil
	}
	return "", errors.New("no credentials: set VAULT_TOKEN (or VAULT_TOKEN_FILE), VAULT_ROLE_ID with VAULT_SECRET_ID(_FILE), or VAULT_KUBERNETES_ROLE")
}

// PollEvery is the poll interval c sets, or DefaultPollInterval.
func (c VaultConfig) PollEvery() time.Duration {
	return orDuration(c.PollInterval, DefaultPollInterval)
}

// String describes c without its credentials.
func (c VaultConfig) String() string {
	return fmt.Sprintf("{Address:%s Namespace:%s Mount:%s Prefix:%s PollInterval:%s AuthMethod:%s AuthMount:%s Token:%s TokenFile:%s RoleID:%s RoleIDFile:%s SecretID:%s SecretIDFile:%s KubernetesRole:%s KubernetesTokenPath:%s CACert:%s CAPath:%s ClientCert:%s ClientKey:%s TLSServerName:%s SkipVerify:%t Timeout:%s MaxRetries:%d}",
		c.Address, c.Namespace, c.Mount, c.Prefix, c.PollInterval, c.AuthMethod, c.AuthMount,
		redactedIfSet(c.Token), c.TokenFile, redactedIfSet(c.RoleID), c.RoleIDFile, redactedIfSet(c.SecretID), c.SecretIDFile,
		c.KubernetesRole, c.KubernetesTokenPath, c.CACert, c.CAPath, c.ClientCert, c.ClientKey, c.TLSServerName, c.SkipVerify,
		c.Timeout, c.MaxRetries)
}

// GoString is String, so %#v leaves the credentials out too.
func (c VaultConfig) GoString() string { return "vaultsecrets.VaultConfig" + c.String() }

// MarshalJSON encodes c without its credentials.
func (c VaultConfig) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, "%q", c.String()), nil
}

// MarshalYAML writes c without its credentials; the file never holds them.
func (c VaultConfig) MarshalYAML() (any, error) {
	type plain VaultConfig // no methods: no recursion
	p := plain(c)
	p.Token, p.SecretID = "", ""
	if p.RoleID != "" {
		p.RoleID = redacted
	}
	return p, nil
}

// MarshalLogObject makes zap log c without its credentials.
func (c VaultConfig) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("address", c.Address)
	enc.AddString("namespace", c.Namespace)
	enc.AddString("mount", c.Mount)
	enc.AddString("prefix", c.Prefix)
	enc.AddDuration("poll_interval", c.PollInterval)
	enc.AddString("auth_method", c.AuthMethod)
	enc.AddString("auth_mount", c.AuthMount)
	enc.AddString("token", redactedIfSet(c.Token))
	enc.AddString("token_file", c.TokenFile)
	enc.AddString("role_id", redactedIfSet(c.RoleID))
	enc.AddString("role_id_file", c.RoleIDFile)
	enc.AddString("secret_id", redactedIfSet(c.SecretID))
	enc.AddString("secret_id_file", c.SecretIDFile)
	enc.AddString("kubernetes_role", c.KubernetesRole)
	enc.AddString("kubernetes_token_path", c.KubernetesTokenPath)
	enc.AddString("ca_cert", c.CACert)
	enc.AddString("ca_path", c.CAPath)
	enc.AddString("client_cert", c.ClientCert)
	enc.AddString("client_key", c.ClientKey)
	enc.AddString("tls_server_name", c.TLSServerName)
	enc.AddBool("skip_verify", c.SkipVerify)
	enc.AddDuration("timeout", c.Timeout)
	enc.AddInt("max_retries", c.MaxRetries)
	return nil
}

func redactedIfSet(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

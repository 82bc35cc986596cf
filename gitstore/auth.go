package gitstore

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
)

// DefaultTokenUser is the user name sent with a token when none is configured (GitHub accepts any
// non-empty name with a token; GitLab wants "oauth2" for OAuth tokens, set Username for it).
const DefaultTokenUser = "x-access-token"

// Credentials are what authenticates the daemon to a remote repository. The caller reads them
// from files or the environment; they are never logged.
type Credentials struct {
	// Username and Password are HTTP(S) basic auth. A token goes in Password; Username defaults to
	// DefaultTokenUser when only a password is set.
	Username string
	Password string
	// SSHKeyFile is a private key (OpenSSH or PEM) for ssh:// and user@host:path URLs, with its
	// passphrase, if any, in SSHKeyPassphrase.
	SSHKeyFile       string
	SSHKeyPassphrase string
	// KnownHostsFile lists the SSH host keys to accept. Host keys are always verified: when it is
	// empty, $SSH_KNOWN_HOSTS or ~/.ssh/known_hosts is used, and a host missing from it is refused.
	KnownHostsFile string
}

// NewAuth returns the transport authentication for rawURL, or nil when none is needed (a local
// path, file://, or an HTTP(S) URL without credentials).
func NewAuth(rawURL string, c Credentials) (transport.AuthMethod, error) {
	local, err := localPath(rawURL)
	if err != nil {
		return nil, err
	}
	if local != "" {
		return nil, nil
	}
	ep, err := transport.NewEndpoint(rawURL)
	if err != nil {
		return nil, fmt.Errorf("repository url %s: %w", redact(rawURL), err)
	}
	switch ep.Protocol {
	case "http", "https":
		if c.SSHKeyFile != "" {
			return nil, errors.New("an ssh key is configured but the repository url is " + ep.Protocol)
		}
		if c.Password == "" {
			if c.Username != "" {
				return nil, errors.New("a git username is configured without a password or token")
			}
			return nil, nil
		}
		user := c.Username
		if user == "" {
			user = DefaultTokenUser
		}
		return &githttp.BasicAuth{Username: user, Password: c.Password}, nil
	case "ssh":
		if c.Password != "" {
			return nil, errors.New("a password or token is configured but the repository url is ssh (use an ssh key)")
		}
		if c.SSHKeyFile == "" {
			return nil, errors.New("ssh repository: no ssh key configured (--git-ssh-key)")
		}
		user := ep.User
		if user == "" {
			user = "git"
		}
		keys, err := gitssh.NewPublicKeysFromFile(user, c.SSHKeyFile, c.SSHKeyPassphrase)
		if err != nil {
			return nil, fmt.Errorf("ssh key %s: %w", c.SSHKeyFile, err)
		}
		var files []string
		if c.KnownHostsFile != "" {
			files = []string{c.KnownHostsFile}
		}
		cb, err := gitssh.NewKnownHostsCallback(files...)
		if err != nil {
			return nil, fmt.Errorf("ssh known hosts: %w", err)
		}
		keys.HostKeyCallback = cb
		return keys, nil
	}
	return nil, nil
}

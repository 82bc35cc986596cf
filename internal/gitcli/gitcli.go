// Package gitcli runs the git CLI in a working tree, for what actionsd writes to a repository
// (commits, tags, signing and pushing), so that the user's git configuration, hooks, signing keys
// and credentials apply. It reads nothing: reading git is gitstore's job.
package gitcli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// Run runs git with args in dir and returns its standard output, trimmed. A failing git is an
// error that names the command and holds git's own message.
func Run(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("git %s: %s", strings.Join(args, " "), strings.TrimSpace(errb.String()))
		}
		return "", fmt.Errorf("git %s: %w", args[0], err)
	}
	return strings.TrimSpace(out.String()), nil
}

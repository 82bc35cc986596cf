// Command actionsd runs Auth0-style Actions and Action Modules from a git repository, with secrets
// from Vault. See README.md; `actionsd dev` starts a self-contained demo.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "actionsd:", err)
	var ee *exitError
	if errors.As(err, &ee) {
		os.Exit(ee.Code)
	}
	os.Exit(1)
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "actionsd",
		Short:         "Run Auth0-style Actions and Action Modules from git, with secrets from Vault",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServeCmd(), newDevCmd(), newStatusCmd())
	root.AddCommand(newLockCmd(), newVendorCmd())
	root.AddCommand(newValidateCmd(), newPublishCmd(), newVersionsCmd(), newInvokeCmd(), newTestCmd(), newInitCmd(), newSchemaCmd())
	root.AddCommand(newSecretsCmd())
	return root
}

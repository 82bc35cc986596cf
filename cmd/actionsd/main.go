// Command actionsd runs Auth0-style Actions and Action Modules from a git repository, with secrets
// from Vault. See README.md; `actionsd dev` starts a self-contained demo.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/internal/buildinfo"
	"github.com/actionsd/actionsd/internal/daemon"
	"github.com/actionsd/actionsd/internal/tty"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err == nil {
		return
	}
	var ee *exitError
	if !errors.As(err, &ee) && strings.HasPrefix(err.Error(), "unknown command ") {
		// cobra's own usage error, before any command's flag handling: the exit status of
		// every other usage error.
		ee = &exitError{Code: exitUsage, Err: fmt.Errorf("%w\nSee 'actionsd --help'.", err)}
		err = ee
	}
	fmt.Fprintln(os.Stderr, "actionsd:", err)
	if ee != nil {
		os.Exit(ee.Code)
	}
	os.Exit(1)
}

// colorMode is --color: auto (a terminal without NO_COLOR), always or never.
var colorMode = tty.Auto

// colorOn reports whether output to w is coloured under --color and NO_COLOR.
func colorOn(w io.Writer) bool { return tty.Enabled(colorMode, w, os.Getenv) }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "actionsd",
		Short:         "Run Auth0-style Actions and Action Modules from git, with secrets from Vault",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(withGCPercent(newServeCmd()), withGCPercent(newDevCmd()), newStatusCmd(), newRolloutCmd(), newRollbackCmd(), newLogsCmd())
	root.AddCommand(newLockCmd(), newVendorCmd())
	root.AddCommand(newValidateCmd(), newPublishCmd(), newVersionsCmd(), newInvokeCmd(), newTestCmd(), newReplayCmd(), newInitCmd(), newSchemaCmd())
	root.AddCommand(newSecretsCmd(), newVersionCmd())
	root.PersistentFlags().StringVar(&colorMode, "color", tty.Auto, "colour the output: auto (on a terminal, unless NO_COLOR is set), always or never")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		return oneOf(cmd, "color", colorMode, tty.Modes...)
	}
	// Every usage error exits 2 with "See 'actionsd <command> --help'.", whichever command it
	// comes from.
	var each func(*cobra.Command)
	each = func(c *cobra.Command) {
		usage(c)
		for _, sub := range c.Commands() {
			each(sub)
		}
	}
	each(root)
	// --version prints what `actionsd version` prints.
	root.Version = buildinfo.Read().String()
	root.SetVersionTemplate("{{.Version}}")
	return root
}

// defaultGCPercent is the garbage collector's target (as GOGC) that serve and dev run with when
// neither --gc-percent, ACTIONSD_GC_PERCENT, GOGC nor GOMEMLIMIT says otherwise. An execution
// allocates a few kB of short-lived objects, and a daemon's live heap (its warm runtimes) is
// small next to what it allocates per second: at Go's default of 100 the collector ran dozens of
// times a second under load and took about a quarter of the CPU. 400 lets the heap grow to 5× the
// live heap between collections instead of 2× (see docs/configuration.md).
const defaultGCPercent = 400

// withGCPercent adds --gc-percent and --start-heap-mib to a command that serves executions, and
// applies them (or their defaults) before the command runs.
func withGCPercent(cmd *cobra.Command) *cobra.Command {
	pct := cmd.Flags().Int("gc-percent", defaultGCPercent,
		"garbage collector target, as GOGC: the heap may grow by this percentage of the live heap between collections (GOGC or GOMEMLIMIT in the environment apply instead when set)")
	heap := cmd.Flags().Int("start-heap-mib", daemon.DefaultStartHeapMiB,
		"while the first generation builds, let the heap grow to this many MiB (or GOMEMLIMIT, when lower) before collecting; 0: collect as usual")
	cmd.PreRunE = func(c *cobra.Command, args []string) error {
		if err := applyGCPercent(*pct, c.Flags().Changed("gc-percent"), os.Getenv); err != nil {
			return err
		}
		b, ok := daemon.StartHeapBytes(*heap)
		if !ok {
			return fmt.Errorf("--start-heap-mib %d: want 0 or a positive number of MiB", *heap)
		}
		startHeap = b
		return nil
	}
	return cmd
}

// startHeap is --start-heap-mib in bytes, set by withGCPercent before a daemon runs; 0: off.
var startHeap = daemon.DefaultStartHeap

// applyGCPercent sets the garbage collector's target: --gc-percent when given, else
// ACTIONSD_GC_PERCENT, else nothing when GOGC or GOMEMLIMIT is set (the runtime applied them),
// else the flag's default.
func applyGCPercent(flag int, flagSet bool, getenv func(string) string) error {
	pct := flag
	switch env := getenv("ACTIONSD_GC_PERCENT"); {
	case flagSet:
	case env != "":
		n, err := strconv.Atoi(env)
		if err != nil {
			return fmt.Errorf("ACTIONSD_GC_PERCENT=%q: not a whole number", env)
		}
		pct = n
	case getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "":
		return nil
	}
	if pct <= 0 {
		return fmt.Errorf("--gc-percent %d: must be positive (100 is Go's default)", pct)
	}
	debug.SetGCPercent(pct)
	return nil
}

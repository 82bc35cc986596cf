package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/internal/daemon"
	"github.com/actionsd/actionsd/internal/tty"
	"github.com/actionsd/actionsd/npmvendor"
	"github.com/actionsd/actionsd/replay"
	"github.com/actionsd/actionsd/review"
	"github.com/actionsd/actionsd/vaultsecrets"
)

func newValidateCmd() *cobra.Command {
	var (
		repo                    repoFlags
		base, head, format      string
		checkVault, noRun       bool
		noInstall               bool
		vaultMount, vaultPrefix string
		verify                  config.Verify
		shadow, token           string
		last                    int
	)
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Review what a change does: actions, bindings, module drafts, dependencies, secrets, errors",
		Long: `validate compares two revisions of the actions repository, as a pull request's review needs:
actions added, changed and removed (with line counts), bindings and their order, module drafts
that changed with the version publishing each would create, npm dependency changes with the exact
versions from actionsd.lock, and secret names added or removed. It then checks the head revision:
YAML and JavaScript syntax, unknown fields, bad references, module versions that do not exist,
unlocked dependencies, and what the runner refuses when it loads each action. Every error names
its position as one file:line:col token.

--base defaults to the merge-base of HEAD with the deploy branch (or HEAD's parent on the deploy
branch itself); --head defaults to the working tree when it differs from HEAD, else HEAD. Pass
--head working-tree to review uncommitted files explicitly.

Actions and modules that declare npm packages are loaded with them, installed from actionsd.lock
as actionsd test installs them (vendor/npm/ first, else the registry); one whose packages do not
install is a warning, and is not loaded. --no-install leaves them all out.

Module versions are published as the daemon publishes them, with --verify as serve takes it:
under --verify tags (or head-and-tags), a version tag that is not signed by a trusted key
publishes nothing, and a pin of it is an error (the HEAD commit's own signature is not checked:
what deploys is the merge).

With --check-vault, the secret names added are looked up in Vault (VAULT_ADDR, VAULT_TOKEN, …;
names only, values are never read into the report).

With --shadow DAEMON_URL, the head's changed actions also run on the last --last executions that
daemon recorded for each of their triggers (GET /v1/executions; the API token is --token or
ACTIONSD_TOKEN), with the HTTP responses recorded with each execution: nothing reaches the network
and nothing is written anywhere. The report counts the executions whose outcome (or error) or
commands would change and those that could not be replayed (the code asks for a request the
record does not have, or a continue execution), with three examples of each. Secrets get
placeholder values. The differences are a plan, not errors: they do not change the exit status.

Exit status: 0 valid, 1 errors found, 2 usage error.`,
		Example: `  # in a pull request's CI, as a comment
  actionsd validate --base origin/main --format markdown > review.md

  # before committing
  actionsd validate

  # machine-readable, another repository
  actionsd validate -C ../actions-repo --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := oneOf(cmd, "format", format, review.Formats...); err != nil {
				return err
			}
			r, err := repo.open()
			if err != nil {
				return err
			}
			if r.Verify, err = daemon.VerifyOptions(verify); err != nil {
				return usageError(cmd, "%v", err)
			}
			opts := review.Options{SkipRun: noRun}
			if !noInstall {
				opts.Dependencies = npmvendor.NewWorkTreeInstaller(repo.dir)
			}
			if last < 0 {
				return usageError(cmd, "--last %d: want a positive number of executions", last)
			}
			if shadow != "" {
				if token == "" {
					token = os.Getenv("ACTIONSD_TOKEN")
				}
				opts.Shadow = &review.ShadowOptions{Client: &replay.Client{Addr: shadow, Token: token}, Last: last}
			}
			if checkVault {
				cfg := vaultsecrets.VaultConfigFromEnv()
				if cfg.Address == "" {
					return usageError(cmd, "--check-vault needs VAULT_ADDR (and VAULT_TOKEN) in the environment")
				}
				cfg.Mount, cfg.Prefix = vaultMount, vaultPrefix
				src, err := vaultsecrets.NewVault(cfg, zap.NewNop())
				if err != nil {
					return err
				}
				opts.Secrets = vaultsecrets.NameChecker{Source: src}
			}
			report, err := r.Validate(cmd.Context(), base, head, opts)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format == review.FormatText && colorOn(out) {
				lines := tty.NewLines(out, validateColours())
				defer lines.Close()
				out = lines
			}
			if err := review.Render(out, report, format); err != nil {
				return err
			}
			if !report.Valid {
				return fmt.Errorf("validate: %d %s", len(report.Errors), plural(len(report.Errors), "error"))
			}
			return nil
		},
	}
	repo.add(cmd)
	cmd.Flags().StringVar(&base, "base", "", "the revision to compare with (default: merge-base with the deploy branch)")
	cmd.Flags().StringVar(&head, "head", "", "the revision to review, or working-tree (default: the working tree when it differs from HEAD, else HEAD)")
	cmd.Flags().StringVarP(&format, "format", "o", review.FormatText, "output format: text, markdown or json")
	cmd.Flags().BoolVar(&checkVault, "check-vault", false, "check that added secret names exist in Vault (VAULT_ADDR, VAULT_TOKEN; names only)")
	cmd.Flags().StringVar(&vaultMount, "vault-mount", "", "the KV v2 mount for --check-vault (default secret)")
	cmd.Flags().StringVar(&vaultPrefix, "vault-prefix", "", "the path prefix under the mount for --check-vault (default actionsd)")
	cmd.Flags().BoolVar(&noRun, "no-run", false, "check syntax and references only; do not load actions in the runner")
	cmd.Flags().BoolVar(&noInstall, "no-install", false, "do not install npm dependencies: actions and modules that declare some are not loaded")
	cmd.Flags().StringVar(&verify.Mode, "verify", config.VerifyNone, "signatures the daemon requires, as serve's --verify: none, head, tags or head-and-tags")
	cmd.Flags().StringArrayVar(&verify.OpenPGPKeys, "verify-key", nil, "armored OpenPGP public key file trusted for --verify (repeatable)")
	cmd.Flags().StringArrayVar(&verify.SSHKeys, "verify-ssh-key", nil, "file of SSH public keys (authorized_keys or allowed_signers lines) trusted for --verify (repeatable)")
	cmd.Flags().StringVar(&shadow, "shadow", "", "run the head's changed actions on the executions this daemon recorded (its base URL), with their recorded responses")
	cmd.Flags().IntVar(&last, "last", review.DefaultShadowLast, "with --shadow: how many recorded executions of each trigger to replay")
	cmd.Flags().StringVar(&token, "token", "", "with --shadow: the daemon's API bearer token (or ACTIONSD_TOKEN)")
	_ = cmd.RegisterFlagCompletionFunc("format", formatCompletion(review.Formats...))
	return usage(cmd)
}

// validateColours colours validate's text report on a terminal: the verdict green when valid,
// else red, and the lines of the Errors and Warnings sections red and yellow.
func validateColours() func(string) string {
	first, section := true, ""
	return func(line string) string {
		switch {
		case first:
			first = false
			if strings.Contains(line, ": valid") {
				return tty.Green
			}
			return tty.Red
		case line == "":
			section = ""
		case line == "Errors:":
			section = tty.Red
			return tty.Bold + tty.Red
		case line == "Warnings:":
			section = tty.Yellow
			return tty.Bold + tty.Yellow
		}
		return section
	}
}

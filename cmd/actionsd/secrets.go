package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/actionsd/actionsd/review"
	"github.com/actionsd/actionsd/vaultsecrets"
)

func newSecretsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secrets",
		Short: "Inspect the secrets the repository declares",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newSecretsCheckCmd())
	return cmd
}

// secretsCheck is the result of `actionsd secrets check`: names and versions, never a value.
type secretsCheck = vaultsecrets.Check

func newSecretsCheckCmd() *cobra.Command {
	var (
		dir         string
		secretsFile string
		asJSON      bool
		vc          vaultsecrets.VaultConfig
	)
	cmd := &cobra.Command{
		Use:   "check",
		Short: "List every declared secret name and whether Vault has it; non-zero exit when any is missing",
		Long: `check reads the action.yaml and module.yaml files of the repository's working tree, and for each
module and action that declares secrets reads <mount>/<prefix>/<kind>/<name> from Vault. It prints
the names, whether each is present, and the KV version: never a value. So that CI can run it, it
exits 0 when every declared name is present, 1 when a name is missing, a path cannot be read or a
manifest has errors, and 3 when nothing is known missing but Vault could not be reached: those
names are "unknown", neither present nor missing.

Vault is configured as for serve: VAULT_ADDR, VAULT_TOKEN or AppRole/Kubernetes settings, TLS
variables, and the --vault-* flags. Without Vault, --secrets-file checks a local secrets file.`,
		Example: `  VAULT_ADDR=https://vault:8200 VAULT_TOKEN=… actionsd secrets check -C ./actions-repo --vault-prefix actionsd/prod
  actionsd secrets check --secrets-file secrets.local.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var src vaultsecrets.Source
			if secretsFile != "" {
				fmt.Fprintln(cmd.ErrOrStderr(), localSecretsWarning)
				f, err := vaultsecrets.NewFile(secretsFile, zap.NewNop())
				if err != nil {
					return err
				}
				src = f
			} else {
				cfg := vaultsecrets.VaultConfig{}
				if err := cfg.ApplyEnv(os.Getenv); err != nil {
					return fmt.Errorf("vault: %w", err)
				}
				if err := cfg.ApplyFlags(cmd.Flags()); err != nil {
					return fmt.Errorf("vault: %w", err)
				}
				if cfg.Address == "" {
					hint := "--secrets-file FILE"
					if _, err := os.Stat(filepath.Join(dir, "secrets.local.yaml")); err == nil {
						hint = "--secrets-file " + filepath.Join(dir, "secrets.local.yaml")
					}
					return usageError(cmd, "no Vault configured: set VAULT_ADDR (or --vault-addr) and its credentials, or check a local secrets file with %s", hint)
				}
				v, err := vaultsecrets.NewVault(cfg, zap.NewNop())
				if err != nil {
					return err
				}
				defer v.Close()
				src = v
			}
			res := checkSecrets(cmd.Context(), dir, src)
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return err
				}
			} else {
				printSecretsCheck(cmd.OutOrStdout(), res)
			}
			if !res.OK && res.Counts.Missing == 0 && len(res.Errors) == 0 && res.Counts.Unreachable == res.Counts.Unreadable {
				return &exitError{Code: exitSecretsUnknown, Err: fmt.Errorf("secrets check: %d of %d declared names unknown: Vault is unreachable", res.Counts.Unknown, res.Counts.Declared)}
			}
			if !res.OK {
				return fmt.Errorf("secrets check: %d of %d declared names missing, %d paths unreadable, %d manifest errors",
					res.Counts.Missing, res.Counts.Declared, res.Counts.Unreadable, len(res.Errors))
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&dir, "dir", "C", ".", "the repository's working tree")
	fl.BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	fl.StringVar(&secretsFile, "secrets-file", "", "check against this YAML secrets file instead of Vault (local trials only)")
	vc.Flags(fl)
	// check reads each path once: how often serve polls for rotations means nothing here.
	_ = fl.MarkHidden("vault-poll-interval")
	return cmd
}

// exitSecretsUnknown is the exit status of `secrets check` when no declared name is known to be
// missing but some could not be checked because Vault did not answer.
const exitSecretsUnknown = 3

// checkSecrets reads the secret names the working tree at dir declares and checks each
// declaring owner's against src.
func checkSecrets(ctx context.Context, dir string, src vaultsecrets.Source) secretsCheck {
	declared, problems := review.DeclaredSecrets(dir)
	return vaultsecrets.CheckNames(ctx, src, declared, problems)
}

func printSecretsCheck(w io.Writer, res secretsCheck) {
	for _, e := range res.Errors {
		fmt.Fprintln(w, "error:", e)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OWNER\tPATH\tVERSION\tNAME\tSTATUS")
	for _, o := range res.Owners {
		version := "-"
		if o.Version > 0 {
			version = fmt.Sprint("v", o.Version)
		}
		for _, n := range o.Present {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\tok\n", o.Owner, o.Path, version, n)
		}
		for _, n := range o.Missing {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\tMISSING\n", o.Owner, o.Path, version, n)
		}
		for _, n := range o.Unknown {
			why := "unreadable"
			if o.Unreachable {
				why = "Vault unreachable: " + o.Reason
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\tunknown (%s)\n", o.Owner, o.Path, version, n, why)
		}
		for _, n := range o.Undeclared {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\tin Vault, not declared\n", o.Owner, o.Path, version, n)
		}
		if o.Error != "" && !o.Unreachable {
			fmt.Fprintf(tw, "%s\t%s\t%s\t\t%s\n", o.Owner, o.Path, version, strings.ReplaceAll(o.Error, "\t", " "))
		}
	}
	_ = tw.Flush()
	if len(res.Owners) == 0 {
		fmt.Fprintln(w, "no module or action declares secrets")
	}
	fmt.Fprintf(w, "%d declared, %d missing, %d unreadable", res.Counts.Declared, res.Counts.Missing, res.Counts.Unreadable)
	if res.Counts.Unknown > 0 {
		fmt.Fprintf(w, ", %d unknown", res.Counts.Unknown)
	}
	fmt.Fprintln(w)
}

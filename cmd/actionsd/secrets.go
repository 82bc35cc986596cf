package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/gitstore"
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
type secretsCheck struct {
	OK     bool          `json:"ok"`
	Owners []ownerCheck  `json:"owners"`
	Errors []string      `json:"errors,omitempty"` // manifest problems
	Counts secretsCounts `json:"counts"`
}

type ownerCheck struct {
	Owner      string   `json:"owner"` // "modules/logger"
	Path       string   `json:"path,omitempty"`
	Version    int      `json:"version,omitempty"`
	Present    []string `json:"present"`
	Missing    []string `json:"missing"`
	Undeclared []string `json:"undeclared,omitempty"` // keys Vault holds that the manifest does not declare
	Error      string   `json:"error,omitempty"`
}

type secretsCounts struct {
	Declared   int `json:"declared"`
	Missing    int `json:"missing"`
	Unreadable int `json:"unreadable"`
}

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
the names, whether each is present, and the KV version: never a value. It exits non-zero when a
declared name is missing, a path cannot be read, or a manifest has errors, so CI can run it.

Vault is configured as for serve: VAULT_ADDR, VAULT_TOKEN or AppRole/Kubernetes settings, TLS
variables, and the --vault-* flags.`,
		Example: `  VAULT_ADDR=https://vault:8200 VAULT_TOKEN=… actionsd secrets check -C ./actions-repo --vault-prefix actionsd/prod`,
		Args:    cobra.NoArgs,
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
	return cmd
}

// declaredSecrets reads the secret names that the manifests under dir declare, by owner.
func declaredSecrets(dir string) (map[vaultsecrets.Owner][]string, []string) {
	out := map[vaultsecrets.Owner][]string{}
	var problems []string
	for _, kind := range []struct {
		dir, file, owner string
		parse            func(file string, data []byte) ([]string, diag.List)
	}{
		{"actions", "action.yaml", vaultsecrets.KindAction, func(file string, data []byte) ([]string, diag.List) {
			a, p := gitstore.ParseActionManifest(file, data)
			return a.Secrets, p
		}},
		{"modules", "module.yaml", vaultsecrets.KindModule, func(file string, data []byte) ([]string, diag.List) {
			m, p := gitstore.ParseModuleManifest(file, data)
			return m.Secrets, p
		}},
	} {
		entries, err := os.ReadDir(filepath.Join(dir, kind.dir))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			rel := kind.dir + "/" + e.Name() + "/" + kind.file
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			if !gitstore.ValidName(e.Name()) {
				problems = append(problems, fmt.Sprintf("%s: %q is not a valid name", rel, e.Name()))
				continue
			}
			names, ps := kind.parse(rel, data)
			for _, p := range ps {
				problems = append(problems, p.Error())
			}
			if len(names) > 0 {
				out[vaultsecrets.Owner{Kind: kind.owner, Name: e.Name()}] = names
			}
		}
	}
	return out, problems
}

// checkSecrets reads every declaring owner's secret from src and compares names.
func checkSecrets(ctx context.Context, dir string, src vaultsecrets.Source) secretsCheck {
	declared, problems := declaredSecrets(dir)
	res := secretsCheck{Errors: problems, Owners: []ownerCheck{}}
	owners := make([]vaultsecrets.Owner, 0, len(declared))
	for o := range declared {
		owners = append(owners, o)
	}
	sort.Slice(owners, func(i, j int) bool { return owners[i].String() < owners[j].String() })
	for _, o := range owners {
		names := slices.Sorted(slices.Values(declared[o]))
		oc := ownerCheck{Owner: o.String(), Present: []string{}, Missing: []string{}}
		res.Counts.Declared += len(names)
		sec, err := src.Read(ctx, o)
		var nf *vaultsecrets.NotFoundError
		switch {
		case errors.As(err, &nf):
			oc.Path = nf.Path
			oc.Error = err.Error()
			oc.Missing = names
			res.Counts.Missing += len(names)
		case err != nil:
			oc.Error = err.Error()
			oc.Missing = names
			res.Counts.Missing += len(names)
			res.Counts.Unreadable++
		default:
			oc.Path, oc.Version = sec.Path, sec.Version
			_, missing := sec.Values.Pick(names)
			for _, n := range names {
				if !slices.Contains(missing, n) {
					oc.Present = append(oc.Present, n)
				}
			}
			oc.Missing = append(oc.Missing, missing...)
			res.Counts.Missing += len(missing)
			for k := range sec.Values {
				if !slices.Contains(names, k) {
					oc.Undeclared = append(oc.Undeclared, k)
				}
			}
			sort.Strings(oc.Undeclared)
		}
		res.Owners = append(res.Owners, oc)
	}
	res.OK = res.Counts.Missing == 0 && res.Counts.Unreadable == 0 && len(res.Errors) == 0
	return res
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
		for _, n := range o.Undeclared {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\tin Vault, not declared\n", o.Owner, o.Path, version, n)
		}
		if o.Error != "" {
			fmt.Fprintf(tw, "%s\t%s\t%s\t\t%s\n", o.Owner, o.Path, version, strings.ReplaceAll(o.Error, "\t", " "))
		}
	}
	_ = tw.Flush()
	if len(res.Owners) == 0 {
		fmt.Fprintln(w, "no module or action declares secrets")
	}
	fmt.Fprintf(w, "%d declared, %d missing, %d unreadable\n", res.Counts.Declared, res.Counts.Missing, res.Counts.Unreadable)
}

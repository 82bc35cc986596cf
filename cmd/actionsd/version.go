package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/internal/buildinfo"
)

// newVersionCmd is `actionsd version`: what the binary was built from (internal/buildinfo).
// `actionsd --version` prints the same text.
func newVersionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build date, and the Go, goja and esbuild versions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := buildinfo.Read()
			if !asJSON {
				_, err := fmt.Fprint(cmd.OutOrStdout(), info.String())
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(info)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object instead of text")
	return cmd
}

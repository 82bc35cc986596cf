package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/schema"
)

func newSchemaCmd() *cobra.Command {
	var (
		dir   string
		write bool
	)
	cmd := &cobra.Command{
		Use:   "schema [action|module|triggers|types]",
		Short: "Print or write the JSON Schemas of the YAML files and the TypeScript declarations of event and api",
		Long: `schema prints one of the editor support files actionsd ships:

  action    JSON Schema of actions/<name>/action.yaml
  module    JSON Schema of modules/<name>/module.yaml
  triggers  JSON Schema of triggers.yaml
  types     TypeScript declarations of each trigger's event and api, module secrets and the
            globals of actionsd test

With --write it writes all four into .actionsd/ of the repository (-C), where the files
actionsd init generates point: YAML files through a "# yaml-language-server: $schema=" line,
JavaScript through jsconfig.json.`,
		Example: `  actionsd schema action > action.schema.json
  actionsd schema --write          # refresh .actionsd/ after upgrading actionsd`,
		Args:      cobra.MaximumNArgs(1),
		ValidArgs: schema.Names(),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case write && len(args) == 0:
				paths, err := schema.Write(filepath.Join(dir, schema.Dir))
				if err != nil {
					return err
				}
				for _, p := range paths {
					fmt.Fprintln(cmd.OutOrStdout(), "wrote", p)
				}
				return nil
			case len(args) == 0 || write:
				return usageError(cmd, "name one of %v, or --write alone", schema.Names())
			}
			data, err := schema.Read(args[0])
			if err != nil {
				return usageError(cmd, "%v", err)
			}
			_, err = cmd.OutOrStdout().Write(data)
			return err
		},
	}
	cmd.Flags().StringVarP(&dir, "dir", "C", ".", "the repository to write .actionsd/ into (with --write)")
	cmd.Flags().BoolVar(&write, "write", false, "write every file into .actionsd/ of the repository")
	return usage(cmd)
}

package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/npmvendor"
	"github.com/actionsd/actionsd/review"
)

func newVendorCmd() *cobra.Command {
	var f npmFlags
	cmd := &cobra.Command{
		Use:   "vendor",
		Short: "Copy the locked npm tarballs into vendor/npm/ for daemons without registry access",
		Long: `vendor copies every tarball that actionsd.lock names into vendor/npm/ of the repository (at the
tarball's registry-relative path), verified against its integrity, and removes the ones the lock no
longer names. A daemon installs from vendor/npm/ before asking any registry. The lock must agree with
the manifests (run actionsd lock first). Progress goes to standard error: a bar on a terminal, else
a line as each phase starts and ends.`,
		Example: `  actionsd lock && actionsd vendor
  actionsd vendor -C ../actions-repo`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			owners, err := review.Manifests(f.dir)
			if err != nil {
				return err
			}
			lock, err := npmvendor.ReadLock(f.dir, false)
			if err != nil {
				return err
			}
			if err := npmvendor.CheckManifests(lock, owners); err != nil {
				return err
			}
			opts := npmvendor.VendorOptions{Progress: progressTo(cmd.ErrOrStderr())}
			if len(lock.Packages) > 0 {
				// A registry is needed only for tarballs not vendored yet; say so only then.
				if regs, err := f.registries(); err == nil {
					opts.Registries = regs
				}
			}
			n, err := npmvendor.Vendor(cmd.Context(), lock, f.dir, opts)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d tarballs\n", npmvendor.VendorDir, n)
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

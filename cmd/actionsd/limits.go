package main

import (
	"github.com/spf13/pflag"

	"github.com/actionsd/actionsd/internal/config"
)

// limitFlags are the --max-* flags of the repository limits. serve and every command that reads
// a repository (validate, invoke, test, publish, versions) take them, so that validate reports
// what the daemon would with the same settings.
type limitFlags struct {
	l config.RepoLimits
}

func (f *limitFlags) add(fl *pflag.FlagSet) {
	f.l = config.DefaultRepoLimits()
	fl.Var(&f.l.MaxFileSize, "max-file-size", "largest file in an action or module folder (512KiB, 5MiB, …; -1: no limit)")
	fl.Var(&f.l.MaxFolderSize, "max-folder-size", "largest total of an action's or module's files (-1: no limit)")
	fl.Var(&f.l.MaxSourceSize, "max-source-size", "largest total of every action and module version read from a commit (-1: no limit)")
	fl.IntVar(&f.l.MaxFiles, "max-files", f.l.MaxFiles, "most files in one action or module folder (-1: no limit)")
	fl.IntVar(&f.l.MaxDepth, "max-depth", f.l.MaxDepth, "most folders nested in an action or module folder (-1: no limit)")
	fl.IntVar(&f.l.MaxActions, "max-actions", f.l.MaxActions, "most folders under actions/ (-1: no limit)")
	fl.IntVar(&f.l.MaxModules, "max-modules", f.l.MaxModules, "most folders under modules/ (-1: no limit)")
	fl.Var(&f.l.MaxManifestSize, "max-manifest-size", "largest triggers.yaml, action.yaml, module.yaml or .npmrc (-1: no limit)")
	fl.Var(&f.l.MaxLockSize, "max-lock-size", "largest actionsd.lock (-1: no limit)")
}

// apply sets in l the flags that were given.
func (f *limitFlags) apply(fl *pflag.FlagSet, l *config.RepoLimits) {
	set := func(name string, apply func()) {
		if fl.Changed(name) {
			apply()
		}
	}
	set("max-file-size", func() { l.MaxFileSize = f.l.MaxFileSize })
	set("max-folder-size", func() { l.MaxFolderSize = f.l.MaxFolderSize })
	set("max-source-size", func() { l.MaxSourceSize = f.l.MaxSourceSize })
	set("max-files", func() { l.MaxFiles = f.l.MaxFiles })
	set("max-depth", func() { l.MaxDepth = f.l.MaxDepth })
	set("max-actions", func() { l.MaxActions = f.l.MaxActions })
	set("max-modules", func() { l.MaxModules = f.l.MaxModules })
	set("max-manifest-size", func() { l.MaxManifestSize = f.l.MaxManifestSize })
	set("max-lock-size", func() { l.MaxLockSize = f.l.MaxLockSize })
}

package vaultsecrets

import (
	"context"
	"errors"
	"slices"
	"sort"
)

// Check is the result of checking the secret names a repository declares against a Source, as
// `actionsd secrets check` reports it: names, paths and versions, never a value.
type Check struct {
	OK     bool         `json:"ok"`
	Owners []OwnerCheck `json:"owners"`
	Errors []string     `json:"errors,omitempty"` // manifest problems
	Counts CheckCounts  `json:"counts"`
}

// OwnerCheck is one owner's declared names against what the Source holds for it.
type OwnerCheck struct {
	Owner      string   `json:"owner"` // "modules/logger"
	Path       string   `json:"path,omitempty"`
	Version    int      `json:"version,omitempty"`
	Present    []string `json:"present"`
	Missing    []string `json:"missing"`
	Undeclared []string `json:"undeclared,omitempty"` // keys Vault holds that the manifest does not declare
	Error      string   `json:"error,omitempty"`
}

// CheckCounts are a Check's totals.
type CheckCounts struct {
	Declared   int `json:"declared"`
	Missing    int `json:"missing"`
	Unreadable int `json:"unreadable"`
}

// CheckNames reads each declaring owner's secret from src and compares its keys with the names
// declared, owners in order of Owner.String. problems are the manifests' problems, carried into
// Errors. The check is OK when no name is missing, every path was read and there is no problem.
func CheckNames(ctx context.Context, src Source, declared map[Owner][]string, problems []string) Check {
	res := Check{Errors: problems, Owners: []OwnerCheck{}}
	owners := make([]Owner, 0, len(declared))
	for o := range declared {
		owners = append(owners, o)
	}
	sort.Slice(owners, func(i, j int) bool { return owners[i].String() < owners[j].String() })
	for _, o := range owners {
		names := slices.Sorted(slices.Values(declared[o]))
		oc := OwnerCheck{Owner: o.String(), Present: []string{}, Missing: []string{}}
		res.Counts.Declared += len(names)
		sec, err := src.Read(ctx, o)
		var nf *NotFoundError
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

// NameChecker says which secret names a Source holds for an owner, reading names only: it is
// what `actionsd validate --check-vault` asks about the names a change adds.
type NameChecker struct {
	Source Source
}

// Exists reports, for each of names, whether the secret of owner kind/name holds it. A secret
// that does not exist holds none; any other read failure is an error.
func (c NameChecker) Exists(ctx context.Context, kind, name string, names []string) (map[string]bool, error) {
	sec, err := c.Source.Read(ctx, Owner{Kind: kind, Name: name})
	var nf *NotFoundError
	out := make(map[string]bool, len(names))
	switch {
	case errors.As(err, &nf):
		for _, n := range names {
			out[n] = false
		}
		return out, nil
	case err != nil:
		return nil, err
	}
	for _, n := range names {
		_, ok := sec.Values[n]
		out[n] = ok
	}
	return out, nil
}

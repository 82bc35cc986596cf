package vaultsecrets

import (
	"context"
	"errors"
	"net"
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
	// Unknown are the names that could not be checked: the path could not be read (Error says
	// why). They are neither present nor missing.
	Unknown []string `json:"unknown,omitempty"`
	// Unreachable is set when the path could not be read because Vault did not answer.
	Unreachable bool   `json:"unreachable,omitempty"`
	Reason      string `json:"reason,omitempty"` // when Unreachable: the network error, in short
	Error       string `json:"error,omitempty"`
}

// CheckCounts are a Check's totals.
type CheckCounts struct {
	Declared   int `json:"declared"`
	Missing    int `json:"missing"`
	Unreadable int `json:"unreadable"`
	Unknown    int `json:"unknown,omitempty"` // names of unreadable paths: not known present or missing
	// Unreachable counts the paths not read because Vault did not answer (of Unreadable).
	Unreachable int `json:"unreachable,omitempty"`
}

// CheckNames reads each declaring owner's secret from src and compares its keys with the names
// declared, owners in order of Owner.String. problems are the manifests' problems, carried into
// Errors. The check is OK when no name is missing, every path was read and there is no problem.
// The names of a path that cannot be read are Unknown, not Missing; once Vault does not answer
// (a network error), the owners after are not asked again and are unknown for the same reason.
func CheckNames(ctx context.Context, src Source, declared map[Owner][]string, problems []string) Check {
	res := Check{Errors: problems, Owners: []OwnerCheck{}}
	owners := make([]Owner, 0, len(declared))
	for o := range declared {
		owners = append(owners, o)
	}
	sort.Slice(owners, func(i, j int) bool { return owners[i].String() < owners[j].String() })
	var down error // Vault's network error, once it did not answer
	for _, o := range owners {
		names := slices.Sorted(slices.Values(declared[o]))
		oc := OwnerCheck{Owner: o.String(), Present: []string{}, Missing: []string{}}
		res.Counts.Declared += len(names)
		var (
			sec *Secret
			err error
		)
		if down != nil {
			err = down
		} else {
			sec, err = src.Read(ctx, o)
		}
		var nf *NotFoundError
		switch {
		case errors.As(err, &nf):
			oc.Path = nf.Path
			oc.Error = err.Error()
			oc.Missing = names
			res.Counts.Missing += len(names)
		case err != nil:
			oc.Error = err.Error()
			oc.Unknown = names
			res.Counts.Unknown += len(names)
			res.Counts.Unreadable++
			if reason := unreachable(err); reason != "" {
				down = err
				oc.Unreachable, oc.Reason = true, reason
				res.Counts.Unreachable++
			}
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

// unreachable returns, when err is a failure to reach Vault (connect, DNS, timeout) rather than an
// answer from it, that failure in short ("dial tcp 10.0.0.1:8200: connect: connection refused");
// else "".
func unreachable(err error) string {
	var op *net.OpError
	var dns *net.DNSError
	switch {
	case errors.As(err, &op):
		return op.Error()
	case errors.As(err, &dns):
		return dns.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer in time"
	}
	return ""
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

package sync

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// namesReader reads an owner's secrets checking the names it declares, serving last good values
// (Secret.Degraded set) when a fresh read fails. Implemented by *vaultsecrets.Cache.
type namesReader interface {
	ReadNames(ctx context.Context, owner vaultsecrets.Owner, names []string) (*vaultsecrets.Secret, error)
}

// retainer forgets what it keeps of owners no longer used. Implemented by *vaultsecrets.Cache.
type retainer interface {
	Retain(owners []vaultsecrets.Owner)
}

// healthReporter reports each owner's secret state. Implemented by *vaultsecrets.Cache.
type healthReporter interface {
	Health() []vaultsecrets.OwnerHealth
}

// readSecrets reads, once per owner, the secrets of every action and of every pinned module version
// that declares any, and checks that each declared name has a value. At the commit the last
// attempt read, owners the SecretWatcher did not report changed keep what that attempt read (a
// forced sync re-reads them all). A secret served degraded (last good values while Vault fails)
// is not a problem; its status says why.
func (r *Reconciler) readSecrets(ctx context.Context, a *attempt) error {
	type need struct {
		owner vaultsecrets.Owner
		names map[string]diag.Pos // declared name -> the manifest that declares it
	}
	needs := map[vaultsecrets.Owner]*need{}
	add := func(o vaultsecrets.Owner, pos diag.Pos, names []string) {
		if len(names) == 0 {
			return
		}
		n := needs[o]
		if n == nil {
			n = &need{owner: o, names: map[string]diag.Pos{}}
			needs[o] = n
		}
		for _, name := range names {
			if _, ok := n.names[name]; !ok {
				n.names[name] = pos
			}
		}
	}
	for _, act := range a.snap.Actions {
		add(vaultsecrets.Owner{Kind: vaultsecrets.KindAction, Name: act.Name}, diag.Pos{File: act.Dir + "/action.yaml"}, act.Secrets)
		for name, pin := range act.Modules {
			v := a.snap.Modules[name].Versions[pin.Version]
			add(vaultsecrets.Owner{Kind: vaultsecrets.KindModule, Name: name}, diag.Pos{Ref: v.Tag, File: v.Module.Dir + "/module.yaml"}, v.Module.Secrets)
		}
	}

	owners := make([]vaultsecrets.Owner, 0, len(needs))
	for o := range needs {
		owners = append(owners, o)
	}
	sort.Slice(owners, func(i, j int) bool { return owners[i].String() < owners[j].String() })
	a.owners = owners

	// What may be reused, and which owners must be read again.
	r.mu.Lock()
	var prev map[vaultsecrets.Owner]*vaultsecrets.Secret
	if !a.forced && r.readCommit == a.snap.Commit {
		prev = r.read
	}
	dirty := r.dirty
	r.dirty = map[vaultsecrets.Owner]bool{}
	r.mu.Unlock()
	recorded := false
	defer func() { // a read that panicked: the rotations it took stay pending
		if !recorded {
			r.mu.Lock()
			for o := range dirty {
				r.dirty[o] = true
			}
			r.mu.Unlock()
		}
	}()

	a.secrets = make(map[vaultsecrets.Owner]*vaultsecrets.Secret, len(owners))
	var errs diag.List
	reused := 0
	for _, o := range owners {
		n := needs[o]
		names := slices.Sorted(maps.Keys(n.names))
		st := SecretStatus{Owner: o.String(), Names: names}
		sec := prev[o]
		if sec != nil && !dirty[o] {
			if _, missing := sec.Values.Pick(names); len(missing) == 0 {
				reused++
			} else {
				sec = nil
			}
		} else {
			sec = nil
		}
		if sec == nil {
			var err error
			sec, err = r.readOwner(ctx, o, names)
			if err != nil {
				st.Error = err.Error()
				a.statuses = append(a.statuses, st)
				errs = append(errs, diag.At(o.String(), n.names[names[0]], "secrets", "reading secrets: %v", err))
				continue
			}
		}
		st.Path, st.Version, st.ReadAt, st.Error = sec.Path, sec.Version, sec.ReadAt, sec.Degraded
		if _, missing := sec.Values.Pick(names); len(missing) > 0 {
			st.Error = fmt.Sprintf("missing keys %s at %s version %d", strings.Join(missing, ", "), sec.Path, sec.Version)
			for _, m := range missing {
				errs = append(errs, diag.At(o.String(), n.names[m], "secrets", "secret %s has no value at %s", m, sec.Path))
			}
		} else {
			a.secrets[o] = sec
		}
		a.statuses = append(a.statuses, st)
	}
	r.mu.Lock()
	r.read, r.readCommit = a.secrets, a.snap.Commit
	recorded = true
	r.mu.Unlock()
	if len(dirty) > 0 || reused > 0 {
		changed := make([]string, 0, len(dirty))
		for o := range dirty {
			changed = append(changed, o.String())
		}
		sort.Strings(changed)
		r.log.Debug("secrets read", zap.Strings("changed", changed), zap.Int("reused", reused), zap.Int("owners", len(owners)))
	}
	if len(errs) > 0 {
		return transient(ReasonSecretsUnavailable)(problems(errs))
	}
	return nil
}

// readOwner reads o's secrets: through the Cache's ReadNames when the source has it, else Read.
func (r *Reconciler) readOwner(ctx context.Context, o vaultsecrets.Owner, names []string) (*vaultsecrets.Secret, error) {
	if nr, ok := r.cfg.Secrets.(namesReader); ok {
		return nr.ReadNames(ctx, o, names)
	}
	return r.cfg.Secrets.Read(ctx, o)
}

// watchOwners tells the SecretWatcher and the Cache which owners matter after an attempt: those
// the serving generation uses and those the attempt needed.
func (r *Reconciler) watchOwners(a *attempt) {
	r.mu.Lock()
	if a.owners != nil { // the secrets step ran
		r.attempted = a.owners
		if a.step == "" { // and the attempt serves (or already served, unchanged)
			r.serving = a.owners
		}
	}
	set := map[vaultsecrets.Owner]bool{}
	for _, o := range r.serving {
		set[o] = true
	}
	for _, o := range r.attempted {
		set[o] = true
	}
	r.mu.Unlock()
	owners := make([]vaultsecrets.Owner, 0, len(set))
	for o := range set {
		owners = append(owners, o)
	}
	sort.Slice(owners, func(i, j int) bool { return owners[i].String() < owners[j].String() })
	if r.cfg.SecretWatcher != nil {
		r.cfg.SecretWatcher.SetOwners(owners)
	}
	if c, ok := r.cfg.Secrets.(retainer); ok {
		c.Retain(owners)
	}
}

// statusLocked returns a copy of the status with the secrets backend's health as it is now: the
// login and each owner's path, version and error (never a value), and Degraded when an owner is
// served its last good values or the login fails. r.mu is held.
func (r *Reconciler) statusLocked() Status {
	st := r.status
	st.Conditions = append([]Condition(nil), st.Conditions...)
	r.rolloutStatus(&st)
	hr, hasHealth := r.cfg.Secrets.(healthReporter)
	if !hasHealth && r.cfg.Login == nil {
		return st
	}
	vs := &VaultStatus{Secrets: []vaultsecrets.OwnerHealth{}}
	var reasons []string
	if r.cfg.Login != nil {
		h := r.cfg.Login.Health()
		vs.Login = &h
		if h.Error != "" {
			reasons = append(reasons, "vault login: "+h.Error)
		}
	}
	if hasHealth {
		vs.Secrets = hr.Health()
		for _, h := range vs.Secrets {
			if h.State != vaultsecrets.StateOK {
				reasons = append(reasons, fmt.Sprintf("%s %s: %s", h.Owner, h.State, h.Error))
			}
		}
	}
	st.Vault = vs
	now := time.Now()
	if len(reasons) == 0 {
		r.secretsDegradedSince = time.Time{}
		return st
	}
	if r.secretsDegradedSince.IsZero() {
		r.secretsDegradedSince = now
	}
	if st.Condition(ConditionDegraded).Status != "True" {
		msg := reasons[0]
		if len(reasons) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(reasons)-1)
		}
		for i := range st.Conditions {
			if st.Conditions[i].Type == ConditionDegraded {
				st.Conditions[i] = Condition{Type: ConditionDegraded, Status: "True", Reason: "SecretsDegraded",
					Message: "serving the last good secret values: " + msg, Since: r.secretsDegradedSince}
			}
		}
	}
	return st
}

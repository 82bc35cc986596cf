package bridges

import (
	"slices"
	"strings"
)

// HookCommands is what one provider hook can express: the commands its answer carries. An
// execution behind the hook that makes another command fails, naming it.
type HookCommands struct {
	Bridge  string
	Hook    string
	Trigger string
	// Commands are the ops ("idToken.setCustomClaim") the hook expresses; api.cache.* is the
	// daemon's own and always allowed.
	Commands []string
}

// Expresses reports whether the hook can express op.
func (h HookCommands) Expresses(op string) bool {
	return strings.HasPrefix(op, "cache.") || slices.Contains(h.Commands, op)
}

// Expressible lists every bridge hook that cannot express every command, bridge by bridge,
// each one's hooks sorted, for validate to warn of an action that makes a command the hook behind its trigger cannot
// express. The Auth0 bridge is not in it: it applies every command to Auth0's own api.
func Expressible() []HookCommands {
	var out []HookCommands
	hooks := supabaseHooks()
	for _, name := range slicesSorted(supabaseExpressible) {
		out = append(out, HookCommands{Bridge: "supabase", Hook: name, Trigger: hooks[name].Trigger,
			Commands: slices.Clone(supabaseExpressible[name])})
	}
	hooks = kratosHooks()
	for _, name := range slicesSorted(kratosExpressible) {
		if name == "login" {
			// Kratos' login hook is a gate that can only deny: listing it would name the
			// claims of every post-login action, though few repositories stand behind Kratos.
			// Behind it, the execution still fails naming the command (docs/bridges.md).
			continue
		}
		out = append(out, HookCommands{Bridge: "kratos", Hook: name, Trigger: hooks[name].Trigger,
			Commands: slices.Clone(kratosExpressible[name])})
	}
	hooks = zitadelHooks()
	for _, name := range slicesSorted(hooks) {
		out = append(out, HookCommands{Bridge: "zitadel", Hook: name, Trigger: hooks[name].Trigger,
			Commands: slices.Clone(zitadelExpressible)})
	}
	return out
}

func slicesSorted[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/demo"
	"github.com/actionsd/actionsd/localrun"
	"github.com/actionsd/actionsd/npmvendor"
	"github.com/actionsd/actionsd/review"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/runner/egress"
	"github.com/actionsd/actionsd/trigger"
)

// localSecretsWarning is printed whenever a command reads a secrets file.
const localSecretsWarning = "actionsd: warning: --secrets-file keeps secret values on disk; it is for local trials only, not production"

func newInvokeCmd() *cobra.Command {
	var (
		repo                 repoFlags
		trig, event, secrets string
		draft                bool
		egress               []string
	)
	cmd := &cobra.Command{
		Use:   "invoke [<action> | --trigger T] [--event FILE]",
		Short: "Run an action, or every action bound to a trigger, from the working tree",
		Long: `invoke runs code from the working tree (uncommitted edits included) with the real runner and
prints the result document, as POST /v1/actions/{name}/test and /v1/triggers/{trigger}/execute
return it.

Modules resolve to the versions the actions pin (recorded in actionsd.lock or tagged); --draft
runs the module drafts in modules/ instead. Secret values come from --secrets-file (a YAML file:
modules: {logger: {API_KEY: ...}}, actions: {...}), by default secrets.local.yaml at the root of
the repository when there is one; without any, declared secrets are empty. A value that uses
${ACTIONSD_SINK} (as "${ACTIONSD_SINK}/logs") gets the URL of a log sink that invoke starts on
loopback and that prints what it receives.

Without --event, the trigger's sample event is used. fetch reaches only public addresses unless
--egress-allow names more.

Exit status: 0 when every action ran to the end (denied or redirected included), 1 when one
failed, 2 on usage errors.`,
		Example: `  actionsd invoke log-login --event examples/events/post-login.json
  actionsd invoke --trigger post-login --draft --secrets-file secrets.local.yaml
  echo '{"user":{"user_id":"u1"}}' | actionsd invoke enrich-claims --event -`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeObjects(&repo, "actions"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (len(args) == 1) == (trig != "") {
				return usageError(cmd, "name one action or --trigger, not both or neither")
			}
			if trig != "" {
				if _, ok := trigger.Lookup(trig); !ok {
					return usageError(cmd, "unknown trigger %q", trig)
				}
			}
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			return runInvoke(cmd.Context(), cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), repo, invokeOptions{
				action: name, trigger: trig, event: event, draft: draft, secretsFile: secrets, egress: egress})
		},
	}
	repo.add(cmd)
	cmd.Flags().StringVarP(&trig, "trigger", "t", "", "run every action bound to this trigger, in order")
	cmd.Flags().StringVarP(&event, "event", "e", "", "the event: a JSON file, or - for standard input (default: the trigger's sample event)")
	cmd.Flags().BoolVar(&draft, "draft", false, "run module drafts instead of the pinned versions")
	cmd.Flags().StringVar(&secrets, "secrets-file", "", "read secret values from this YAML file (local trials only; default secrets.local.yaml when the repository has one)")
	cmd.Flags().StringSliceVar(&egress, "egress-allow", nil, "addresses fetch may reach besides public ones (host, IP or CIDR; repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("trigger", formatCompletion(trigger.Names()...))
	_ = cmd.MarkFlagFilename("event", "json")
	_ = cmd.MarkFlagFilename("secrets-file", "yaml", "yml")
	return usage(cmd)
}

type invokeOptions struct {
	action, trigger, event, secretsFile string
	draft                               bool
	egress                              []string
}

// defaultSecretsFile is the local secrets file invoke reads when --secrets-file is not given and
// the repository has one (actionsd init writes it, git-ignored).
const defaultSecretsFile = "secrets.local.yaml"

// localWorkspace reads the working tree of the repository for invoke and test. A secrets file
// whose values use ${ACTIONSD_SINK} gets a log sink on loopback (printing to errw), which egress
// may reach; close stops it.
func localWorkspace(errw io.Writer, flags repoFlags, draft bool, secretsFile string) (w *localrun.Workspace, allow []string, close func(), err error) {
	close = func() {}
	r, err := flags.open()
	if err != nil {
		return nil, nil, close, err
	}
	st, err := r.Read(review.WorkingTree)
	if err != nil {
		return nil, nil, close, err
	}
	w = &localrun.Workspace{State: st, Draft: draft, Dependencies: npmvendor.NewWorkTreeInstaller(flags.dir)}
	if secretsFile != "" {
		fmt.Fprintln(errw, localSecretsWarning)
		src, sink, err := demo.LocalSecrets(secretsFile, errw, zap.NewNop())
		if err != nil {
			return nil, nil, close, err
		}
		w.Secrets = src
		if sink != nil {
			fmt.Fprintf(errw, "actionsd: log sink for ${%s}: %s\n", demo.SinkVariable, sink.URL)
			allow, close = []string{sink.Addr()}, sink.Close
		}
	}
	return w, allow, close, nil
}

func runInvoke(ctx context.Context, in io.Reader, out, errw io.Writer, flags repoFlags, opts invokeOptions) error {
	if opts.secretsFile == "" {
		if p := filepath.Join(flags.dir, defaultSecretsFile); fileIsThere(p) {
			opts.secretsFile = p
		}
	}
	w, allow, closeSink, err := localWorkspace(errw, flags, opts.draft, opts.secretsFile)
	if err != nil {
		return err
	}
	defer closeSink()
	spec, trig, err := w.InvokeSpec(ctx, opts.action, opts.trigger)
	if err != nil {
		return err
	}
	for _, m := range w.Missing {
		fmt.Fprintf(errw, "actionsd: warning: secret %s has no value in %s\n", m, opts.secretsFile)
	}
	var event []byte
	switch opts.event {
	case "":
		event, _ = localrun.Event(trig)
	case "-":
		event, err = io.ReadAll(io.LimitReader(in, 16<<20))
	default:
		event, err = os.ReadFile(opts.event)
	}
	if err != nil {
		return fmt.Errorf("event: %w", err)
	}
	if !json.Valid(event) {
		return fmt.Errorf("event %s: not valid JSON", opts.event)
	}
	policy, err := egress.ParseAllow(append(opts.egress, allow...))
	if err != nil {
		return fmt.Errorf("--egress-allow: %w", err)
	}
	res, err := localrun.Invoke(ctx, spec, localrun.InvokeOptions{Action: opts.action, Trigger: trig, Event: event, Egress: policy})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res); err != nil {
		return err
	}
	if res.Outcome == runner.OutcomeFailed {
		for _, a := range res.Actions {
			if a.Error != nil {
				return fmt.Errorf("invoke: action %s failed: %s", a.Name, a.Error)
			}
		}
		return fmt.Errorf("invoke: failed")
	}
	return nil
}

// fileIsThere reports whether path names a regular file.
func fileIsThere(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

package daemon

// Benchmarks of issue 6. Run them once each (they time fixed scenarios and report their own
// figures, each with a baseline measured in the same run):
//
//	go test ./internal/daemon -run '^$' -bench 'PushToLive|CommitToLive|Scale' -benchtime 1x

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/internal/config"
)

type durations []time.Duration

func (d durations) p50() time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func (d durations) max() time.Duration { return slices.Max(d) }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkPushToLiveWebhook: from `git push` returning to the first execution showing the new
// behaviour, with a GitHub webhook, over smart HTTP with basic auth. Baseline: the git CLI
// fetching the same push from the same server into a clone.
func BenchmarkPushToLiveWebhook(b *testing.B) {
	const secret = "bench"
	repo := newRemoteRepo(b)
	repo.simpleRepo("V0", "M1")
	repo.commit("v0")
	repo.git("tag", "modules/m/v1")
	repo.push()
	srv := newGitHTTP(b, filepath.Dir(repo.bare), "u", "p")
	d, _ := startDaemonWith(b, srv.URL+"/actions.git", func(c *config.Config) {
		c.Git.Username, c.Git.Password, c.Webhooks.Secret = "u", "p", secret
	})
	d.sync("")
	clone := b.TempDir()
	authURL := strings.Replace(srv.URL, "http://", "http://u:p@", 1) + "/actions.git"
	if out, err := exec.Command("git", "clone", "-q", "--mirror", authURL, clone).CombinedOutput(); err != nil {
		b.Fatalf("git clone: %v\n%s", err, out)
	}
	var live, baseline durations
	for i := 1; i <= 20; i++ {
		v := fmt.Sprintf("V%d", i)
		repo.setAction(v)
		repo.commit(v)
		repo.git("push", "-q", "origin", "main")
		start := time.Now()
		d.hook("github", secret, "refs/heads/main")
		for {
			if a, _, _ := d.claims(); a == v {
				break
			}
			if time.Since(start) > 10*time.Second {
				b.Fatalf("push %d not live after 10 s", i)
			}
		}
		live = append(live, time.Since(start))
		start = time.Now()
		if out, err := exec.Command("git", "-C", clone, "fetch", "-q", "origin").CombinedOutput(); err != nil {
			b.Fatalf("git fetch: %v\n%s", err, out)
		}
		baseline = append(baseline, time.Since(start))
	}
	b.ReportMetric(ms(live.p50()), "p50-ms")
	b.ReportMetric(ms(live.max()), "max-ms")
	b.ReportMetric(ms(baseline.p50()), "git-fetch-p50-ms")
	b.ReportMetric(float64(live.p50())/float64(baseline.p50()), "p50/git-fetch")
}

// BenchmarkCommitToLiveFsnotify: from `git commit` returning in a watched local repository to the
// first execution showing it. Baseline: a second daemon on the same repository, not watching,
// told with POST /v1/sync right after the commit.
func BenchmarkCommitToLiveFsnotify(b *testing.B) {
	repo := newGitRepo(b)
	repo.simpleRepo("V0", "M1")
	repo.commit("v0")
	repo.git("tag", "modules/m/v1")
	watched, _ := startDaemonWith(b, repo.dir, func(c *config.Config) { c.Watch = nil })
	direct, _ := startDaemonWith(b, repo.dir, nil)
	watched.sync("")
	direct.sync("")
	var live, baseline durations
	for i := 1; i <= 20; i++ {
		v := fmt.Sprintf("V%d", i)
		repo.setAction(v)
		repo.commit(v)
		start := time.Now()
		for {
			if a, _, _ := watched.claims(); a == v {
				break
			}
			if time.Since(start) > 10*time.Second {
				b.Fatalf("commit %d not live after 10 s", i)
			}
		}
		live = append(live, time.Since(start))
		start = time.Now()
		direct.sync("")
		if a, _, _ := direct.claims(); a != v {
			b.Fatalf("direct daemon: got %s, want %s", a, v)
		}
		baseline = append(baseline, time.Since(start))
	}
	b.ReportMetric(ms(live.p50()), "p50-ms")
	b.ReportMetric(ms(live.max()), "max-ms")
	b.ReportMetric(ms(baseline.p50()), "explicit-sync-p50-ms")
	b.ReportMetric(float64(live.p50())/float64(baseline.p50()), "p50/explicit-sync")
}

// BenchmarkScale: 500 modules × 10 published versions (5,000 tags, all recorded in actionsd.lock)
// and 500 actions. Reports the first sync, a no-op sync, a one-action change, and the heap the
// serving generation holds. Baseline: `git for-each-ref` listing the 5,000 tags.
func BenchmarkScale(b *testing.B) {
	const modules, versions, actions = 500, 10, 500
	repo := newGitRepo(b)
	fastImport := func(stream string) {
		cmd := exec.Command("git", "fast-import", "--quiet")
		cmd.Dir = repo.dir
		cmd.Stdin = strings.NewReader(stream)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git fast-import: %v\n%s", err, out)
		}
	}
	inline := func(buf *bytes.Buffer, path, content string) {
		fmt.Fprintf(buf, "M 100644 inline %s\ndata %d\n%s\n", path, len(content), content)
	}
	commitHeader := func(buf *bytes.Buffer, msg string, from bool) {
		fmt.Fprintf(buf, "commit refs/heads/main\ncommitter Bench <b@example.invalid> 1700000000 +0000\ndata %d\n%s\n", len(msg), msg)
		if from {
			buf.WriteString("from refs/heads/main^0\n")
		}
	}
	var buf bytes.Buffer
	for v := 1; v <= versions; v++ {
		commitHeader(&buf, fmt.Sprintf("modules v%d", v), false) // one stream: each commit follows the last
		for m := range modules {
			if v == 1 {
				inline(&buf, fmt.Sprintf("modules/m%d/module.yaml", m), "description: bench\n")
			}
			inline(&buf, fmt.Sprintf("modules/m%d/index.js", m), fmt.Sprintf("module.exports = { v: %d, m: %d };\n", v, m))
		}
		buf.WriteString("\n")
	}
	fastImport(buf.String())
	buf.Reset()
	// Tag every module version at the commit of its version.
	var tags bytes.Buffer
	for v := 1; v <= versions; v++ {
		head := repo.git("rev-parse", fmt.Sprintf("main~%d", versions-v))
		for m := range modules {
			fmt.Fprintf(&tags, "create refs/tags/modules/m%d/v%d %s\n", m, v, head)
		}
	}
	cmd := exec.Command("git", "update-ref", "--stdin")
	cmd.Dir = repo.dir
	cmd.Stdin = &tags
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("git update-ref: %v\n%s", err, out)
	}
	repo.git("pack-refs", "--all") // as git gc leaves a repository with many tags
	// Record every version in actionsd.lock, from the module trees of each version's commit.
	var lock strings.Builder
	lock.WriteString("{\n  \"lockfileVersion\": 1,\n  \"modules\": {\n")
	trees := map[string][]string{}
	for v := 1; v <= versions; v++ {
		out := repo.git("ls-tree", fmt.Sprintf("main~%d", versions-v), "modules/")
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line) // mode type hash path
			trees[strings.TrimPrefix(f[3], "modules/")] = append(trees[strings.TrimPrefix(f[3], "modules/")], f[2])
		}
	}
	for m := range modules {
		name := fmt.Sprintf("m%d", m)
		fmt.Fprintf(&lock, "    %q: {", name)
		for v, tree := range trees[name] {
			if v > 0 {
				lock.WriteString(", ")
			}
			fmt.Fprintf(&lock, "%q: {\"tree\": %q}", fmt.Sprint(v+1), tree)
		}
		lock.WriteString("}")
		if m < modules-1 {
			lock.WriteString(",")
		}
		lock.WriteString("\n")
	}
	lock.WriteString("  }\n}\n")
	action := func(i, variant int) string {
		return fmt.Sprintf("const m = require('actions:m%d');\nexports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim('action', 'a%d-%d');\n  api.idToken.setCustomClaim('module', String(m.v));\n};\n", i, i, variant)
	}
	commitHeader(&buf, "actions", true)
	inline(&buf, "actionsd.lock", lock.String())
	inline(&buf, "triggers.yaml", "post-login: [a0]\n")
	for i := range actions {
		inline(&buf, fmt.Sprintf("actions/a%d/action.yaml", i), fmt.Sprintf("trigger: post-login\nmodules:\n  m%d: %d\n", i, 1+i%versions))
		inline(&buf, fmt.Sprintf("actions/a%d/index.js", i), action(i, 0))
	}
	buf.WriteString("\n")
	fastImport(buf.String())

	start := time.Now()
	if out, err := exec.Command("git", "-C", repo.dir, "for-each-ref", "refs/tags").Output(); err != nil || bytes.Count(out, []byte("\n")) != modules*versions {
		b.Fatalf("for-each-ref: %v (%d tags)", err, bytes.Count(out, []byte("\n")))
	}
	listing := time.Since(start)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d, _ := startDaemonWith(b, repo.dir, func(c *config.Config) { c.Log.Level = "error" })
	start = time.Now()
	st := d.sync("")
	first := time.Since(start)
	if st.Applied == nil || len(st.Errors) > 0 || len(st.Warnings) > 0 {
		b.Fatalf("first sync: applied %+v, %d errors (%v), %d warnings", st.Applied, len(st.Errors), firstN(st.Errors), len(st.Warnings))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)

	var noop durations
	for range 5 {
		start := time.Now()
		st := d.sync("")
		noop = append(noop, time.Since(start))
		if st.Applied.Commit != st.Attempted.Commit {
			b.Fatalf("no-op sync changed something: %+v", st.Attempted)
		}
	}
	var change durations
	for k := 1; k <= 5; k++ {
		buf.Reset()
		commitHeader(&buf, fmt.Sprintf("change a%d", k), true)
		inline(&buf, fmt.Sprintf("actions/a%d/index.js", k), action(k, k))
		buf.WriteString("\n")
		fastImport(buf.String())
		start := time.Now()
		st := d.sync("")
		change = append(change, time.Since(start))
		if st.Applied.Commit != st.Attempted.Commit || len(st.Errors) > 0 {
			b.Fatalf("change %d: %+v %v", k, st.Attempted, firstN(st.Errors))
		}
	}
	b.ReportMetric(ms(listing), "git-for-each-ref-ms")
	b.ReportMetric(ms(first), "first-sync-ms")
	b.ReportMetric(ms(noop.p50()), "noop-sync-p50-ms")
	b.ReportMetric(ms(noop.max()), "noop-sync-max-ms")
	b.ReportMetric(float64(noop.p50())/float64(listing), "noop/for-each-ref")
	b.ReportMetric(ms(change.p50()), "one-action-sync-p50-ms")
	b.ReportMetric(ms(change.max()), "one-action-sync-max-ms")
	b.ReportMetric(float64(after.HeapAlloc-min(before.HeapAlloc, after.HeapAlloc))/(1<<20), "generation-heap-MB")
}

func firstN[T any](s []T) []T { return s[:min(len(s), 3)] }

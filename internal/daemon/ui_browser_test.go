package daemon

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/actionsd/actionsd/internal/config"
)

// artifactsDir is where a test keeps what a person may want to look at afterwards (screenshots):
// $ACTIONSD_TEST_ARTIFACTS/<test name> when that is set (CI keeps it), else a temporary folder.
func artifactsDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("ACTIONSD_TEST_ARTIFACTS")
	if root == "" {
		return t.TempDir()
	}
	dir := filepath.Join(root, t.Name())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// chromium returns the path of a Chromium to drive, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium on PATH: the browser test of the web UI needs Debian's chromium package (.ci/run installs it)")
	return ""
}

// TestUIBrowser drives the web UI in headless Chromium against a real daemon on a real git
// repository: it logs in (a wrong token first), checks every section, breaks the deploy
// branch's commit with a syntax error and sees the failed step and file:line appear, fixes it
// and sees Ready return. The page must run under its CSP without a violation or a script error.
// Screenshots go to artifactsDir.
func TestUIBrowser(t *testing.T) {
	browser := chromium(t)
	start := time.Now()
	npmReg := ""
	if os.Getenv("ACTIONSD_NPM_TEST_REGISTRY") != "" {
		npmReg, _ = npmTestRegistry(t)
	}
	repo := newGitRepo(t)
	uiRepo(t, repo, npmReg)
	d := startUIDaemon(t, repo.dir, func(c *config.Config) {
		c.UI = true
		c.NPM.Registry = npmReg
	})
	st := d.sync(uiToken)
	if !st.Ready {
		t.Fatalf("first sync: %v", problemsText(st.Errors))
	}
	good := st.Applied.Commit
	for range 3 {
		d.execute(uiToken, []byte(`{"user":{"user_id":"u1"}}`))
	}
	shots := artifactsDir(t)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.WindowSize(1280, 900),
		chromedp.DisableGPU,
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run as root with its sandbox
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	// The first action starts the browser, under no timeout (a timeout there would bound the
	// browser's life); then every message of the page is collected: errors (CSP violations
	// among them) and uncaught exceptions.
	if err := chromedp.Do(browserCtx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting %s: %v", browser, err)
	}
	ctx, cancel := context.WithTimeout(browserCtx, 3*time.Minute)
	defer cancel()
	var mu gosync.Mutex
	var problems []string
	consoleCtx, stopConsole := context.WithCancel(ctx)
	messages := chromedp.Console(consoleCtx)
	consoleDone := make(chan struct{})
	go func() {
		defer close(consoleDone)
		for m, err := range messages {
			if err != nil {
				return
			}
			// The login with a wrong token is answered 401, which Chromium logs as a failed load.
			if (m.Type == chromedp.ConsoleError || m.IsException()) && !strings.Contains(m.Text, "status of 401") {
				mu.Lock()
				problems = append(problems, m.String())
				mu.Unlock()
			}
		}
	}()

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		p := filepath.Join(shots, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", p)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	wantIn := func(sel string, want ...string) {
		t.Helper()
		got := text(sel)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: want %q in:\n%s", sel, w, got)
			}
		}
	}
	// waitJS waits (up to 30 s: the page polls every 3 s) for a JavaScript condition.
	waitJS := func(what, cond string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
			body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
			t.Fatalf("waiting for %s: %v\npage:\n%s", what, err, body)
		}
	}

	// Log in: a wrong token is refused, the right one shows the page.
	do("opening /ui/", chromedp.Navigate(d.url+"/ui/"), chromedp.WaitVisible(chromedp.CSS("#login")))
	shot("0-login.png")
	do("a wrong token", chromedp.SendKeys(chromedp.CSS("#token"), "not-the-token"), chromedp.Click(chromedp.CSS("#login-submit")))
	waitJS("the wrong token to be refused", `document.getElementById('login-error').textContent.includes('refused') && !document.getElementById('login').hidden`)
	do("the token", chromedp.SendKeys(chromedp.CSS("#token"), uiToken), chromedp.Click(chromedp.CSS("#login-submit")))
	waitJS("the page to load", `document.body.dataset.loaded === 'true'`)
	loggedIn := time.Now()

	// Every section.
	wantIn("#ready", "Ready")
	wantIn("#conditions", "Ready", "True", "Stalled", "False")
	wantIn("#applied", good[:12])
	wantIn("#attempted", good[:12], "applied")
	wantIn("#errors", "none")
	acts := text("#actions")
	for _, w := range []string{"post-login", "greet", "audit", "m@v1", "serving"} {
		if !strings.Contains(acts, w) {
			t.Errorf("#actions: want %q in:\n%s", w, acts)
		}
	}
	if strings.Index(acts, "greet") > strings.Index(acts, "audit") {
		t.Errorf("#actions: greet runs before audit, the page lists:\n%s", acts)
	}
	wantIn(`#modules [data-module="m"] [data-version="v1"]`, "v1", "serving", "modules/m/v1")
	wantIn(`#modules [data-module="m"] [data-version="v2"]`, "v2", "not built", "modules/m/v2")
	wantIn(`#secrets [data-owner="actions/greet"]`, "API_KEY", "ok")
	wantIn(`#secrets [data-owner="modules/m"]`, "SERVICE_KEY", "ok")
	if npmReg != "" {
		wantIn(`#npm [data-owner="actions/audit"]`, "actionsd-plain", "1.")
	} else {
		wantIn("#npm", "no npm packages")
		t.Log("no local npm registry (ACTIONSD_NPM_TEST_REGISTRY, as `make test` starts): the npm section is checked empty")
	}
	wantIn(`#metrics [data-action="greet"]`, "post-login", "3", "0", "ms")
	wantIn(`#metrics [data-action="audit"]`, "post-login", "3")
	html := eval(`document.documentElement.outerHTML`)
	url := eval(`location.href`)
	stored := eval(`String(sessionStorage.getItem('actionsd-token'))`)
	shot("1-ready.png")
	for _, v := range []string{uiCanary, uiModuleCanry} {
		if strings.Contains(html, v) {
			t.Errorf("the page holds the secret value %q", v)
		}
	}
	if strings.Contains(url, uiToken) || strings.Contains(html, uiToken) {
		t.Errorf("the token is in the page's URL or document: %s", url)
	}
	if stored != uiToken {
		t.Errorf("sessionStorage holds %q, want the token", stored)
	}

	// Break the deploy branch: a syntax error on line 3 of greet's index.js.
	repo.write("actions/greet/index.js", "const m = require('actions:m');\nexports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim('action' 'A2');\n};\n")
	bad := repo.commit("greet: a syntax error")
	if st := d.sync(uiToken); st.Attempted == nil || st.Attempted.Result != "failed" {
		t.Fatalf("the broken commit: attempt %+v, want failed", st.Attempted)
	}
	broke := time.Now()
	waitJS("the error with its file:line", `[...document.querySelectorAll('#errors .pos')].some((e) => e.textContent.startsWith('actions/greet/index.js:3:'))`)
	t.Logf("the error showed %v after the sync returned", time.Since(broke).Round(time.Millisecond))
	wantIn("#ready", "Not ready")
	wantIn("#attempted", bad[:12], "failed", "failed at step")
	wantIn("#applied", good[:12])
	wantIn("#errors", "actions/greet ", "actions/greet/index.js:3:", "SyntaxError")
	wantIn(`#actions [data-action="greet"]`, "failed", "index.js:3")
	wantIn("#conditions", "Stalled", "True")
	shot("2-broken.png")

	// Fix it: Ready returns and the error goes.
	repo.setAction("A2")
	fixed := repo.commit("greet: fixed")
	if st := d.sync(uiToken); !st.Ready || st.Applied.Commit != fixed {
		t.Fatalf("the fixed commit: %+v, errors %v", st.Applied, problemsText(st.Errors))
	}
	waitJS("Ready to return", `document.getElementById('ready').dataset.status === 'True' && document.getElementById('applied').textContent.includes('`+fixed[:12]+`')`)
	wantIn("#ready", "Ready")
	wantIn("#errors", "none")
	wantIn(`#actions [data-action="greet"]`, "serving")
	shot("3-fixed.png")

	// Log out: the token leaves the tab.
	do("logging out", chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#login")))
	if stored := eval(`String(sessionStorage.getItem('actionsd-token'))`); stored != "null" {
		t.Errorf("after logging out, sessionStorage still holds %q", stored)
	}
	stopConsole()
	<-consoleDone
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("the page reported: %s", p)
	}
	t.Logf("browser test: %v in all, %v from the login on", time.Since(start).Round(time.Millisecond), time.Since(loggedIn).Round(time.Millisecond))
}

package npmvendor

import (
	"context"
	"strings"
	"testing"
)

// TestPopularNodeFidelity runs issue 13's npm reproducers on the real packages of the public
// registry (skips without it): auth0 v2 and v3 lock although mime 2.6.0 has "dependencies": []
// (cause 1), and bundle although rest-facade requires superagent-proxy only with a proxy (cause
// 2: a warning with its file and line); form-data 2.3.3, declared alone or beside request, is its
// Node build, not "window is not defined" (cause 3); aws-sdk v2 gets the npm package for
// require('buffer/') (cause 3) and runs with the domain built-in (cause 4). auth0 v2 and v3 then
// call the Management API for a user id with a "|" (cause 6), and aws-sdk v2 DynamoDB's GetItem,
// against smokeServer.
func TestPopularNodeFidelity(t *testing.T) {
	regs := publicRegistry(t)
	rows := []struct {
		owner       string
		deps        map[string]string
		use, want   string
		wantMissing string // a substring of one of the bundle's missing requires
		runnerGap   string
	}{
		{owner: "actions/auth0-v2", deps: map[string]string{"auth0": "^2"},
			use: auth0GetUser(false), want: "auth0|123@example.com",
			wantMissing: "node_modules/rest-facade/src/Client.js:"},
		{owner: "actions/auth0-v3", deps: map[string]string{"auth0": "^3"},
			use: auth0GetUser(true), want: "auth0|123@example.com"},
		{owner: "actions/request", deps: map[string]string{"request": "2.88.2", "form-data": "2.3.3"},
			use:  `const FormData = require("form-data"); const f = new FormData(); f.append("a", "b"); r = typeof f.getBoundary() + ":" + typeof require("request").post;`,
			want: "string:function"},
		{owner: "actions/form-data", deps: map[string]string{"form-data": "2.3.3"},
			use:  `const FormData = require("form-data"); const f = new FormData(); f.append("a", "b"); r = typeof f.getBoundary();`,
			want: "string"},
		{owner: "actions/aws-sdk", deps: map[string]string{"aws-sdk": "^2"},
			use: `const AWS = require("aws-sdk");
const db = new AWS.DynamoDB({ region: "us-east-1", endpoint: SERVER, credentials: new AWS.Credentials("AKIDEXAMPLE", "secret") });
const out = await db.getItem({ TableName: "users", Key: { id: { S: "auth0|123" } } }).promise();
r = typeof AWS.S3 + ":" + out.Item.email.S;`,
			want: "function:auth0|123@example.com"},
	}
	owners := map[string]map[string]string{}
	for _, row := range rows {
		owners[row.owner] = row.deps
	}
	ctx := context.Background()
	res, inst := popularLock(t, regs, owners)
	srv := smokeServer(t)
	for _, row := range rows {
		t.Run(strings.TrimPrefix(row.owner, "actions/"), func(t *testing.T) {
			for _, dep := range sortedKeys(row.deps) {
				t.Logf("%s %s locks %s", dep, row.deps[dep], res.Pinned[row.owner][dep])
			}
			b, err := inst.Install(ctx, res.Lock, row.owner)
			if err != nil {
				t.Fatalf("install: %v", err)
			}
			var missing []string
			for _, m := range b.Missing {
				if strings.HasPrefix(m.Spec, "<") || strings.HasSuffix(m.Spec, "/") {
					t.Errorf("missing require %s", m)
				}
				if !m.Guarded {
					missing = append(missing, m.String())
				}
			}
			for name, code := range b.Chunks {
				if strings.Contains(string(code), `require("buffer/")`) {
					t.Errorf("chunk %s requires buffer/ from the runtime: want the npm package bundled", name)
				}
			}
			t.Logf("requires of nothing outside try blocks:\n%s", strings.Join(missing, "\n"))
			if row.wantMissing != "" && !strings.Contains(strings.Join(missing, "\n"), row.wantMissing) {
				t.Errorf("missing requires: want one at %s", row.wantMissing)
			}
			runSmoke(t, res.Lock, row.owner, popular{name: row.owner, use: row.use, want: row.want, runnerGap: row.runnerGap}, strings.Join(sortedKeys(row.deps), ","), b, srv)
		})
	}
}

package npmvendor

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/jsdeps"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/runner/egress"
)

// The database clients of the popular-packages table, against real servers on loopback (see
// dbservers_test.go): ioredis against redis-server, pg against PostgreSQL, in plain TCP and with
// TLS (pg's ssl option: an SSLRequest, then tls.connect({ socket }) over the open connection).
// Node 20 gives the same r for each use against the same servers (checked by hand).

// dbRow is one use of a database client: action code (the body of an async function that sets
// r) and the value r must get.
type dbRow struct {
	name, pkg, use, want string
}

func popularDatabaseRows(redisPort, pgPort int) []dbRow {
	redis := `{ host: "127.0.0.1", port: ` + strconv.Itoa(redisPort) + `, maxRetriesPerRequest: 1, retryStrategy: () => null }`
	pg := `host: "127.0.0.1", port: ` + strconv.Itoa(pgPort) + `, user: "postgres", database: "postgres"`
	return []dbRow{
		{name: "ioredis", pkg: "ioredis", use: `const Redis = require("ioredis");
const redis = new Redis(` + redis + `);
await redis.set("greeting", "hello");
const got = await redis.get("greeting");
const n = [await redis.incr("counter"), await redis.incr("counter")].join(",");
const piped = await redis.pipeline().set("p", "1").incr("p").get("p").exec();
const sub = new Redis(` + redis + `);
const msg = await new Promise((resolve, reject) => {
  sub.on("message", (ch, m) => resolve(ch + "=" + m));
  sub.subscribe("news").then(() => redis.publish("news", "extra"), reject);
});
await sub.quit();
await redis.quit();
r = [got, n, JSON.stringify(piped), msg].join(" ");`,
			want: `hello 1,2 [[null,"OK"],[null,2],[null,"2"]] news=extra`},
		{name: "pg", pkg: "pg", use: `const { Client } = require("pg");
const c = new Client({ ` + pg + ` });
await c.connect();
const sum = (await c.query("SELECT $1::int + 1 AS n", [41])).rows[0].n;
await c.query("CREATE TEMP TABLE people (id serial PRIMARY KEY, name text NOT NULL, tags jsonb)");
await c.query("INSERT INTO people (name, tags) VALUES ($1, $2), ($3, $4)", ["ada", JSON.stringify(["x"]), "bob", null]);
const rows = (await c.query("SELECT id, name, tags FROM people ORDER BY id")).rows;
const ssl = (await c.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).rows[0].ssl;
await c.end();
r = sum + " " + JSON.stringify(rows) + " ssl=" + ssl;`,
			want: `42 [{"id":1,"name":"ada","tags":["x"]},{"id":2,"name":"bob","tags":null}] ssl=false`},
		{name: "pg ssl", pkg: "pg", use: `const { Client } = require("pg");
const c = new Client({ ` + pg + `, ssl: { ca: PG_CA } });
await c.connect();
const row = (await c.query("SELECT ssl, $1::text AS echo FROM pg_stat_ssl WHERE pid = pg_backend_pid()", ["over tls"])).rows[0];
await c.end();
const fail = async (ssl) => {
  const bad = new Client({ ` + pg + `, ssl });
  try { await bad.connect(); await bad.end(); return "connected"; } catch (e) { return e.code + (e.reason ? " (" + e.reason + ")" : ""); }
};
r = "ssl=" + row.ssl + " " + row.echo + " " + await fail({ ca: PG_CA, servername: "other.example.test" }) + " " + await fail(true);`,
			want: `ssl=true over tls ERR_TLS_CERT_ALTNAME_INVALID (Host: other.example.test. is not in the cert's altnames: DNS:localhost, IP Address:127.0.0.1) UNABLE_TO_VERIFY_LEAF_SIGNATURE`},
	}
}

// TestPopularDatabaseClients locks, installs and bundles ioredis and pg from the public registry
// and runs their documented basic use in an action against a real redis-server and PostgreSQL,
// which the runner's egress policy allows by their loopback address and port alone.
func TestPopularDatabaseClients(t *testing.T) {
	regs := publicRegistry(t)
	redisPort := startRedis(t)
	pgPort, pgCA := startPostgres(t)
	rows := popularDatabaseRows(redisPort, pgPort)
	owners := map[string]map[string]string{}
	for _, row := range rows {
		owners[ownerOf(row.pkg)] = map[string]string{row.pkg: "latest"}
	}
	ctx := context.Background()
	res, inst := popularLock(t, regs, owners)
	client := egress.NewClient(egress.Policy{Allow: []string{
		"127.0.0.1:" + strconv.Itoa(redisPort), "127.0.0.1:" + strconv.Itoa(pgPort)}})
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			owner := ownerOf(row.pkg)
			version := res.Pinned[owner][row.pkg]
			b, err := inst.Install(ctx, res.Lock, owner)
			if err != nil {
				t.Fatalf("%s@%s: %v", row.pkg, version, err)
			}
			code := "const PG_CA = " + strconv.Quote(pgCA) + ";\n" + row.use
			got, err := runDatabaseUse(t, res.Lock, owner, b, code, client)
			if err != nil {
				t.Fatalf("%s@%s: %v", row.pkg, version, err)
			}
			if got != row.want {
				t.Errorf("%s@%s: basic use gave\n %v\nwant\n %s", row.pkg, version, got, row.want)
			}
		})
	}
}

// runDatabaseUse runs use (which sets r) as a post-login action with the bundle through the
// runner, whose egress goes through client, and returns the claim r.
func runDatabaseUse(t *testing.T, lock *lockfile.Lock, owner string, b *jsdeps.Bundle, use string, client *http.Client) (any, error) {
	t.Helper()
	code := "exports.onExecutePostLogin = async (event, api) => {\n let r;\n" + use + "\n api.idToken.setCustomClaim(\"r\", r);\n};\n"
	spec := &runner.Spec{Commit: "db", Generation: 1, Actions: map[string]*runner.ActionSpec{"db": {
		Name: "db", Version: "db", Trigger: "post-login", Timeout: 10 * time.Second,
		Source: runner.Source{Dir: owner, Entry: "index.js", Files: map[string][]byte{"index.js": []byte(code)},
			Dependencies: lock.Owners[owner].Dependencies, Bundle: b},
	}}, Bindings: map[string][]string{}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	gen, err := runner.Build(ctx, spec, runner.Options{Logger: zaptest.NewLogger(t), HTTPClient: client})
	if err != nil {
		return nil, err
	}
	defer gen.Close()
	result, err := gen.Test(ctx, "db", []byte(`{"user": {"user_id": "u1"}}`))
	if err != nil {
		return nil, err
	}
	if len(result.Actions) == 1 && result.Actions[0].Error != nil {
		t.Logf("logs: %v", result.Actions[0].Logs)
		return nil, result.Actions[0].Error
	}
	for _, c := range result.Commands {
		var args []any
		if data, err := json.Marshal(c.Args); err == nil && json.Unmarshal(data, &args) == nil &&
			c.Op == "idToken.setCustomClaim" && len(args) == 2 && args[0] == "r" {
			return args[1], nil
		}
	}
	return nil, nil
}

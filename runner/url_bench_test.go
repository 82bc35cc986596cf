package runner

import (
	"context"
	"testing"
)

// BenchmarkNewURL is the cost of URL work an action does per execution: 20 URLs parsed (with and
// without a base), read back and given query parameters.
func BenchmarkNewURL(b *testing.B) {
	benchURLAction(b, `exports.onExecutePostLogin = async (event, api) => {
  let n = 0;
  for (let i = 0; i < 10; i++) {
    const u = new URL('https://api.example.com/v2/users/' + i + '?fields=email,name&x=' + i);
    u.searchParams.set('page', String(i));
    n += u.href.length + u.pathname.length + u.hostname.length;
    n += new URL('../roles?id=' + i, 'https://api.example.com/v2/users/').href.length;
  }
  api.idToken.setCustomClaim('n', n);
};`)
}

// BenchmarkURLOps is the cost of 100 of each common URL operation in one execution.
func BenchmarkURLOps(b *testing.B) {
	for _, c := range []struct{ name, body string }{
		{"new", `n += new URL('https://api.example.com/v2/users/' + i + '?fields=email,name').href.length;`},
		{"new+3reads", `const u = new URL('https://api.example.com/v2/users/' + i + '?fields=email,name'); n += u.hostname.length + u.pathname.length + u.search.length;`},
		{"relative", `n += new URL('../roles?id=' + i, 'https://api.example.com/v2/users/').href.length;`},
		{"searchParams.get", `n += new URL('https://api.example.com/v2/users/?x=' + i).searchParams.get('x').length;`},
		{"searchParams.set", `const u = new URL('https://api.example.com/v2/users/'); u.searchParams.set('page', 'p' + i); n += u.href.length;`},
		{"URLSearchParams", `n += new URLSearchParams({ a: 'x' + i, b: 'y z' }).toString().length;`},
	} {
		b.Run(c.name, func(b *testing.B) {
			benchURLAction(b, `exports.onExecutePostLogin = async (event, api) => {
  let n = 0;
  for (let i = 0; i < 100; i++) { `+c.body+` }
  api.idToken.setCustomClaim('n', n);
};`)
		})
	}
}

func benchURLAction(b *testing.B, src string) {
	g := mustBuild(b, newSpec(newAction("urls", src)), Options{})
	ctx := context.Background()
	event := []byte(benchEvent)
	res, err := g.Execute(ctx, "post-login", event)
	if err != nil || res.Outcome != OutcomeSuccess {
		b.Fatalf("warm-up: %v %s", err, toJSON(b, res))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Execute(ctx, "post-login", event); err != nil {
			b.Fatal(err)
		}
	}
}

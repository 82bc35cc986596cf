package runner

import (
	"context"
	"testing"
)

// BenchmarkNewURL is the cost of URL work an action does per execution: 20 URLs parsed (with and
// without a base), read back and given query parameters.
func BenchmarkNewURL(b *testing.B) {
	a := newAction("urls", `exports.onExecutePostLogin = async (event, api) => {
  let n = 0;
  for (let i = 0; i < 10; i++) {
    const u = new URL('https://api.example.com/v2/users/' + i + '?fields=email,name&x=' + i);
    u.searchParams.set('page', String(i));
    n += u.href.length + u.pathname.length + u.hostname.length;
    n += new URL('../roles?id=' + i, 'https://api.example.com/v2/users/').href.length;
  }
  api.idToken.setCustomClaim('n', n);
};`)
	g := mustBuild(b, newSpec(a), Options{})
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

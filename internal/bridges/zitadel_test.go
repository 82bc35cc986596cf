package bridges

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/runner"
)

// zitadelSign computes the ZITADEL-Signature header as Zitadel does, step for step after
// ComputeSignatureHeader and computeSignature of zitadel/zitadel's pkg/actions/signing.go:
// "t=<t.Unix()>" then one "v1=<hex>" per signing key, joined with ",", each MAC being
// HMAC-SHA256 over strconv.FormatInt(t.Unix(), 10), ".", and the payload.
func zitadelSign(t time.Time, payload []byte, keys ...string) string {
	parts := []string{fmt.Sprintf("%s=%d", "t", t.Unix())}
	for _, k := range keys {
		mac := hmac.New(sha256.New, []byte(k))
		mac.Write([]byte(strconv.FormatInt(t.Unix(), 10)))
		mac.Write([]byte("."))
		mac.Write(payload)
		parts = append(parts, fmt.Sprintf("%s=%s", "v1", hex.EncodeToString(mac.Sum(nil))))
	}
	return strings.Join(parts, ",")
}

func zitadelHeader(sig string) http.Header {
	h := http.Header{}
	h.Set("ZITADEL-Signature", sig) // as Zitadel spells it; net/http canonicalises
	return h
}

func TestZitadelSignature(t *testing.T) {
	const key = "zitadel-signing-key"
	v, err := NewZitadelSignature(key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewZitadelSignature(" \n"); err == nil {
		t.Error("an empty signing key is accepted")
	}

	// A vector computed outside Go, as Zitadel's computeSignature defines the MAC:
	//   printf '%s' '1767225600.<body>' | openssl dgst -sha256 -hmac 'zitadel-signing-key'
	body := []byte(`{"function":"function/preuserinfo","user":{"id":"312909075212468632"}}`)
	at := time.Unix(1767225600, 0)
	const fixed = "t=1767225600,v1=0189223e4da69850ee165ebc284946fdf8581706eca8640f7cf664b5aa0b443c"
	if got := zitadelSign(at, body, key); got != fixed {
		t.Fatalf("the reference signer gives %s, openssl %s", got, fixed)
	}
	if _, _, reason, ok := v.Verify(zitadelHeader(fixed), body, at.Add(time.Minute)); !ok {
		t.Fatalf("the openssl vector: %s", reason)
	}

	now := time.Now()
	good := zitadelSign(now, body, key)
	for _, c := range []struct {
		name   string
		h      http.Header
		body   []byte
		now    time.Time
		reason string
	}{
		{"good", zitadelHeader(good), body, now, ""},
		{"an uppercase hex MAC", zitadelHeader(good[:strings.Index(good, "v1=")+3] + strings.ToUpper(good[strings.Index(good, "v1=")+3:])), body, now, ""},
		{"several keys, the last ours (Zitadel signs with every key it is given)", zitadelHeader(zitadelSign(now, body, "old-key", key)), body, now, ""},
		{"an unknown pair is skipped", zitadelHeader(good + ",v0=abc"), body, now, ""},
		{"missing", http.Header{}, body, now, ReasonMissing},
		{"another key", zitadelHeader(zitadelSign(now, body, "another-key")), body, now, ReasonBad},
		{"body changed", zitadelHeader(good), append([]byte(" "), body...), now, ReasonBad},
		{"timestamp changed", zitadelHeader(strings.Replace(good, "t="+strconv.FormatInt(now.Unix(), 10), "t="+strconv.FormatInt(now.Unix()-1, 10), 1)), body, now, ReasonBad},
		{"no timestamp", zitadelHeader(good[strings.IndexByte(good, ',')+1:]), body, now, ReasonBad},
		{"no v1", zitadelHeader("t=" + strconv.FormatInt(now.Unix(), 10)), body, now, ReasonBad},
		{"a v1 too short", zitadelHeader("t=" + strconv.FormatInt(now.Unix(), 10) + ",v1=abcd"), body, now, ReasonBad},
		{"a pair without =", zitadelHeader(good + ",x"), body, now, ReasonBad},
		{"a pair with two =", zitadelHeader(good + "=="), body, now, ReasonBad},
		{"not hex", zitadelHeader("t=" + strconv.FormatInt(now.Unix(), 10) + ",v1=" + strings.Repeat("z", 64)), body, now, ReasonBad},
		{"stale", zitadelHeader(good), body, now.Add(Tolerance + 2*time.Second), ReasonStale},
		{"from the future", zitadelHeader(good), body, now.Add(-Tolerance - 2*time.Second), ReasonStale},
	} {
		_, _, reason, ok := v.Verify(c.h, c.body, c.now)
		if ok != (c.reason == "") || reason != c.reason {
			t.Errorf("%s: ok=%v reason=%q, want %q", c.name, ok, reason, c.reason)
		}
		// What the headers alone show, Precheck says the same.
		if pre, pok := v.Precheck(c.h, c.now); c.reason == ReasonMissing || c.reason == ReasonStale {
			if pok || pre != c.reason {
				t.Errorf("%s: Precheck %q", c.name, pre)
			}
		}
	}

	// The replay check: the same signed request twice is seen.
	b := &Bridge{name: "zitadel"}
	k, forget, _, ok := v.Verify(zitadelHeader(good), body, now)
	if !ok || b.Seen(k, forget, now) || !b.Seen(k, forget, now.Add(time.Second)) {
		t.Error("a replayed request is not seen as one")
	}
	if b.Seen(k, forget, now.Add(Tolerance+2*time.Second)) {
		t.Error("a key is remembered past its window")
	}

	h := zitadelHeader(good)
	if n := testing.AllocsPerRun(200, func() { v.Verify(h, body, now) }); n != 0 {
		t.Errorf("Verify allocates %v times per request", n)
	}
}

// BenchmarkZitadelVerify: the signature check of a 2 kB body, which allocates nothing.
func BenchmarkZitadelVerify(b *testing.B) {
	v, _ := NewZitadelSignature("zitadel-signing-key")
	body := []byte(`{"function":"function/preuserinfo","padding":"` + strings.Repeat("x", 2000) + `"}`)
	now := time.Now()
	h := zitadelHeader(zitadelSign(now, body, "zitadel-signing-key"))
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, _, reason, ok := v.Verify(h, body, now); !ok {
			b.Fatal(reason)
		}
	}
}

func TestZitadelFunction(t *testing.T) {
	for body, want := range map[string]string{
		`{"function":"function/preuserinfo"}`:     "preuserinfo",
		`{"function":"function.preaccesstoken"}`:  "preaccesstoken",
		`{"function":"preuserinfo"}`:              "preuserinfo",
		`{"function":"function/presamlresponse"}`: "presamlresponse",
	} {
		if got, err := zitadelFunction([]byte(body)); err != nil || got != want {
			t.Errorf("%s: %q %v", body, got, err)
		}
	}
	for body, field := range map[string]string{
		`{"user":{}}`:     "function",
		`{"function":""}`: "function",
		`{"function":1}`:  "function",
		`[1]`:             "(body)",
		`{"event_type":"user.human.added","aggregateID":"1"}`: "function",
	} {
		var se *ShapeError
		if _, err := zitadelFunction([]byte(body)); !errors.As(err, &se) || se.Field != field {
			t.Errorf("%s: %v, want a shape error naming %s", body, err, field)
		}
	}
}

// zitadelPreUserinfoBody is a preuserinfo context as Zitadel's docs show one
// (docs/docs/guides/integrate/actions/testing-function.md), with metadata, grants and an org.
func zitadelPreUserinfoBody(md ...[2]string) string {
	var mds []string
	for _, m := range md {
		mds = append(mds, `{"creation_date":"2025-03-27T09:10:25.879677Z","resource_owner":"312909075211944344","sequence":18,"key":"`+
			m[0]+`","value":"`+base64.StdEncoding.EncodeToString([]byte(m[1]))+`"}`)
	}
	return `{"function":"function/preuserinfo","userinfo":{"sub":"312909075212468632","picture":"https://z.example.com/assets/v1/avatar"},` +
		`"user":{"id":"312909075212468632","creation_date":"2025-03-26T15:52:23.917636Z","change_date":"2025-03-27T15:52:23.917636Z",` +
		`"resource_owner":"312909075211944344","sequence":2,"state":1,"username":"user@example.com","preferred_login_name":"user@example.com",` +
		`"human":{"first_name":"Ada","last_name":"Lovelace","nick_name":"ada","display_name":"Ada Lovelace","preferred_language":"en","gender":2,` +
		`"email":"user@example.com","is_email_verified":true,"phone":"+41790000000","password_changed":"0001-01-01T00:00:00Z"}},` +
		`"user_metadata":[` + strings.Join(mds, ",") + `],` +
		`"org":{"id":"312909075211944344","name":"ZITADEL","primary_domain":"example.com"},` +
		`"user_grants":[{"id":"g1","projectId":"p1","roles":["admin","dev"]},{"id":"g2","projectId":"p2","roles":["dev","viewer"]}],` +
		`"application":{"client_id":"312909075212468633@app"}}`
}

func TestZitadelEvent(t *testing.T) {
	body := zitadelPreUserinfoBody([2]string{"plan", `"pro"`}, [2]string{"raw", "plain text"}, [2]string{"n", "42"}, [2]string{"bin", "\xff\xfe"})
	out, err := zitadelEvent([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(out, &ev); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	md := map[string]any{"plan": "pro", "raw": "plain text", "n": 42.0, "bin": base64.StdEncoding.EncodeToString([]byte("\xff\xfe"))}
	want := map[string]any{
		"user": map[string]any{"user_id": "312909075212468632", "username": "user@example.com", "email": "user@example.com", "email_verified": true,
			"phone_number": "+41790000000", "phone_verified": false, "name": "Ada Lovelace", "given_name": "Ada", "family_name": "Lovelace",
			"nickname": "ada", "picture": "https://z.example.com/assets/v1/avatar", "created_at": "2025-03-26T15:52:23.917636Z",
			"updated_at": "2025-03-27T15:52:23.917636Z", "app_metadata": md, "user_metadata": md},
		"organization":   map[string]any{"id": "312909075211944344", "name": "ZITADEL", "display_name": "ZITADEL", "metadata": map[string]any{}},
		"client":         map[string]any{"client_id": "312909075212468633@app", "name": "", "metadata": map[string]any{}},
		"authorization":  map[string]any{"roles": []any{"admin", "dev", "viewer"}},
		"authentication": map[string]any{"methods": []any{}},
	}
	for k, w := range want {
		if mustJSON(t, ev[k]) != mustJSON(t, w) {
			t.Errorf("%s = %s\nwant %s", k, mustJSON(t, ev[k]), mustJSON(t, w))
		}
	}
	var sent, got any
	_ = json.Unmarshal([]byte(body), &sent)
	got = ev["zitadel"]
	if mustJSON(t, got) != mustJSON(t, sent) {
		t.Errorf("zitadel is not the body as sent: %s", mustJSON(t, got))
	}

	// A machine user, no metadata, org or grants: the members the event always has are there.
	out, err = zitadelEvent([]byte(`{"function":"function/preaccesstoken","user":{"id":"m1","machine":{"name":"ci"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"user":{"user_id":"m1","email_verified":false,"phone_verified":false,"name":"ci","app_metadata":{},"user_metadata":{}}`) ||
		!strings.Contains(string(out), `"authorization":{"roles":[]}`) || strings.Contains(string(out), `"organization"`) {
		t.Errorf("a machine user: %s", out)
	}

	for body, field := range map[string]string{
		`{"function":"function/preuserinfo"}`:                                                                   "user",
		`{"function":"function/preuserinfo","user":{"human":{}}}`:                                               "user.id",
		`{"function":"function/preuserinfo","user":{"id":1}}`:                                                   "user.id",
		`{"function":"function/preuserinfo","user":{"id":"u","human":{"email":true}}}`:                          "user.human.email",
		`{"function":"function/preuserinfo","user":{"id":"u"},"user_metadata":[{"key":"k","value":"not*b64"}]}`: "user_metadata[0].value",
		`{"function":"function/preuserinfo","user":{"id":"u"},"user_metadata":[{"value":"eA=="}]}`:              "user_metadata[0].key",
		`{"function":"function/preuserinfo","user":{"id":"u"},"user_grants":{"roles":[]}}`:                      "user_grants",
	} {
		var se *ShapeError
		if _, err := zitadelEvent([]byte(body)); !errors.As(err, &se) || se.Field != field {
			t.Errorf("%s: %v, want a shape error naming %s", body, err, field)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// zitadelResult is a result with the commands given as (action, op, key, JSON value).
func zitadelResult(cmds ...[4]string) *runner.Result {
	res := &runner.Result{Outcome: runner.OutcomeSuccess}
	for _, c := range cmds {
		res.Commands = append(res.Commands, runner.Command{Action: c[0], Op: c[1], Args: []any{c[2], json.RawMessage(c[3])}})
	}
	return res
}

func TestZitadelAnswer(t *testing.T) {
	hooks := zitadelHooks()
	res := zitadelResult(
		[4]string{"a", "idToken.setCustomClaim", "roles", `["admin"]`},
		[4]string{"a", "accessToken.setCustomClaim", "plan", `"pro"`},
		[4]string{"a", "user.setUserMetadata", "seen", `{"at":1}`},
		[4]string{"b", "idToken.setCustomClaim", "tier", `2`},
		[4]string{"b", "user.setAppMetadata", "plan", `"pro"`},
		[4]string{"b", "idToken.setCustomClaim", "roles", `["admin","dev"]`},
		[4]string{"b", "cache.set", "k", `"v"`},
	)
	for hook, want := range map[string]string{
		// The ID token's claims for preuserinfo, the access token's for preaccesstoken, in the
		// order made (a claim set again keeps its place); every metadata write in both.
		"preuserinfo": `{"set_user_metadata":[{"key":"seen","value":"` + base64.StdEncoding.EncodeToString([]byte(`{"at":1}`)) + `"},{"key":"plan","value":"` +
			base64.StdEncoding.EncodeToString([]byte(`"pro"`)) + `"}],"append_claims":[{"key":"roles","value":["admin","dev"]},{"key":"tier","value":2}]}`,
		"preaccesstoken": `{"set_user_metadata":[{"key":"seen","value":"` + base64.StdEncoding.EncodeToString([]byte(`{"at":1}`)) + `"},{"key":"plan","value":"` +
			base64.StdEncoding.EncodeToString([]byte(`"pro"`)) + `"}],"append_claims":[{"key":"plan","value":"pro"}]}`,
	} {
		ans, reason, msg := hooks[hook].Answer(nil, res)
		if got := mustJSON(t, ans); reason != "" || got != want {
			t.Errorf("%s: %s %s %s\nwant %s", hook, got, reason, msg, want)
		}
	}
	if ans, _, _ := hooks["preuserinfo"].Answer(nil, zitadelResult()); mustJSON(t, ans) != `{}` {
		t.Errorf("nothing to do: %s", mustJSON(t, ans))
	}

	denied := zitadelResult([4]string{"gate", "access.deny", "no entry", `null`})
	denied.Outcome = runner.OutcomeDenied
	denied.Effects.Access = runner.Access{Denied: true, Reason: "no entry", Action: "gate"}
	if ans, reason, _ := hooks["preaccesstoken"].Answer(nil, denied); reason != "" || mustJSON(t, ans) != `{"forwardedStatusCode":403,"forwardedErrorMessage":"no entry"}` {
		t.Errorf("deny: %s %s", mustJSON(t, ans), reason)
	}

	for _, c := range []struct {
		name string
		res  *runner.Result
		want string
	}{
		{"a redirect", zitadelResult([4]string{"r", "redirect.sendUserTo", "https://x.example", `{}`}), "zitadel preuserinfo cannot express api.redirect.sendUserTo (action r)"},
		{"a scope", zitadelResult([4]string{"s", "accessToken.addScope", "read", `null`}), "api.accessToken.addScope (action s)"},
		{"a removal", zitadelResult([4]string{"m", "user.setUserMetadata", "plan", `null`}), `api.user.setUserMetadata("plan", null) (action m): set_user_metadata cannot remove a key`},
	} {
		ans, reason, msg := hooks["preuserinfo"].Answer(nil, c.res)
		sa, ok := ans.(Reply)
		if reason != ReasonUnsupported || !strings.Contains(msg, c.want) || !ok || sa.Status != 500 || !strings.Contains(mustJSON(t, sa.Body), "unsupported_command") {
			t.Errorf("%s: %s %s %s", c.name, mustJSON(t, ans), reason, msg)
		}
	}

	failed := &runner.Result{Outcome: runner.OutcomeFailed, Actions: []runner.ActionResult{{Name: "boom", Error: &runner.Error{Message: "TypeError: x is undefined"}}}}
	if ans, reason, msg := hooks["preuserinfo"].Answer(nil, failed); reason != ReasonActionFailed || msg != "boom: TypeError: x is undefined" || ans.(Reply).Status != 500 {
		t.Errorf("a failed action: %v %s %s", ans, reason, msg)
	}
}

// TestDecodeZitadelBody: the scanning decoder fills what json.Unmarshal fills, on Zitadel's
// bodies and on odd ones (escapes, nulls, whitespace, keys twice, members it skips), and refuses
// what json.Unmarshal refuses.
func TestDecodeZitadelBody(t *testing.T) {
	for _, body := range []string{
		zitadelPreUserinfoBody([2]string{"plan", `"pro"`}, [2]string{"k", "v"}),
		`{"function":"function/preaccesstoken","user":{"id":"m1","machine":{"name":"ci","description":"x"}}}`,
		" {\n \"user\" : { \"id\" : \"a\\u0062\\\"c\" , \"human\" : null , \"username\":\"\\u00e9\" } ,\"org\":null,\"user_grants\":[ ],\"x\":[1,{\"y\":[2]}]}\n",
		`{"user":{"id":"u","id":"v","human":{"email":"a@b","email":"c@d","is_email_verified":false,"is_email_verified":true}},"user_grants":[{"roles":null},{"roles":["a","b"],"other":{"roles":["c"]}}]}`,
		`{"user":null,"userinfo":{"picture":null},"application":{"client_id":"c\/1"},"user_metadata":[{"key":"k","value":null,"sequence":1}]}`,
		`{"user":{"id":"u","human":{"first_name":"A","last_name":"B","nick_name":"C","display_name":"D","preferred_language":"de","phone":"+1","is_phone_verified":true}}}`,
	} {
		var want, got refZitadelBody
		if err := json.Unmarshal([]byte(body), &want); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if err := refDecodeZitadelBody([]byte(body), &got); err != nil {
			t.Errorf("%s: %v", body, err)
			continue
		}
		// An empty array and none read the same (the event's roles and metadata are {} and []).
		for _, b := range []*refZitadelBody{&want, &got} {
			if len(b.UserGrants) == 0 {
				b.UserGrants = nil
			}
			if len(b.UserMetadata) == 0 {
				b.UserMetadata = nil
			}
		}
		if w, g := mustJSON(t, want), mustJSON(t, got); w != g {
			t.Errorf("%s:\n json.Unmarshal %s\n decoder        %s", body, w, g)
		}
	}
	for _, body := range []string{`{"user":{"id":"u"}`, `{"user":{"id":"u"}} x`, `[{"user":{}}]`, `"s"`, ``, `{"user":{"id":"\x"}}`} {
		var got refZitadelBody
		if err := refDecodeZitadelBody([]byte(body), &got); err == nil {
			t.Errorf("%q: no error", body)
		}
	}
}

// zitadelOddBodies are bodies the scanning event must read as the decoding one did: escapes,
// nulls, white space, keys twice, empty objects, members it skips, invalid UTF-8, and each member
// of the wrong type.
var zitadelOddBodies = []string{
	zitadelPreUserinfoBody([2]string{"plan", `"pro"`}, [2]string{"raw", "plain text"}, [2]string{"n", "42"}, [2]string{"bin", "\xff\xfe"}),
	`{"function":"function/preaccesstoken","user":{"id":"m1","machine":{"name":"ci","description":"x"}}}`,
	" {\n \"user\" : { \"id\" : \"a\\u0062\\\"c\" , \"human\" : null , \"username\":\"\\u00e9\" } ,\"org\":null,\"user_grants\":[ ],\"x\":[1,{\"y\":[2]}]}\n",
	`{"user":{"id":"u","id":"v","human":{"email":"a@b","email":"c@d","is_email_verified":false,"is_email_verified":true}},"user_grants":[{"roles":null},{"roles":["a","b"],"other":{"roles":["c"]}}]}`,
	`{"user":null,"userinfo":{"picture":null},"application":{"client_id":"c\/1"},"user_metadata":[{"key":"k","value":null,"sequence":1}]}`,
	`{"user":{"id":"u","human":{"first_name":"A","last_name":"B","nick_name":"C","display_name":"D","preferred_language":"de","phone":"+1","is_phone_verified":true}}}`,
	`{"user":{"id":"u","id":null,"username":"  ","preferred_login_name":"\u2028"},"userinfo":{"picture":"p"},"userinfo":{}}`,
	`{"user":{"id":"u","username":"name","preferred_login_name":" \t"}}`,
	`{"user":{"id":"u","human":{"display_name":"H"},"machine":{"name":"M"}},"user":{"id":"w","machine":{"name":"M"}}}`,
	`{"user":{"id":"u","human":{}, "machine":{"name":"M"}}}`,
	`{"user":{}}`,
	`{"user":{"id":""}}`,
	`{"user":{"id":"\u0000\ud83d\ude00\"\\<>&"},"org":{"id":"o\u00e9","name":null},"application":{"client_id":""}}`,
	"{\"user\":{\"id\":\"\xff\xfeu\",\"username\":\"a\xc3\"}}",
	`{"user":{"id":"u"},"user_grants":[{"roles":["a","\u0061","b",null,"",null]},null,{"roles":["b","c"]}],"user_grants":[{"roles":["z","z"]}]}`,
	`{"user":{"id":"u"},"user_grants":[{"roles":["r0","r1","r2","r3","r4","r5","r6","r7","r8","r9","r10","r11","r12","r13","r14","r15","r16","r17","r1","r18"]}]}`,
	`{"user":{"id":"u"},"user_metadata":[{"key":"a","value":"eyJ4IjoxfQ=="},{"key":"\u0062","value":"eyJ4\nIjoxfQ=="},null]}`,
	`{"user":{"id":"u"},"user_metadata":[{"key":"a","value":"` + strings.Repeat("QUFB", 200) + `"}]}`,
	`{"user":{"id":"u"},"user_metadata":[{"key":"a","value":"eA=="}],"user_metadata":null}`,
	`{"user":{"id":"u"},"user_metadata":[{"key":"a","value":"eA==","key":null}]}`,
	`{"user":{"id":"u"},"user_metadata":[{"key":"a","value":"e A=="}]}`,
	`{"user":{"id":"u"},"org":{"id":"o"},"org":{"name":"n"}}`,
	`{"user":{"id":1}}`, `{"user":[]}`, `{"user":"u"}`, `{"user":{"id":"u","human":[]}}`, `{"user":{"id":"u","machine":1}}`,
	`{"user":{"id":"u","human":{"is_email_verified":"yes"}}}`, `{"user":{"id":"u","human":{"is_phone_verified":1}}}`,
	`{"user":{"id":"u","human":{"preferred_language":2}}}`, `{"user":{"id":"u","machine":{"name":false}}}`,
	`{"user":{"id":"u","creation_date":1}}`, `{"user":{"id":"u","change_date":{}}}`, `{"user":{"id":"u","username":[]}}`,
	`{"user":{"id":"u","preferred_login_name":true}}`, `{"userinfo":[],"user":{"id":"u"}}`, `{"userinfo":{"picture":1}}`,
	`{"user_metadata":{},"user":{"id":"u"}}`, `{"user_metadata":[1]}`, `{"user_metadata":[{"key":1}]}`, `{"user_metadata":[{"key":"k","value":[]}]}`,
	`{"org":"o"}`, `{"org":{"id":1}}`, `{"org":{"name":1}}`, `{"org":{"primary_domain":1}}`,
	`{"user_grants":[[]]}`, `{"user_grants":[{"roles":"a"}]}`, `{"user_grants":[{"roles":["a",1]}]}`,
	`{"application":1}`, `{"application":{"client_id":1}}`,
	`{"user":{"id":"u"},"org":{"id":1},"user":{"id":2}}`, `{"user":{"id":2},"org":{"id":1}}`,
	`{"user":{"id":"u"},"user_metadata":[{"key":"","value":"*"}]}`, `{"user":{"id":"u"},"user_metadata":[{"key":"k","value":"*"},{"key":""}]}`,
	`{"user":{"id":"u"}`, `{"user":{"id":"u"}} x`, `[{"user":{}}]`, `"s"`, ``, `{"user":{"id":"\x"}}`, `{"user":{"id":"u"},}`, `{"a":01}`,
	// Read in one pass: a fault in the text after a member of the wrong type, or before it, in a
	// member the event does not read or one it does, and truncations.
	`{"user":5,"x":}`, `{"x":[1,],"user":5}`, `{"user":{"id":1},"org":{"id":"o",}}`, `{"user":{"id":"u","human":tru}}`,
	`{"user":nul}`, `{"user":{"id":"u"},"org":nulll}`, `{"user":{"id":"u","human":{"is_email_verified":falsey}}}`,
	`{"user":{"id":"u"},"x":{"a" 1}}`, `{"user":{"id":"u"},"x":{"a":1 "b":2}}`, `{"user":{"id":"u"} "org":{}}`,
	`{"user":{"id":"u"},"user_grants":[{"roles":["a" "b"]}]}`, `{"user":{"id":"u"},"user_grants":[{"roles":["a",]}]}`,
	`{"user":{"id":"u"},"user_metadata":[{"key":"k","value":"eA=="} {}]}`, `{"user":{"id":"u","id":"a` + "\x01" + `"}}`,
	`{"user":{"id":"u"},"x":"\u12"}`, `{"user":{"id":"u"},"x":-}`, `{"user":{"id":"u"},"x":1.}`, `{"user":{"id":"u"},"x":[[]]]}`,
	`{"user":{"id":"u"},"x":{}}}`, `{"user":{"id":"u"},"x":{"y":{}}`, `{"user":{"id":"u"},`, `{"user":{"id":"u"`, `{"user":{"id":`,
	`{"user":{"id":"u"},"user_grants":[`, `{"user":{"id":"u"},"user_grants":[{"roles":[null`, `{"user":{"id":"u"},"userinfo":{"picture"`,
	`{"user":{"id":"u"},"x"`, `{"user":{"id":"u"},"x":`, `{"user":{"id":"u"},"x":[`, `{`, `{"`, ` { } `, `{}x`, `{} {}`, "{}\n",
}

// zitadelDeepBodies nest past json.Valid's limit, or up to it, in a member the event does not read
// or in one it keeps as it is: not fuzz seeds, as an event of them may nest too deep itself.
var zitadelDeepBodies = []string{
	`{"user":{"id":"u"},"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
	`{"user":{"id":"u"},"x":` + strings.Repeat("[", 9998) + strings.Repeat("]", 9998) + `}`,
	`{"user":{"id":"u"},"x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
	`{"user":{"id":"u"},"x":` + strings.Repeat(`{"a":`, 10001) + `1` + strings.Repeat("}", 10001) + `}`,
}

// TestZitadelMatchesReference: on every odd body, the scanning event is the decoding one's,
// byte for byte, or the same error naming the same field.
func TestZitadelMatchesReference(t *testing.T) {
	for _, body := range append(zitadelOddBodies, zitadelDeepBodies...) {
		checkZitadelAgainstReference(t, []byte(body))
	}
}

func checkZitadelAgainstReference(t *testing.T, body []byte) {
	t.Helper()
	want, werr := refZitadelEvent(body)
	got, gerr := appendZitadelEvent([]byte("prefix"), body)
	if gerr == nil {
		if !bytes.HasPrefix(got, []byte("prefix")) {
			t.Fatalf("%q: the event does not append to dst", body)
		}
		got = got[len("prefix"):]
	}
	switch {
	case werr != nil || gerr != nil:
		if fmt.Sprint(werr) != fmt.Sprint(gerr) {
			t.Errorf("%q:\n reference %v\n scanner   %v", body, werr, gerr)
		}
	case !bytes.Equal(got, want):
		t.Errorf("%q:\n reference %s\n scanner   %s", body, want, got)
	}
}

// FuzzZitadelBody: whatever a (signed) body holds, reading its function and making its event
// neither panics nor loops, an event made is valid JSON, and it is the reference's (the body
// decoded into structs), or the same error.
func FuzzZitadelBody(f *testing.F) {
	for _, b := range zitadelOddBodies {
		f.Add(b)
	}
	f.Add(`{"function":"function/preuserinfo","user":{"id":"u","human":{"email":"a\u0040b"}},"user_grants":[{"roles":["a"]}]}`)
	f.Add(`{"a":,"function":}`)
	f.Add(`{"function"::"x"}`)
	f.Fuzz(func(t *testing.T, body string) {
		_, _ = zitadelFunction([]byte(body))
		ev, err := zitadelEvent([]byte(body))
		if err == nil && !json.Valid(ev) {
			t.Errorf("%q gives an event that is not JSON: %s", body, ev)
		}
		checkZitadelAgainstReference(t, []byte(body))
	})
}

// TestZitadelAnswerMatchesReference: the appended answers are the encoded ones: the same status,
// and the same JSON.
func TestZitadelAnswerMatchesReference(t *testing.T) {
	denied := zitadelResult([4]string{"gate", "access.deny", "no entry", `null`})
	denied.Outcome = runner.OutcomeDenied
	denied.Effects.Access = runner.Access{Denied: true, Reason: "no \"entry\"\n", Action: "gate"}
	deniedBare := zitadelResult()
	deniedBare.Effects.Access = runner.Access{Denied: true, Reason: " "}
	failed := &runner.Result{Outcome: runner.OutcomeFailed, Actions: []runner.ActionResult{{Name: "boom", Error: &runner.Error{Message: "TypeError: \"x\""}}}}
	short := zitadelResult()
	short.Commands = append(short.Commands, runner.Command{Action: "a", Op: "idToken.setCustomClaim", Args: []any{"only"}},
		runner.Command{Action: "a", Op: "idToken.setCustomClaim", Args: []any{"go", map[string]any{"n": 1}}})
	for name, res := range map[string]*runner.Result{
		"nothing": zitadelResult(),
		"claims and metadata": zitadelResult(
			[4]string{"a", "idToken.setCustomClaim", "roles", `["admin"]`},
			[4]string{"a", "accessToken.setCustomClaim", "plan", `"pro"`},
			[4]string{"a", "user.setUserMetadata", "seen", `{"at":1}`},
			[4]string{"b", "idToken.setCustomClaim", "tier", `2`},
			[4]string{"b", "user.setAppMetadata", "plan", `"pro"`},
			[4]string{"b", "user.setUserMetadata", "seen", `"again"`},
			[4]string{"b", "idToken.setCustomClaim", "roles", `["admin","dev"]`},
			[4]string{"b", "cache.set", "k", `"v"`},
		),
		"claims only":   zitadelResult([4]string{"a", "idToken.setCustomClaim", "k\"\u2028", `"v"`}, [4]string{"a", "accessToken.setCustomClaim", "k", `1`}),
		"metadata only": zitadelResult([4]string{"a", "user.setAppMetadata", "k", `[1,2]`}),
		"a removal":     zitadelResult([4]string{"a", "idToken.setCustomClaim", "k", `1`}, [4]string{"m", "user.setUserMetadata", "plan", `null`}),
		"unsupported":   zitadelResult([4]string{"r", "redirect.sendUserTo", "https://x.example", `{}`}),
		"denied":        denied,
		"denied, blank": deniedBare,
		"failed":        failed,
		"short and odd": short,
	} {
		for _, hook := range []string{zitadelPreUserinfo, zitadelPreAccessToken} {
			claimOp := map[string]string{zitadelPreUserinfo: "idToken.setCustomClaim", zitadelPreAccessToken: "accessToken.setCustomClaim"}[hook]
			wantAns, wantReason, wantMsg := refZitadelAnswer(hook, claimOp)(nil, res)
			wantStatus := 200
			if r, ok := wantAns.(Reply); ok {
				wantStatus, wantAns = r.Status, r.Body
			}
			got, status, reason, msg := zitadelHooks()[hook].MakeAnswer([]byte("x"), nil, res)
			if !bytes.HasPrefix(got, []byte("x")) || !json.Valid(got[1:]) {
				t.Fatalf("%s %s: %s", name, hook, got)
			}
			var a, b any
			_ = json.Unmarshal(got[1:], &a)
			_ = json.Unmarshal([]byte(mustJSON(t, wantAns)), &b)
			if status != wantStatus || reason != wantReason || msg != wantMsg || !reflect.DeepEqual(a, b) {
				t.Errorf("%s %s:\n reference %d %s %q %q\n appended  %d %s %q %q", name, hook, wantStatus, mustJSON(t, wantAns), wantReason, wantMsg, status, got[1:], reason, msg)
			}
		}
	}
}

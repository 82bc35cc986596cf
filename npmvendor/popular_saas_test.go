package npmvendor

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// saasRow is one service client of the packages people use in Actions: its owner's dependencies
// (the version range people declare), and its documented basic use as action code that sets the
// claim "r" to want. SERVER is the stand-in's URL, PORT its port. Rows may share an owner.
type saasRow struct {
	label     string // the subtest's name
	owner     string
	name      string // the package the row is about
	deps      map[string]string
	use, want string
	runnerGap string // as popular.runnerGap
}

// saasHosts are the services' own API hosts: the stand-in answers for them (its certificate names
// them and the runner's HTTP client dials it for them), so that a client's default base URL is
// what the test exercises.
var saasHosts = []string{"api.twilio.com", "verify.twilio.com"}

// TestPopularServiceClients resolves, installs and bundles the SaaS, identity and XML clients
// people use in Actions from the public registry (skips without it), and runs each one's
// documented basic use through the runner against a loopback TLS stand-in that checks the
// requests as the service would (path, auth, body) and answers as it does.
func TestPopularServiceClients(t *testing.T) {
	regs := publicRegistry(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	privJS := strconv.Quote(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(key))})))
	srv := saasServer(t, &key.PublicKey)
	const saml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0">` +
		`<saml:Issuer>https://idp.example.com</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
		`<saml:Assertion ID="_a1"><saml:Subject><saml:NameID>u1@example.com</saml:NameID></saml:Subject><saml:AttributeStatement>` +
		`<saml:Attribute Name="email"><saml:AttributeValue>u1@example.com</saml:AttributeValue></saml:Attribute>` +
		`<saml:Attribute Name="groups"><saml:AttributeValue>admins</saml:AttributeValue><saml:AttributeValue>dev</saml:AttributeValue></saml:Attribute>` +
		`</saml:AttributeStatement></saml:Assertion></samlp:Response>`
	rows := []saasRow{
		{label: "twilio", owner: "actions/twilio", name: "twilio", deps: map[string]string{"twilio": "latest"},
			use: `const twilio = require("twilio");
const client = twilio("AC0123456789abcdef0123456789abcdef", "authtoken");
const m = await client.messages.create({ to: "+15005550006", from: "+15005550001", body: "Your code is 1234" });
r = m.sid + ":" + m.status + ":" + m.to + ":" + m.body;`,
			want: "SM0123:queued:+15005550006:Your code is 1234"},
		// Twilio Verify, as MFA-by-SMS actions use it: start a verification, then check the code.
		{label: "twilio-verify", owner: "actions/twilio", name: "twilio", deps: map[string]string{"twilio": "latest"},
			use: `const client = require("twilio")("AC0123456789abcdef0123456789abcdef", "authtoken");
const svc = client.verify.v2.services("VA0123456789abcdef0123456789abcdef");
const v = await svc.verifications.create({ to: "+15005550006", channel: "sms" });
const c = await svc.verificationChecks.create({ to: "+15005550006", code: "123456" });
r = v.status + ":" + v.channel + ":" + c.status + ":" + c.valid;`,
			want: "pending:sms:approved:true"},
		{label: "sendgrid-mail", owner: "actions/sendgrid-mail", name: "@sendgrid/mail", deps: map[string]string{"@sendgrid/mail": "latest"},
			use: `const sgMail = require("@sendgrid/mail");
sgMail.setApiKey("SG.test-key");
sgMail.client.setDefaultRequest("baseUrl", SERVER + "/");
const [res] = await sgMail.send({ to: "u1@example.com", from: "noreply@example.com", subject: "Welcome", text: "Hello u1" });
r = res.statusCode + ":" + res.headers["x-message-id"];`,
			want: "202:msg-1"},
		{label: "stripe", owner: "actions/stripe", name: "stripe", deps: map[string]string{"stripe": "latest"},
			use: `const Stripe = require("stripe");
const stripe = new Stripe("sk_test_123", { host: "127.0.0.1", port: PORT, protocol: "https" });
const c = await stripe.customers.create({ email: "u1@example.com", name: "U One", metadata: { auth0_id: "auth0|u1" } });
r = c.id + ":" + c.email + ":" + c.metadata.auth0_id;`,
			want: "cus_123:u1@example.com:auth0|u1"},
		{label: "jwks-rsa", owner: "actions/jwks-rsa", name: "jwks-rsa", deps: map[string]string{"jwks-rsa": "latest", "jsonwebtoken": "latest"},
			use: `const jwksClient = require("jwks-rsa"); const jwt = require("jsonwebtoken");
const client = jwksClient({ jwksUri: SERVER + "/.well-known/jwks.json", cache: true, rateLimit: true });
const token = jwt.sign({ sub: "u1" }, ` + privJS + `, { algorithm: "RS256", keyid: "k1", issuer: SERVER + "/" });
const key = await client.getSigningKey("k1");
r = key.kid + ":" + jwt.verify(token, key.getPublicKey(), { algorithms: ["RS256"], issuer: SERVER + "/" }).sub;`,
			want: "k1:u1"},
		// openid-client 5: the CommonJS major (Issuer, Client) that Actions' examples and code use;
		// 6 is ESM-only with another API (discovery, clientCredentialsGrant).
		{label: "openid-client-v5", owner: "actions/openid-client-v5", name: "openid-client", deps: map[string]string{"openid-client": "^5"},
			use: `const { Issuer } = require("openid-client");
const issuer = await Issuer.discover(SERVER);
const client = new issuer.Client({ client_id: "cid", client_secret: "csecret" });
const ts = await client.grant({ grant_type: "client_credentials", scope: "read:users" });
r = issuer.metadata.issuer.replace(SERVER, "SERVER") + ":" + ts.access_token + ":" + ts.token_type + ":" + ts.expired();`,
			want: "SERVER:at-1:Bearer:false"},
		// 6 is loaded as its README shows for CommonJS (import()), and with require(), which Node
		// 22 (Auth0's) allows for an ES module.
		{label: "openid-client-v6-import", owner: "actions/openid-client-v6", name: "openid-client", deps: map[string]string{"openid-client": "^6"},
			use: `const client = await import("openid-client");
const config = await client.discovery(new URL(SERVER), "cid", "csecret");
const ts = await client.clientCredentialsGrant(config, { scope: "read:users" });
r = config.serverMetadata().issuer.replace(SERVER, "SERVER") + ":" + ts.access_token + ":" + ts.token_type;`,
			want: "SERVER:at-1:bearer"},
		{label: "openid-client-v6-require", owner: "actions/openid-client-v6", name: "openid-client", deps: map[string]string{"openid-client": "^6"},
			use: `const client = require("openid-client");
const config = await client.discovery(new URL(SERVER), "cid", "csecret");
const ts = await client.clientCredentialsGrant(config, { scope: "read:users" });
r = config.serverMetadata().issuer.replace(SERVER, "SERVER") + ":" + ts.access_token + ":" + ts.token_type;`,
			want: "SERVER:at-1:bearer"},
		{label: "xml2js", owner: "actions/xml2js", name: "xml2js", deps: map[string]string{"xml2js": "latest"},
			use: `const xml2js = require("xml2js");
const obj = await xml2js.parseStringPromise('<user id="u1"><email>u1@example.com</email><role>a</role><role>b</role></user>');
const xml = new xml2js.Builder({ headless: true, renderOpts: { pretty: false } }).buildObject(obj);
const again = await xml2js.parseStringPromise(xml);
r = obj.user.$.id + ":" + obj.user.email[0] + ":" + obj.user.role.join(",") + ":" + xml + ":" + again.user.role.length;`,
			want: `u1:u1@example.com:a,b:<user id="u1"><email>u1@example.com</email><role>a</role><role>b</role></user>:2`},
		{label: "xmldom-xpath", owner: "actions/xmldom-xpath", name: "@xmldom/xmldom", deps: map[string]string{"@xmldom/xmldom": "latest", "xpath": "latest"},
			use: `const { DOMParser, XMLSerializer } = require("@xmldom/xmldom"); const xpath = require("xpath");
const doc = new DOMParser().parseFromString(` + strconv.Quote(saml) + `, "text/xml");
const select = xpath.useNamespaces({ samlp: "urn:oasis:names:tc:SAML:2.0:protocol", saml: "urn:oasis:names:tc:SAML:2.0:assertion" });
const email = select("string(//saml:Attribute[@Name='email']/saml:AttributeValue)", doc);
const groups = select("//saml:Attribute[@Name='groups']/saml:AttributeValue/text()", doc).map(n => n.nodeValue);
const status = select("string(/samlp:Response/samlp:Status/samlp:StatusCode/@Value)", doc);
const nameID = select("//saml:NameID", doc, true);
r = email + ":" + groups.join(",") + ":" + status.split(":").pop() + ":" + new XMLSerializer().serializeToString(nameID);`,
			want: `u1@example.com:admins,dev:Success:<saml:NameID xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">u1@example.com</saml:NameID>`},
		{label: "cloudevents", owner: "actions/cloudevents", name: "cloudevents", deps: map[string]string{"cloudevents": "latest"},
			use: `const { CloudEvent, HTTP } = require("cloudevents");
const ce = new CloudEvent({ id: "e1", type: "com.example.user.login", source: "/actions/post-login", data: { user_id: "auth0|u1" } });
const bin = HTTP.binary(ce);
const str = HTTP.structured(ce);
const a = HTTP.toEvent({ headers: bin.headers, body: bin.body });
const b = HTTP.toEvent({ headers: str.headers, body: str.body });
r = bin.headers["ce-type"] + ":" + str.headers["content-type"] + ":" + a.id + ":" + a.data.user_id + ":" + b.type + ":" + b.data.user_id + ":" + b.specversion;`,
			want: "com.example.user.login:application/cloudevents+json; charset=utf-8:e1:auth0|u1:com.example.user.login:auth0|u1:1.0"},
	}
	owners := map[string]map[string]string{}
	for _, row := range rows {
		owners[row.owner] = row.deps
	}
	ctx := context.Background()
	res, inst := popularLock(t, regs, owners)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	for _, row := range rows {
		t.Run(row.label, func(t *testing.T) {
			version := res.Pinned[row.owner][row.name]
			start := time.Now()
			b, err := inst.Install(ctx, res.Lock, row.owner)
			if err != nil {
				t.Fatalf("%s@%s: install: %v", row.name, version, err)
			}
			size := 0
			for _, c := range b.Chunks {
				size += len(c)
			}
			t.Logf("%s@%s: installed and bundled in %v, %d KiB", row.name, version, time.Since(start).Round(time.Millisecond), size>>10)
			start = time.Now()
			defer func() { t.Logf("%s@%s: ran in %v", row.name, version, time.Since(start).Round(time.Millisecond)) }()
			row.use = "const PORT = " + strconv.Itoa(port) + ";\n" + row.use
			runSmoke(t, res.Lock, row.owner, popular{name: row.name, use: row.use, want: row.want, runnerGap: row.runnerGap}, version, b, srv)
		})
	}
}

// saasServer is the TLS stand-in of the services: Twilio's Messages and Verify (under their own
// host names, see saasHosts), SendGrid's mail send, Stripe's customers, a JWKS with pub as key "k1", and an
// OpenID provider (discovery, client_credentials token endpoint). Each checks what the service
// checks and answers 400 naming what is wrong. Its Client trusts it and dials it for saasHosts;
// other hosts than loopback are refused.
func saasServer(t *testing.T, pub *rsa.PublicKey) *httptest.Server {
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if msg := saasServe(w, r, body, srv.URL, pub); msg != "" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]any{"error": "stand-in: " + msg, "message": "stand-in: " + msg, "code": 400, "status": 400})
		}
	})
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{saasCert(t)}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	tr := srv.Client().Transport.(*http.Transport).Clone()
	addr := srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, hostport string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(hostport)
		if err != nil {
			return nil, err
		}
		if slices.Contains(saasHosts, host) {
			hostport = addr
		} else if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("stand-in client: %s is neither loopback nor a stand-in host", hostport)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, hostport)
	}
	srv.Client().Transport = tr
	return srv
}

// saasCert is a self-signed certificate for loopback and saasHosts.
func saasCert(t *testing.T) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "stand-in"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
		DNSNames: append([]string{"localhost"}, saasHosts...), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

var (
	twilioMessages = regexp.MustCompile(`^/2010-04-01/Accounts/(AC[0-9a-f]{32})/Messages\.json$`)
	twilioVerify   = regexp.MustCompile(`^/v2/Services/(VA[0-9a-f]{32})/(Verifications|VerificationCheck)$`)
)

// saasServe answers one request as the service would, or returns what is wrong with it.
func saasServe(w http.ResponseWriter, r *http.Request, body []byte, self string, pub *rsa.PublicKey) string {
	form := func(want map[string]string) string {
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			return "content-type " + ct
		}
		got, err := url.ParseQuery(string(body))
		if err != nil {
			return err.Error()
		}
		for k, v := range want {
			if got.Get(k) != v {
				return fmt.Sprintf("form %s = %q, want %q (body %s)", k, got.Get(k), v, body)
			}
		}
		return ""
	}
	reply := func(status int, v any) string {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
		return ""
	}
	switch m := twilioMessages.FindStringSubmatch(r.URL.Path); {
	case m != nil:
		if r.Host != "api.twilio.com" || r.Method != http.MethodPost {
			return "twilio: " + r.Method + " to host " + r.Host
		}
		if u, p, ok := r.BasicAuth(); !ok || u != m[1] || p != "authtoken" {
			return "twilio: basic auth"
		}
		if msg := form(map[string]string{"To": "+15005550006", "From": "+15005550001", "Body": "Your code is 1234"}); msg != "" {
			return "twilio: " + msg
		}
		return reply(http.StatusCreated, map[string]any{"sid": "SM0123", "account_sid": m[1], "status": "queued",
			"to": "+15005550006", "from": "+15005550001", "body": "Your code is 1234", "date_created": "Mon, 07 Dec 2026 10:00:00 +0000"})
	case strings.HasPrefix(r.URL.Path, "/v2/Services/"):
		m := twilioVerify.FindStringSubmatch(r.URL.Path)
		if m == nil || r.Host != "verify.twilio.com" || r.Method != http.MethodPost {
			return "twilio verify: " + r.Method + " " + r.URL.Path + " to host " + r.Host
		}
		if u, p, ok := r.BasicAuth(); !ok || u != "AC0123456789abcdef0123456789abcdef" || p != "authtoken" {
			return "twilio verify: basic auth"
		}
		if m[2] == "Verifications" {
			if msg := form(map[string]string{"To": "+15005550006", "Channel": "sms"}); msg != "" {
				return "twilio verify: " + msg
			}
			return reply(http.StatusCreated, map[string]any{"sid": "VE0123", "service_sid": m[1], "to": "+15005550006", "channel": "sms", "status": "pending", "valid": false})
		}
		if msg := form(map[string]string{"To": "+15005550006", "Code": "123456"}); msg != "" {
			return "twilio verify: " + msg
		}
		return reply(http.StatusOK, map[string]any{"sid": "VE0123", "service_sid": m[1], "to": "+15005550006", "channel": "sms", "status": "approved", "valid": true})
	case r.URL.Path == "/v3/mail/send":
		if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer SG.test-key" {
			return "sendgrid: " + r.Method + " with authorization " + strconv.Quote(r.Header.Get("Authorization"))
		}
		var got struct {
			Personalizations []struct {
				To []struct{ Email string } `json:"to"`
			} `json:"personalizations"`
			From    struct{ Email string } `json:"from"`
			Subject string                 `json:"subject"`
			Content []struct{ Type, Value string }
		}
		if err := json.Unmarshal(body, &got); err != nil || len(got.Personalizations) != 1 || len(got.Personalizations[0].To) != 1 ||
			got.Personalizations[0].To[0].Email != "u1@example.com" || got.From.Email != "noreply@example.com" || got.Subject != "Welcome" ||
			len(got.Content) != 1 || got.Content[0].Type != "text/plain" || got.Content[0].Value != "Hello u1" {
			return "sendgrid: body " + string(body)
		}
		w.Header().Set("X-Message-Id", "msg-1")
		w.WriteHeader(http.StatusAccepted)
		return ""
	case r.URL.Path == "/v1/customers":
		if u, _, ok := r.BasicAuth(); r.Method != http.MethodPost || (!ok || u != "sk_test_123") && r.Header.Get("Authorization") != "Bearer sk_test_123" {
			return "stripe: " + r.Method + " with authorization " + strconv.Quote(r.Header.Get("Authorization"))
		}
		if msg := form(map[string]string{"email": "u1@example.com", "name": "U One", "metadata[auth0_id]": "auth0|u1"}); msg != "" {
			return "stripe: " + msg
		}
		return reply(http.StatusOK, map[string]any{"id": "cus_123", "object": "customer", "email": "u1@example.com", "name": "U One",
			"metadata": map[string]string{"auth0_id": "auth0|u1"}, "livemode": false})
	case r.URL.Path == "/.well-known/jwks.json":
		b64 := base64.RawURLEncoding.EncodeToString
		return reply(http.StatusOK, map[string]any{"keys": []any{map[string]string{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "k1",
			"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes())}}})
	case r.URL.Path == "/.well-known/openid-configuration":
		return reply(http.StatusOK, map[string]any{"issuer": self, "token_endpoint": self + "/oauth/token",
			"authorization_endpoint": self + "/authorize", "jwks_uri": self + "/.well-known/jwks.json",
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"}})
	case r.URL.Path == "/oauth/token":
		id, secret, ok := r.BasicAuth()
		if !ok {
			f, _ := url.ParseQuery(string(body))
			id, secret = f.Get("client_id"), f.Get("client_secret")
		} else {
			id, _ = url.QueryUnescape(id)
			secret, _ = url.QueryUnescape(secret)
		}
		if r.Method != http.MethodPost || id != "cid" || secret != "csecret" {
			return "oidc: " + r.Method + " with client " + strconv.Quote(id)
		}
		if msg := form(map[string]string{"grant_type": "client_credentials", "scope": "read:users"}); msg != "" {
			return "oidc: " + msg
		}
		w.Header().Set("Cache-Control", "no-store")
		return reply(http.StatusOK, map[string]any{"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600})
	}
	return "no route for " + r.Method + " " + r.URL.Path
}

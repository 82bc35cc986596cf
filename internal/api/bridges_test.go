package api

import (
	"strconv"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// supabaseSecret is a Standard Webhooks secret as Supabase shows it.
const supabaseSecret = "v1,whsec_dGVzdC1zZWNyZXQtb2YtdGhlLXN1cGFiYXNlLWJyaWRnZQ=="

// supabaseHeaders signs body with the reference Standard Webhooks library, as Supabase does.
func supabaseHeaders(t testing.TB, id string, at time.Time, body string) map[string]string {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(supabaseSecret[len("v1,"):])
	if err != nil {
		t.Fatal(err)
	}
	sig, err := wh.Sign(id, at, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"webhook-id": id, "webhook-timestamp": strconv.FormatInt(at.Unix(), 10), "webhook-signature": sig}
}

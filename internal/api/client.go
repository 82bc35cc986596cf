package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/actionsd/actionsd/internal/peers"
	"github.com/actionsd/actionsd/sync"
)

// GetStatus is the client of GET /v1/status, for `actionsd status`: it asks the daemon at addr
// (a base URL, or host:port for http) with the bearer token when not "", and returns the status
// and the document as the daemon sent it. A status other than 200 is an error with the body.
func GetStatus(ctx context.Context, addr, token string) (sync.Status, []byte, error) {
	var st sync.Status
	raw, err := getStatus(ctx, addr, token, "", &st)
	return st, raw, err
}

// GetStatusWithPeers is GetStatus with ?peers=1: the status and what each peer serves.
func GetStatusWithPeers(ctx context.Context, addr, token string) (sync.Status, []peers.Status, []byte, error) {
	var st statusWithPeers
	raw, err := getStatus(ctx, addr, token, "?peers=1", &st)
	return st.Status, st.Peers, raw, err
}

// StatusError is a status other than 200 from the daemon, with the body it sent.
type StatusError struct {
	Code   int
	Status string // "401 Unauthorized"
	Body   string
}

func (e *StatusError) Error() string { return fmt.Sprintf("status: %s: %s", e.Status, e.Body) }

func getStatus(ctx context.Context, addr, token, query string, into any) ([]byte, error) {
	resp, err := request(ctx, http.MethodGet, addr, token, "/v1/status"+query)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	defer resp.Body.Close()
	raw, err := readOK(resp)
	var se *StatusError
	if errors.As(err, &se) {
		return nil, err
	}
	if err == nil {
		err = json.Unmarshal(raw, into)
	}
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	return raw, nil
}

// Call is a client of the daemon's JSON routes, for the CLI: it sends method path (with its query)
// to the daemon at addr with the bearer token when not "", decodes a 200 answer into into (unless
// nil) and returns the document as sent. Another status is a *StatusError with the body.
func Call(ctx context.Context, method, addr, path, token string, into any) ([]byte, error) {
	resp, err := request(ctx, method, addr, token, path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := readOK(resp)
	if err != nil {
		return nil, err
	}
	if into != nil {
		if err := json.Unmarshal(raw, into); err != nil {
			return nil, err
		}
	}
	return raw, nil
}

// request sends method path (with its query), without a body, to the daemon at addr (a base URL,
// or host:port for http) with the bearer token when not "".
func request(ctx context.Context, method, addr, token, path string) (*http.Response, error) {
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(addr, "/")+path, nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return http.DefaultClient.Do(req)
}

// readOK reads a response's body: a status other than 200 is a *StatusError with it.
func readOK(resp *http.Response) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", resp.Request.Method, resp.Request.URL.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{Code: resp.StatusCode, Status: resp.Status, Body: strings.TrimSpace(string(raw))}
	}
	return raw, nil
}

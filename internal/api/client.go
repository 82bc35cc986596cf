package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/actionsd/actionsd/sync"
)

// GetStatus is the client of GET /v1/status, for `actionsd status`: it asks the daemon at addr
// (a base URL, or host:port for http) with the bearer token when not "", and returns the status
// and the document as the daemon sent it. A status other than 200 is an error with the body.
func GetStatus(ctx context.Context, addr, token string) (sync.Status, []byte, error) {
	var st sync.Status
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(addr, "/")+"/v1/status", nil)
	if err != nil {
		return st, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return st, nil, fmt.Errorf("status: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return st, nil, fmt.Errorf("status: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return st, nil, fmt.Errorf("status: %s: %s", resp.Status, strings.TrimSpace(string(raw)))
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return st, nil, fmt.Errorf("status: %w", err)
	}
	return st, raw, nil
}

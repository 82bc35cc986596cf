package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// ExecutionsPage is a page of GET /v1/executions: the records, newest first, as the daemon sent
// them (the shape of internal/history.Record), and the cursor of the next page ("" on the last).
type ExecutionsPage struct {
	Executions []json.RawMessage `json:"executions"`
	Next       string            `json:"next,omitempty"`
}

// GetExecutions is the client of GET /v1/executions, for `actionsd logs`: query holds the
// filters, limit and cursor. A status other than 200 is a *StatusError.
func GetExecutions(ctx context.Context, addr, token string, query url.Values) (ExecutionsPage, error) {
	var page ExecutionsPage
	resp, err := get(ctx, addr, token, "/v1/executions", query)
	if err != nil {
		return page, err
	}
	defer resp.Body.Close()
	raw, err := readOK(resp)
	if err != nil {
		return page, err
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		return page, fmt.Errorf("GET /v1/executions: %w", err)
	}
	return page, nil
}

// StreamExecutions is the client of GET /v1/executions/stream: it calls each with every record
// the daemon sends, until ctx ends (nil), the daemon closes the stream (io.EOF) or each returns an
// error (that error). missed is called when the daemon says the client fell behind; nil: ignored.
func StreamExecutions(ctx context.Context, addr, token string, query url.Values, each func(json.RawMessage) error, missed func(n int)) error {
	resp, err := get(ctx, addr, token, "/v1/executions/stream", query)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, err := readOK(resp)
		return err
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			event = ""
		case strings.HasPrefix(line, ":"): // a comment: the heartbeat
		case strings.HasPrefix(line, "event: "):
			event = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			data := []byte(line[len("data: "):])
			switch event {
			case "execution":
				if err := each(json.RawMessage(data)); err != nil {
					return err
				}
			case "missed":
				var m struct {
					Missed int `json:"missed"`
				}
				if json.Unmarshal(data, &m) == nil && missed != nil {
					missed(m.Missed)
				}
			}
		}
	}
	if ctx.Err() != nil {
		return nil
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("GET /v1/executions/stream: %w", err)
	}
	return io.EOF
}

// get sends GET path?query to the daemon at addr with the bearer token when not "".
func get(ctx context.Context, addr, token, path string, query url.Values) (*http.Response, error) {
	target := path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	resp, err := request(ctx, http.MethodGet, addr, token, target)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	return resp, nil
}

package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// startToReady starts `actionsd serve` on each repository in turn, runs times round, and prints
// the time from exec to the first 200 from /readyz of each start and the medians. The first
// start of each repository (which fills its data dir) is not counted.
func startToReady(bin string, repos, dataDirs []string, runs int) error {
	if len(repos) == 0 || len(repos) != len(dataDirs) {
		return errors.New("-ready needs one -data-dir per -repo")
	}
	times := make([][]time.Duration, len(repos))
	for round := 0; round <= runs; round++ {
		for i := range repos {
			d, err := startOnce(bin, repos[i], dataDirs[i])
			if err != nil {
				return fmt.Errorf("%s: %w", repos[i], err)
			}
			if round > 0 {
				times[i] = append(times[i], d)
			}
		}
	}
	for i, ts := range times {
		s := slices.Clone(ts)
		slices.Sort(s)
		fmt.Printf("start_to_ready repo=%d p50_ms=%.1f min_ms=%.1f max_ms=%.1f\n", i, ms(s[len(s)/2]), ms(s[0]), ms(s[len(s)-1]))
	}
	return nil
}

func startOnce(bin, repo, dataDir string) (time.Duration, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	addr := ln.Addr().String()
	ln.Close()
	empty, err := os.CreateTemp("", "actionsd-bench-secrets-*.yaml")
	if err != nil {
		return 0, err
	}
	empty.Close()
	defer os.Remove(empty.Name())
	cmd := exec.Command(bin, "serve", "--repo", repo, "--data-dir", dataDir, "--addr", addr,
		"--secrets-file", empty.Name(), "--poll-interval", "0", "--watch=false", "--log-level", "error")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	client := &http.Client{Timeout: time.Second}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	for time.Since(start) < 60*time.Second {
		resp, err := client.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	return 0, fmt.Errorf("not ready after 60 s: %s", stderr.String())
}

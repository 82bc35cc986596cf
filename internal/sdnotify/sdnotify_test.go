package sdnotify

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// Send delivers each state as one datagram to a real unix socket, by path and by abstract name.
func TestSend(t *testing.T) {
	dir, err := os.MkdirTemp("", "sdn") // short: a socket path has at most 107 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for _, name := range []string{filepath.Join(dir, "notify"), "@actionsd-sdnotify-test-" + strconv.Itoa(os.Getpid())} {
		conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
		if err != nil {
			t.Fatal(err)
		}
		n, err := FromEnv(env(map[string]string{"NOTIFY_SOCKET": name}))
		if err != nil || !n.Enabled() {
			t.Fatalf("%s: enabled %v, %v", name, n.Enabled(), err)
		}
		if err := n.Send(Ready + "\nSTATUS=x"); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 256)
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		k, err := conn.Read(buf)
		if err != nil || string(buf[:k]) != "READY=1\nSTATUS=x" {
			t.Errorf("%s: got %q, %v", name, buf[:k], err)
		}
		conn.Close()
	}
}

func TestFromEnv(t *testing.T) {
	n, err := FromEnv(env(nil))
	if err != nil || n.Enabled() || n.Send(Ready) != nil {
		t.Errorf("unset: enabled %v, %v", n.Enabled(), err)
	}
	if _, err := FromEnv(env(map[string]string{"NOTIFY_SOCKET": "relative"})); err == nil {
		t.Error("a relative path: no error")
	}
}

func TestWatchdogInterval(t *testing.T) {
	me := strconv.Itoa(os.Getpid())
	for _, c := range []struct {
		usec, pid string
		want      time.Duration
		bad       bool
	}{
		{"", "", 0, false},
		{"2000000", "", 2 * time.Second, false},
		{"2000000", me, 2 * time.Second, false},
		{"2000000", "1", 0, false},
		{"0", "", 0, true},
		{"x", "", 0, true},
	} {
		got, err := WatchdogInterval(env(map[string]string{"WATCHDOG_USEC": c.usec, "WATCHDOG_PID": c.pid}))
		if got != c.want || (err != nil) != c.bad {
			t.Errorf("WATCHDOG_USEC=%q WATCHDOG_PID=%q: %v, %v", c.usec, c.pid, got, err)
		}
	}
}

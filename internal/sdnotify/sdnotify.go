// Package sdnotify speaks systemd's notify protocol (sd_notify(3)): datagrams of "KEY=VALUE"
// lines sent to the unix socket that $NOTIFY_SOCKET names (a path, or an abstract name starting
// with '@'), and the watchdog interval that $WATCHDOG_USEC asks for. Without $NOTIFY_SOCKET
// (not run by systemd with Type=notify) every call does nothing.
package sdnotify

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

// Messages the daemon sends.
const (
	Ready    = "READY=1"
	Stopping = "STOPPING=1"
	Watchdog = "WATCHDOG=1"
)

// Notifier sends to one notify socket.
type Notifier struct {
	addr *net.UnixAddr // nil: no socket, nothing is sent
}

// FromEnv returns a Notifier for $NOTIFY_SOCKET (one that sends nothing when it is unset), or an
// error naming a value that is not a socket address.
func FromEnv(getenv func(string) string) (*Notifier, error) {
	name := getenv("NOTIFY_SOCKET")
	if name == "" {
		return &Notifier{}, nil
	}
	if name[0] != '/' && name[0] != '@' {
		return &Notifier{}, fmt.Errorf("NOTIFY_SOCKET %q: want an absolute path or an abstract name starting with @", name)
	}
	// Go's net package turns a leading '@' into the NUL byte of an abstract socket name.
	return &Notifier{addr: &net.UnixAddr{Name: name, Net: "unixgram"}}, nil
}

// Enabled reports whether a notify socket is set.
func (n *Notifier) Enabled() bool { return n.addr != nil }

// Send sends state (one or more newline-separated KEY=VALUE lines) as one datagram.
func (n *Notifier) Send(state string) error {
	if n.addr == nil {
		return nil
	}
	conn, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("notify socket %s: %w", n.addr.Name, err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("notify socket %s: %w", n.addr.Name, err)
	}
	return nil
}

// WatchdogInterval is how often systemd expects WATCHDOG=1: $WATCHDOG_USEC, when set for this
// process ($WATCHDOG_PID unset or our pid); 0 when no watchdog is asked for. A value that is not
// a positive number of microseconds is an error.
func WatchdogInterval(getenv func(string) string) (time.Duration, error) {
	us := getenv("WATCHDOG_USEC")
	if us == "" {
		return 0, nil
	}
	if pid := getenv("WATCHDOG_PID"); pid != "" && pid != strconv.Itoa(os.Getpid()) {
		return 0, nil // meant for another process
	}
	n, err := strconv.ParseInt(us, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("WATCHDOG_USEC %q: want a positive number of microseconds", us)
	}
	return time.Duration(n) * time.Microsecond, nil
}

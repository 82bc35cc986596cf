package daemon

import (
	"context"
	"fmt"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/sdnotify"
)

// readyPoll is how often the daemon looks for its first serving generation to tell systemd
// READY=1; the reconciler has no "generation swapped" signal of its own, and a look is one
// atomic load.
const readyPoll = 50 * time.Millisecond

// notifySystemd speaks systemd's notify protocol when $NOTIFY_SOCKET is set (Type=notify):
// READY=1 once a generation serves (not merely once the first reconcile ended: a broken first
// commit leaves the daemon not ready until a good one is swapped in), WATCHDOG=1 every half of
// $WATCHDOG_USEC for as long as the daemon runs, and STOPPING=1 when ctx ends. It returns when
// ctx ends.
func (d *Daemon) notifySystemd(ctx context.Context) {
	n, err := sdnotify.FromEnv(os.Getenv)
	if err != nil {
		d.log.Warn("systemd notify disabled", zap.Error(err))
		return
	}
	if !n.Enabled() {
		return
	}
	send := func(state string) {
		if err := n.Send(state); err != nil {
			d.log.Warn("systemd notify", zap.String("state", state), zap.Error(err))
		}
	}
	var watchdog <-chan time.Time
	interval, err := sdnotify.WatchdogInterval(os.Getenv)
	if err != nil {
		d.log.Warn("systemd watchdog disabled", zap.Error(err))
	}
	if interval > 0 {
		t := time.NewTicker(interval / 2)
		defer t.Stop()
		watchdog = t.C
		send(sdnotify.Watchdog)
	}
	poll := time.NewTicker(readyPoll)
	defer poll.Stop()
	ready := false
	check := func() {
		if gen := d.rec.Current(); gen != nil && !ready {
			ready = true
			send(fmt.Sprintf("%s\nSTATUS=serving generation %d (commit %s)", sdnotify.Ready, gen.Number(), gen.Commit()))
			poll.Stop()
		}
	}
	check()
	for {
		select {
		case <-ctx.Done():
			send(sdnotify.Stopping)
			return
		case <-poll.C:
			check()
		case <-watchdog:
			send(sdnotify.Watchdog)
		}
	}
}

// Package progress tells the user how long work advances: resolving and fetching npm packages,
// vendoring, the first clone of a repository. Work reports phases to a Reporter; a nil Reporter is
// silent and costs nothing. On a terminal, Bar redraws one line with a bar, counts and bytes;
// elsewhere Lines gives one line when a phase starts and one when it ends.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Reporter is told when a phase of long work begins. It is safe for concurrent use.
type Reporter interface {
	// Begin starts a phase named for the user ("fetching npm packages") with total items to go
	// (0: not known).
	Begin(name string, total int) Phase
}

// Phase is one phase of work under way. Its methods are safe for concurrent use.
type Phase interface {
	// Add counts items done and bytes transferred.
	Add(items int, bytes int64)
	// Note shows a short text of the phase's own (a git server's "Receiving objects: 45%").
	Note(text string)
	// End ends the phase; err is why it failed, or nil.
	End(err error)
}

// Begin starts a phase on r, or returns a phase that does nothing when r is nil.
func Begin(r Reporter, name string, total int) Phase {
	if r == nil {
		return nop{}
	}
	return r.Begin(name, total)
}

type nop struct{}

func (nop) Add(int, int64) {}
func (nop) Note(string)    {}
func (nop) End(error)      {}

// Event is what Lines reports: a phase that began (Done false) or ended.
type Event struct {
	Phase   string
	Done    bool
	Total   int // items to go, 0 when not known
	Items   int // items done (when Done)
	Bytes   int64
	Elapsed time.Duration
	Err     error
}

// String is the event as a line: "fetching npm packages: 40 to go" or "fetching npm packages:
// 40 done, 3.1 MB in 1.2s".
func (e Event) String() string {
	if !e.Done {
		if e.Total > 0 {
			return fmt.Sprintf("%s: %d to go", e.Phase, e.Total)
		}
		return e.Phase + "…"
	}
	s := fmt.Sprintf("%s: %d done", e.Phase, e.Items)
	if e.Bytes > 0 {
		s += ", " + Size(e.Bytes)
	}
	s += " in " + e.Elapsed.Round(time.Millisecond).String()
	if e.Err != nil {
		s += " (failed: " + e.Err.Error() + ")"
	}
	return s
}

// Lines is a Reporter that calls emit once when a phase begins and once when it ends: for logs
// and output that is not a terminal.
func Lines(emit func(Event)) Reporter { return lines{emit} }

type lines struct{ emit func(Event) }

func (l lines) Begin(name string, total int) Phase {
	l.emit(Event{Phase: name, Total: total})
	return &linePhase{emit: l.emit, name: name, total: total, start: time.Now()}
}

type linePhase struct {
	emit  func(Event)
	name  string
	total int
	start time.Time

	mu    sync.Mutex
	items int
	bytes int64
	ended bool
}

func (p *linePhase) Add(items int, bytes int64) {
	p.mu.Lock()
	p.items += items
	p.bytes += bytes
	p.mu.Unlock()
}

func (p *linePhase) Note(string) {}

func (p *linePhase) End(err error) {
	p.mu.Lock()
	if p.ended {
		p.mu.Unlock()
		return
	}
	p.ended = true
	ev := Event{Phase: p.name, Done: true, Total: p.total, Items: p.items, Bytes: p.bytes, Elapsed: time.Since(p.start), Err: err}
	p.mu.Unlock()
	p.emit(ev)
}

// Bar is a Reporter for a terminal: each phase redraws one line of w (at most every interval)
// with a bar when its total is known, the items done, the bytes and its note, and ends the line
// when the phase ends. Phases that overlap share the line, the last one drawing.
func Bar(w io.Writer, width int, interval time.Duration) Reporter {
	if width < 40 {
		width = 80
	}
	return &bar{w: w, width: width, interval: interval}
}

type bar struct {
	w        io.Writer
	width    int
	interval time.Duration
	mu       sync.Mutex // serialises drawing
}

func (b *bar) Begin(name string, total int) Phase {
	p := &barPhase{b: b, name: name, total: total, start: time.Now()}
	p.draw(true, "")
	return p
}

type barPhase struct {
	b     *bar
	name  string
	total int
	start time.Time

	mu    sync.Mutex
	items int
	bytes int64
	note  string
	drawn time.Time
	ended bool
}

func (p *barPhase) Add(items int, bytes int64) {
	p.mu.Lock()
	p.items += items
	p.bytes += bytes
	p.mu.Unlock()
	p.draw(false, "")
}

func (p *barPhase) Note(text string) {
	p.mu.Lock()
	p.note = strings.TrimSpace(text)
	p.mu.Unlock()
	p.draw(false, "")
}

func (p *barPhase) End(err error) {
	end := "\n"
	if err != nil {
		end = " failed\n"
	}
	p.draw(true, end)
}

// draw redraws the phase's line unless it was drawn less than an interval ago (force draws);
// end, when not "", ends the line and the phase.
func (p *barPhase) draw(force bool, end string) {
	p.mu.Lock()
	if p.ended || (!force && time.Since(p.drawn) < p.b.interval) {
		p.mu.Unlock()
		return
	}
	p.drawn = time.Now()
	if end != "" {
		p.ended = true
	}
	line := p.line()
	p.mu.Unlock()
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	fmt.Fprintf(p.b.w, "\r\x1b[K%s%s", line, end)
}

// line is the phase's line, cut to the terminal's width. p.mu is held.
func (p *barPhase) line() string {
	var s strings.Builder
	s.WriteString(p.name)
	if p.total > 0 {
		const cells = 24
		done := min(cells, p.items*cells/p.total)
		s.WriteString(" [" + strings.Repeat("=", done) + strings.Repeat(" ", cells-done) + "] ")
		fmt.Fprintf(&s, "%d/%d", p.items, p.total)
	} else if p.items > 0 {
		fmt.Fprintf(&s, " %d", p.items)
	}
	if p.bytes > 0 {
		s.WriteString("  " + Size(p.bytes))
	}
	if p.note != "" {
		s.WriteString("  " + p.note)
	}
	r := []rune(s.String())
	if len(r) > p.b.width-1 {
		r = r[:p.b.width-1]
	}
	return string(r)
}

// Size is n bytes for a person: "512 B", "3.1 kB", "12.4 MB".
func Size(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f GB", float64(n)/1e9)
}

// NoteWriter is a writer whose text becomes phase's note, the last line written: a git server's
// progress messages ("Compressing objects:  45% (450/1000)\r").
func NoteWriter(phase Phase) io.Writer { return noteWriter{phase} }

type noteWriter struct{ p Phase }

func (w noteWriter) Write(b []byte) (int, error) {
	lines := strings.FieldsFunc(string(b), func(r rune) bool { return r == '\r' || r == '\n' })
	for i := len(lines) - 1; i >= 0; i-- {
		if t := strings.TrimSpace(lines[i]); t != "" {
			w.p.Note(t)
			break
		}
	}
	return len(b), nil
}

// CountingReader is r that adds the bytes read to phase.
func CountingReader(r io.Reader, phase Phase) io.Reader {
	if _, ok := phase.(nop); ok {
		return r
	}
	return &counting{r: r, p: phase}
}

type counting struct {
	r io.Reader
	p Phase
}

func (c *counting) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	if n > 0 {
		c.p.Add(0, int64(n))
	}
	return n, err
}

// Package tty decides whether the command line's output and the console log are coloured, as the
// conventions say: on a terminal, unless NO_COLOR is set (https://no-color.org), or as --color
// always|never forces; and it colours lines of text.
package tty

import (
	"bytes"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// The values of --color.
const (
	Auto   = "auto"
	Always = "always"
	Never  = "never"
)

// Modes are the values --color accepts.
var Modes = []string{Auto, Always, Never}

// Enabled reports whether output to w is coloured under mode: always, never, or (auto) when w is
// a terminal and NO_COLOR is unset or empty. getenv is os.Getenv outside tests.
func Enabled(mode string, w io.Writer, getenv func(string) string) bool {
	switch mode {
	case Always:
		return true
	case Never:
		return false
	}
	if getenv("NO_COLOR") != "" {
		return false
	}
	_, ok := Terminal(w)
	return ok
}

// Terminal reports whether w is a terminal, and its width in columns (0 when not known): the
// check that decides colour also decides whether progress is drawn as a bar.
func Terminal(w io.Writer) (width int, ok bool) {
	f, isFile := w.(*os.File)
	if !isFile || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	width, _, _ = term.GetSize(int(f.Fd()))
	return width, true
}

// The SGR colours the command line uses.
const (
	Red    = "\x1b[31m"
	Green  = "\x1b[32m"
	Yellow = "\x1b[33m"
	Bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

// Paint wraps s in colour.
func Paint(colour, s string) string { return colour + s + reset }

// Lines is a writer that passes each complete line of text through colour (which returns the
// colour for a line, or "" to leave it as it is) on its way to w. Close writes a last line that
// has no newline.
type Lines struct {
	w      io.Writer
	colour func(line string) string
	buf    bytes.Buffer
}

// NewLines returns a Lines writer to w.
func NewLines(w io.Writer, colour func(line string) string) *Lines {
	return &Lines{w: w, colour: colour}
}

func (l *Lines) Write(p []byte) (int, error) {
	l.buf.Write(p)
	for {
		i := bytes.IndexByte(l.buf.Bytes(), '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(l.buf.Next(i + 1))
		if err := l.emit(strings.TrimSuffix(line, "\n"), "\n"); err != nil {
			return len(p), err
		}
	}
}

// Close writes what is left of the last line.
func (l *Lines) Close() error {
	if l.buf.Len() == 0 {
		return nil
	}
	return l.emit(string(l.buf.Next(l.buf.Len())), "")
}

func (l *Lines) emit(line, end string) error {
	if c := l.colour(line); c != "" && line != "" {
		line = Paint(c, line)
	}
	_, err := io.WriteString(l.w, line+end)
	return err
}

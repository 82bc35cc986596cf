package progress

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLines(t *testing.T) {
	var got []string
	r := Lines(func(e Event) { got = append(got, e.String()) })
	p := r.Begin("fetching npm packages", 2)
	p.Add(1, 1500)
	p.Add(1, 0)
	p.End(nil)
	p.End(nil) // once
	if len(got) != 2 || got[0] != "fetching npm packages: 2 to go" || !strings.HasPrefix(got[1], "fetching npm packages: 2 done, 1.5 kB in ") {
		t.Errorf("got %q", got)
	}
	got = nil
	r.Begin("cloning x", 0).End(errors.New("boom"))
	if len(got) != 2 || got[0] != "cloning x…" || !strings.HasSuffix(got[1], "(failed: boom)") {
		t.Errorf("got %q", got)
	}
}

func TestBar(t *testing.T) {
	var out bytes.Buffer
	p := Bar(&out, 80, time.Hour).Begin("vendoring", 4)
	p.Add(1, 10) // within the interval: not drawn
	p.End(nil)
	want := "\r\x1b[Kvendoring [      " + strings.Repeat(" ", 18) + "] 0/4" +
		"\r\x1b[Kvendoring [======" + strings.Repeat(" ", 18) + "] 1/4  10 B\n"
	if out.String() != want {
		t.Errorf("got  %q\nwant %q", out.String(), want)
	}
	out.Reset()
	q := Bar(&out, 40, 0).Begin("cloning https://example.invalid/a/very/long/repository/name.git", 0)
	NoteWriter(q).Write([]byte("Counting objects: 10% (1/10)\rCounting objects: 100% (10/10), done.\n"))
	if lines := strings.Split(out.String(), "\r\x1b[K"); len([]rune(lines[len(lines)-1])) > 39 || !strings.Contains(out.String(), "cloning https") {
		t.Errorf("a line wider than the terminal: %q", out.String())
	}
}

func TestNilReporterIsSilent(t *testing.T) {
	p := Begin(nil, "x", 1)
	p.Add(1, 1)
	p.End(nil)
	r := strings.NewReader("abc")
	if CountingReader(r, p) != r {
		t.Error("a silent phase wraps the reader")
	}
}

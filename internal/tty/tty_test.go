package tty

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestEnabled(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "NO_COLOR" {
				return v
			}
			return ""
		}
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct {
		mode, noColor string
		want          bool
	}{
		{Auto, "", false}, // a file is not a terminal
		{Always, "1", true},
		{Never, "", false},
		{Auto, "1", false},
	} {
		if got := Enabled(c.mode, f, env(c.noColor)); got != c.want {
			t.Errorf("Enabled(%s, file, NO_COLOR=%q) = %v, want %v", c.mode, c.noColor, got, c.want)
		}
	}
	if Enabled(Auto, &bytes.Buffer{}, env("")) {
		t.Error("a buffer is not a terminal")
	}
}

func TestLines(t *testing.T) {
	var out bytes.Buffer
	l := NewLines(&out, func(line string) string {
		if strings.HasPrefix(line, "FAIL") {
			return Red
		}
		return ""
	})
	for _, chunk := range []string{"PASS a\nFA", "IL b\n\nFAIL c"} {
		if _, err := l.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	want := "PASS a\n" + Red + "FAIL b" + reset + "\n\n" + Red + "FAIL c" + reset
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

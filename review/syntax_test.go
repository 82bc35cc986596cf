package review

import "testing"

// TestSyntaxErrorPosition: the position is where the parser stopped, as node --check reports it
// (goja's parser said line 3, column 1 for the first case), with the line's text.
func TestSyntaxErrorPosition(t *testing.T) {
	for _, tt := range []struct {
		src       string
		line, col int
		source    string
	}{
		{"exports.onExecutePostLogin = async (event, api) => {\n  const x = {;\n};\n", 2, 14, "  const x = {;"},
		{"const s = 'é'; const = 3;\n", 1, 22, "const s = 'é'; const = 3;"},
	} {
		d := SyntaxError("actions/a/index.js", []byte(tt.src))
		if d == nil {
			t.Fatalf("%q: no syntax error", tt.src)
		}
		if d.Line != tt.line || d.Col != tt.col || d.Source != tt.source {
			t.Errorf("%q: %d:%d %q (%s), want %d:%d %q", tt.src, d.Line, d.Col, d.Source, d.Message, tt.line, tt.col, tt.source)
		}
	}
	if d := SyntaxError("actions/a/index.js", []byte("exports.x = async () => { await 1; };\n")); d != nil {
		t.Errorf("valid code: %v", d)
	}
}

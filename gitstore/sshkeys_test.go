package gitstore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ReadSSHKeys takes authorized_keys and allowed_signers lines, and names the file and line of one
// that holds no key.
func TestReadSSHKeys(t *testing.T) {
	const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm9o1Y7qVZ2Q2kX0m1gYxQhQ3v2m4l3pXy7cG5m0b1c"
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	if err := os.WriteFile(good, []byte("# trusted\n\n"+key+" alice\nbob@example.invalid,carol@example.invalid namespaces=\"git\" "+key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, err := ReadSSHKeys(good)
	if err != nil || len(keys) != 2 || keys[0].Key.Type() != "ssh-ed25519" {
		t.Fatalf("ReadSSHKeys: %d keys, %v; want 2 ed25519 keys", len(keys), err)
	}
	// Options of allowed_signers: a key for other namespaces is left out, a window is kept,
	// certificate authorities and unknown options are refused.
	opts := filepath.Join(dir, "opts")
	if err := os.WriteFile(opts, []byte("a@x namespaces=\"file\" "+key+"\nb@x namespaces=\"file,git\",valid-after=\"20200102Z\",valid-before=\"203001020304Z\" "+key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, err = ReadSSHKeys(opts)
	if err != nil || len(keys) != 1 || keys[0].ValidAfter.Format("20060102") != "20200102" || keys[0].ValidBefore.Format("200601021504") != "203001020304" {
		t.Errorf("options: %+v, %v; want the git key only, with its window", keys, err)
	}
	for _, line := range []string{"a@x cert-authority " + key, "a@x no-touch-required " + key, "a@x valid-before=\"tomorrow\" " + key} {
		f := filepath.Join(dir, "refused")
		if err := os.WriteFile(f, []byte(line+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadSSHKeys(f); err == nil || !strings.Contains(err.Error(), f+":1") {
			t.Errorf("%q: got %v, want an error naming %s:1", line, err, f)
		}
	}

	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte(key+"\nnot a key at all\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSSHKeys(bad); err == nil || !strings.Contains(err.Error(), bad+":2") {
		t.Errorf("a line without a key: got %v, want an error naming %s:2", err, bad)
	}
}

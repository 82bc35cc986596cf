package deploy

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// imageFiles are the repository files the image's build context needs in SOURCE=local mode.
var imageFiles = []string{"Dockerfile", ".dockerignore", "deploy/image/passwd", "deploy/image/group", "deploy/image/data/README.md"}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// imageEntry is one file of the image's filesystem, the last layer that wrote it winning.
type imageEntry struct {
	hdr  *tar.Header
	data []byte
}

// TestImage builds the image from a binary built here (no base image is pulled) with podman, and
// checks its configuration (user, entrypoint, command, volume, environment, OCI labels) and its
// filesystem, read from `podman save`: no shell or other program beside the static binary, the
// uid 65532 named in /etc/passwd, the CA bundle, and the data folder owned by 65532.
func TestImage(t *testing.T) {
	podman, err := exec.LookPath("podman")
	if err != nil {
		t.Skip("podman is not installed (.ci/run installs it): the image cannot be built here")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.TempDir()
	for _, f := range imageFiles {
		copyFile(t, filepath.Join(root, f), filepath.Join(ctx, f))
	}
	copyFile(t, deployBinary(t), filepath.Join(ctx, "dist", "actionsd")) // cgo off, as the Dockerfile says
	if err := os.Chmod(filepath.Join(ctx, "dist", "actionsd"), 0o755); err != nil {
		t.Fatal(err)
	}
	ca := []byte("-----BEGIN CERTIFICATE-----\ntest bundle\n-----END CERTIFICATE-----\n")
	if err := os.WriteFile(filepath.Join(ctx, "dist", "ca-certificates.crt"), ca, 0o644); err != nil {
		t.Fatal(err)
	}

	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	tag := "localhost/actionsd-image-test:" + hex.EncodeToString(suffix[:])
	podmanRun := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(podman, args...)
		cmd.Dir = ctx
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("podman %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
		}
		return out
	}
	// The build leaves the local stage's image beside the tagged one: remove every image that
	// was not there before.
	images := func() map[string]bool {
		out, _ := exec.Command(podman, "images", "-a", "-q", "--no-trunc").Output()
		ids := map[string]bool{}
		for _, id := range strings.Fields(string(out)) {
			ids[id] = true
		}
		return ids
	}
	before := images()
	t.Cleanup(func() {
		_ = exec.Command(podman, "rmi", "-f", tag).Run()
		for id := range images() {
			if !before[id] {
				_ = exec.Command(podman, "rmi", "-f", id).Run()
			}
		}
	})
	podmanRun("build", "--pull=never", "--build-arg", "SOURCE=local", "--build-arg", "VERSION=v0.0.0-test",
		"--build-arg", "REVISION=0123abc", "-t", tag, ".")

	var inspect []struct {
		Config struct {
			User       string
			Entrypoint []string
			Cmd        []string
			Env        []string
			Volumes    map[string]struct{}
			WorkingDir string
			Labels     map[string]string
		}
	}
	if err := json.Unmarshal(podmanRun("image", "inspect", tag), &inspect); err != nil || len(inspect) != 1 {
		t.Fatalf("podman image inspect: %v (%d images)", err, len(inspect))
	}
	cfg := inspect[0].Config
	if cfg.User != "65532:65532" {
		t.Errorf("user %q, want 65532:65532", cfg.User)
	}
	if strings.Join(cfg.Entrypoint, " ") != "/usr/local/bin/actionsd" || strings.Join(cfg.Cmd, " ") != "serve" {
		t.Errorf("entrypoint %q cmd %q, want [/usr/local/bin/actionsd] [serve]", cfg.Entrypoint, cfg.Cmd)
	}
	if _, ok := cfg.Volumes["/var/lib/actionsd"]; !ok || len(cfg.Volumes) != 1 {
		t.Errorf("volumes %v, want /var/lib/actionsd", cfg.Volumes)
	}
	env := strings.Join(cfg.Env, "\n") + "\n"
	for _, want := range []string{"ACTIONSD_DATA_DIR=/var/lib/actionsd\n", "ACTIONSD_ADDR=:8080\n", "HOME=/var/lib/actionsd\n", "TMPDIR=/var/lib/actionsd\n"} {
		if !strings.Contains(env, want) {
			t.Errorf("env has no %q:\n%s", want, env)
		}
	}
	for k, want := range map[string]string{
		"org.opencontainers.image.title":    "actionsd",
		"org.opencontainers.image.version":  "v0.0.0-test",
		"org.opencontainers.image.revision": "0123abc",
		"org.opencontainers.image.source":   "https://github.com/actionsd/actionsd",
	} {
		if got := cfg.Labels[k]; got != want {
			t.Errorf("label %s = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"org.opencontainers.image.description", "org.opencontainers.image.documentation", "org.opencontainers.image.created"} {
		if _, ok := cfg.Labels[k]; !ok {
			t.Errorf("no label %s", k)
		}
	}

	archive := filepath.Join(t.TempDir(), "image.tar")
	podmanRun("save", "--format", "docker-archive", "-o", archive, tag)
	files := imageFilesystem(t, archive)
	var names []string
	for name, e := range files {
		names = append(names, name)
		if strings.HasPrefix(name, "var/lib/actionsd/") {
			t.Errorf("the data folder is not empty: %s", name)
		}
		if e.hdr.Typeflag != tar.TypeReg && e.hdr.Typeflag != tar.TypeSymlink {
			continue
		}
		switch base := path.Base(name); {
		case base == "sh" || base == "bash" || base == "busybox" || base == "ash" || base == "dash":
			t.Errorf("the image has a shell: %s", name)
		case e.hdr.Mode&0o111 != 0 && name != "usr/local/bin/actionsd":
			t.Errorf("the image has another executable: %s", name)
		}
	}
	if _, ok := files["bin/sh"]; ok {
		t.Error("/bin/sh exists in the image")
	}
	exe, ok := files["usr/local/bin/actionsd"]
	if !ok {
		t.Fatalf("no /usr/local/bin/actionsd in the image; files: %v", names)
	}
	f, err := elf.NewFile(bytes.NewReader(exe.data))
	if err != nil {
		t.Fatalf("the binary is not ELF: %v", err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary is dynamically linked (it has an ELF interpreter): build it with CGO_ENABLED=0")
		}
	}
	if e, ok := files["etc/ssl/certs/ca-certificates.crt"]; !ok || !bytes.Equal(e.data, ca) {
		t.Error("the CA bundle given is not /etc/ssl/certs/ca-certificates.crt")
	}
	if e, ok := files["etc/passwd"]; !ok || !strings.Contains(string(e.data), ":65532:65532:") {
		t.Error("/etc/passwd does not name uid 65532")
	}
	if e, ok := files["var/lib/actionsd"]; !ok || e.hdr.Typeflag != tar.TypeDir || e.hdr.Uid != 65532 || e.hdr.Gid != 65532 {
		if ok {
			t.Errorf("/var/lib/actionsd: type %c uid %d gid %d, want a folder of 65532:65532", e.hdr.Typeflag, e.hdr.Uid, e.hdr.Gid)
		} else {
			t.Error("no /var/lib/actionsd folder")
		}
	}
}

// imageFilesystem reads a docker-archive (podman save) and returns the image's files by path
// (no leading slash), applying its layers in order.
func imageFilesystem(t *testing.T, archive string) map[string]imageEntry {
	t.Helper()
	blobs := map[string][]byte{}
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", archive, err)
		}
		if h.Typeflag == tar.TypeReg {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			blobs[h.Name] = b
		}
	}
	var manifest []struct{ Layers []string }
	if err := json.Unmarshal(blobs["manifest.json"], &manifest); err != nil || len(manifest) != 1 {
		t.Fatalf("manifest.json: %v (%d images)", err, len(manifest))
	}
	files := map[string]imageEntry{}
	for _, layer := range manifest[0].Layers {
		lr := tar.NewReader(bytes.NewReader(blobs[layer]))
		for {
			h, err := lr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("layer %s: %v", layer, err)
			}
			name := strings.TrimSuffix(strings.TrimPrefix(path.Clean("/"+h.Name), "/"), "/")
			if base := path.Base(name); strings.HasPrefix(base, ".wh.") {
				delete(files, path.Join(path.Dir(name), strings.TrimPrefix(base, ".wh.")))
				continue
			}
			e := imageEntry{hdr: h}
			if h.Typeflag == tar.TypeReg {
				if e.data, err = io.ReadAll(lr); err != nil {
					t.Fatal(err)
				}
			}
			files[name] = e
		}
	}
	return files
}

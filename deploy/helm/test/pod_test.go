package helmtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// secretStore holds made-up contents of the Secrets the chart's values name, by key: the test's
// values use these key names.
type secretStore map[string]string

func newSecretStore(t *testing.T) secretStore {
	t.Helper()
	random := func(n int) string {
		b := make([]byte, n)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		return hex.EncodeToString(b)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	// The public key in ssh's wire format: string "ssh-ed25519", string key.
	var wire []byte
	for _, s := range [][]byte{[]byte("ssh-ed25519"), pub} {
		wire = binary.BigEndian.AppendUint32(wire, uint32(len(s)))
		wire = append(wire, s...)
	}
	return secretStore{
		"token":          random(32),
		"webhook-secret": random(32),
		"state-key":      random(32), // 64 bytes
		"peer-secret":    random(32),
		"git-username":   "deploy-bot",
		"git-token":      random(20),
		"ssh-key":        string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"known_hosts":    "git.example.com ssh-ed25519 " + base64.StdEncoding.EncodeToString(wire) + "\n",
	}
}

func (s secretStore) get(t *testing.T, name, key string) string {
	t.Helper()
	v, ok := s[key]
	if !ok {
		t.Fatalf("Secret %s: the test has no content for key %q", name, key)
	}
	return v
}

// pod is the container of a rendered Deployment as the kubelet would start it, on this machine:
// its mounted files under root, its environment and its arguments with $(VAR) expanded and every
// mount path moved under root.
type pod struct {
	root   string
	env    []string
	args   []string
	reroot *strings.Replacer
}

// startPod lays out the container of d: ConfigMap and Secret volumes are written from cms and
// secrets, projected service-account tokens made up, other volumes made empty folders.
func startPod(t *testing.T, d *appsv1.Deployment, cms map[string]*corev1.ConfigMap, secrets secretStore, namespace string, image map[string]string) *pod {
	t.Helper()
	spec := d.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		t.Fatalf("Deployment %s: %d containers, want 1", d.Name, len(spec.Containers))
	}
	c := spec.Containers[0]
	p := &pod{root: t.TempDir()}
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
	}
	mounts := slices.Clone(c.VolumeMounts)
	// Longest path first, so that a mount inside another is moved as a whole.
	sort.Slice(mounts, func(i, j int) bool { return len(mounts[i].MountPath) > len(mounts[j].MountPath) })
	var pairs []string
	for _, m := range mounts {
		pairs = append(pairs, m.MountPath, filepath.Join(p.root, m.MountPath))
	}
	p.reroot = strings.NewReplacer(pairs...)
	write := func(rel string, content string, mode os.FileMode) {
		path := filepath.Join(p.root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range c.VolumeMounts {
		v, ok := volumes[m.Name]
		if !ok {
			t.Fatalf("Deployment %s: volumeMount %s names no volume", d.Name, m.Name)
		}
		files := map[string]string{} // path in the volume: content
		switch {
		case v.ConfigMap != nil:
			cm, ok := cms[v.ConfigMap.Name]
			if !ok {
				t.Fatalf("Deployment %s: volume %s names ConfigMap %s, which the chart does not make", d.Name, v.Name, v.ConfigMap.Name)
			}
			for k, val := range cm.Data {
				files[k] = p.reroot.Replace(val)
			}
		case v.Secret != nil:
			if len(v.Secret.Items) == 0 {
				t.Fatalf("Deployment %s: Secret volume %s lists no items", d.Name, v.Name)
			}
			for _, it := range v.Secret.Items {
				files[it.Path] = secrets.get(t, v.Secret.SecretName, it.Key)
			}
		case v.Projected != nil:
			for _, src := range v.Projected.Sources {
				if src.ServiceAccountToken == nil {
					t.Fatalf("Deployment %s: projected volume %s has a source other than a service-account token", d.Name, v.Name)
				}
				files[src.ServiceAccountToken.Path] = "header.payload.signature"
			}
		case v.EmptyDir != nil || v.Ephemeral != nil:
		default:
			t.Fatalf("Deployment %s: volume %s of a kind this test does not lay out", d.Name, v.Name)
		}
		if m.SubPath != "" {
			content, ok := files[m.SubPath]
			if !ok {
				t.Fatalf("Deployment %s: volumeMount %s subPath %s is not in its volume", d.Name, m.Name, m.SubPath)
			}
			write(m.MountPath, content, 0o444)
			continue
		}
		if err := os.MkdirAll(filepath.Join(p.root, m.MountPath), 0o755); err != nil {
			t.Fatal(err)
		}
		for rel, content := range files {
			write(filepath.Join(m.MountPath, rel), content, 0o400)
		}
	}
	// The environment: the image's, then the container's, $(VAR) expanded from the entries
	// before (as the kubelet does).
	env := map[string]string{}
	var order []string
	setEnv := func(k, v string) {
		if _, ok := env[k]; !ok {
			order = append(order, k)
		}
		env[k] = v
	}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range image {
			if !yield(k) {
				return
			}
		}
	}) {
		setEnv(k, p.reroot.Replace(image[k]))
	}
	expand := func(s string) string {
		return regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).ReplaceAllStringFunc(s, func(ref string) string {
			if v, ok := env[ref[2:len(ref)-1]]; ok {
				return v
			}
			return ref
		})
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			setEnv(e.Name, p.reroot.Replace(expand(e.Value)))
		case e.ValueFrom.SecretKeyRef != nil:
			setEnv(e.Name, secrets.get(t, e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key))
		case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.namespace":
			setEnv(e.Name, namespace)
		default:
			t.Fatalf("Deployment %s: env %s comes from a source this test does not make", d.Name, e.Name)
		}
	}
	for _, k := range order {
		p.env = append(p.env, k+"="+env[k])
	}
	if len(c.Command) > 0 {
		t.Fatalf("Deployment %s: the container sets command %v: the image's entrypoint is the binary", d.Name, c.Command)
	}
	for _, a := range c.Args {
		p.args = append(p.args, p.reroot.Replace(expand(a)))
	}
	return p
}

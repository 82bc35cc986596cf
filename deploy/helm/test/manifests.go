package helmtest

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// ManifestsDir is deploy/kubernetes: the chart rendered for `kubectl apply -k`.
func ManifestsDir() string { return filepath.Join(RepoRoot(), "deploy", "kubernetes") }

// ManifestsRelease is the release the plain manifests are rendered as. They name no namespace:
// kubectl's -n, or a kustomization's namespace, sets it (the pods find their namespace through
// the downward API).
var ManifestsRelease = Release{Name: "actionsd", Namespace: "default"}

const generatedHeader = "# Generated from the chart deploy/helm/actionsd with deploy/kubernetes/values.yaml by\n" +
	"# `cd deploy/helm/test && go run ./genmanifests`: edit those, not this file.\n"

// Manifests renders the files of deploy/kubernetes other than values.yaml: one file per
// template that renders an object, and kustomization.yaml listing them.
func Manifests() (map[string][]byte, error) {
	values, err := LoadValues(filepath.Join(ManifestsDir(), "values.yaml"))
	if err != nil {
		return nil, err
	}
	manifest, err := Render(ManifestsRelease, values)
	if err != nil {
		return nil, fmt.Errorf("render the chart with deploy/kubernetes/values.yaml: %w", err)
	}
	objs, err := Decode(manifest)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, o := range objs {
		name := path.Base(o.Source)
		doc := strings.TrimSpace(o.YAML)
		if line, rest, ok := strings.Cut(doc, "\n"); ok && strings.HasPrefix(line, "# Source: ") {
			doc = rest
		}
		if prev, ok := files[name]; ok {
			files[name] = append(prev, []byte("---\n"+doc+"\n")...)
			continue
		}
		files[name] = []byte(generatedHeader + doc + "\n")
	}
	var k bytes.Buffer
	k.WriteString(generatedHeader)
	k.WriteString("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")
	k.WriteString("# Applied with kubectl, not Helm.\nlabels:\n  - pairs:\n      app.kubernetes.io/managed-by: kustomize\n")
	k.WriteString("resources:\n")
	for _, name := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(&k, "  - %s\n", name)
	}
	files["kustomization.yaml"] = k.Bytes()
	return files, nil
}

// Stale lists the files of deploy/kubernetes that differ from what Manifests renders, are
// missing, or are left over.
func Stale(want map[string][]byte) ([]string, error) {
	var stale []string
	entries, err := os.ReadDir(ManifestsDir())
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() || e.Name() == "values.yaml" {
			continue
		}
		have[e.Name()] = true
		if _, ok := want[e.Name()]; !ok {
			stale = append(stale, e.Name()+" (not rendered: remove it)")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if !have[name] {
			stale = append(stale, name+" (missing)")
			continue
		}
		b, err := os.ReadFile(filepath.Join(ManifestsDir(), name))
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(b, want[name]) {
			stale = append(stale, name+" (differs)")
		}
	}
	slices.Sort(stale)
	return stale, nil
}

// WriteManifests writes the rendered files and removes left-over ones.
func WriteManifests(files map[string][]byte) error {
	entries, err := os.ReadDir(ManifestsDir())
	if err != nil {
		return err
	}
	for _, e := range entries {
		if _, ok := files[e.Name()]; !ok && !e.IsDir() && e.Name() != "values.yaml" {
			if err := os.Remove(filepath.Join(ManifestsDir(), e.Name())); err != nil {
				return err
			}
		}
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(ManifestsDir(), name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

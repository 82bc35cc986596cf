package helmtest

import (
	"slices"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// deploy/kubernetes is what the chart renders now (as genmanifests -check says), and
// `kubectl apply -k deploy/kubernetes` builds from it (kustomize, as kubectl embeds it).
func TestManifestsCurrent(t *testing.T) {
	files, err := Manifests()
	if err != nil {
		t.Fatal(err)
	}
	stale, err := Stale(files)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Fatalf("deploy/kubernetes is out of date (run `cd deploy/helm/test && go run ./genmanifests`): %v", stale)
	}
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), ManifestsDir())
	if err != nil {
		t.Fatalf("kustomize build deploy/kubernetes: %v", err)
	}
	var kinds []string
	for _, r := range res.Resources() {
		kinds = append(kinds, r.GetKind())
		if got := r.GetLabels()["app.kubernetes.io/managed-by"]; got != "kustomize" {
			t.Errorf("%s %s: managed-by %q, want kustomize", r.GetKind(), r.GetName(), got)
		}
	}
	slices.Sort(kinds)
	want := []string{"ConfigMap", "Deployment", "NetworkPolicy", "PodDisruptionBudget", "Service", "Service", "ServiceAccount"}
	if !slices.Equal(kinds, want) {
		t.Errorf("kustomize builds %v, want %v", kinds, want)
	}
	// The build decodes as strictly as the chart's render.
	y, err := res.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(string(y)); err != nil {
		t.Errorf("kustomize output: %v", err)
	}
}

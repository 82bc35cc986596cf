// Package helmtest renders the actionsd chart (deploy/helm/actionsd) with the Helm SDK, client
// only (no cluster), and decodes what it makes strictly into the Kubernetes API types. Its tests
// run the rendered configuration through the real binary's `serve --check-config`; genmanifests
// writes the plain manifests of deploy/kubernetes from it.
//
// It is a module of its own, so that the daemon's module does not depend on Helm or Kubernetes.
package helmtest

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	release "helm.sh/helm/v4/pkg/release/v1"
	releaseutil "helm.sh/helm/v4/pkg/release/v1/util"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// RepoRoot is the repository's root folder (this file is in deploy/helm/test).
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

// ChartDir is the chart's folder.
func ChartDir() string { return filepath.Join(RepoRoot(), "deploy", "helm", "actionsd") }

// KubeVersion is the Kubernetes version the chart is rendered for.
const KubeVersion = "v1.34.0"

// Release names what Render installs.
type Release struct {
	Name, Namespace string
}

// Render renders the chart with values over its defaults, as `helm template` does (client-only
// dry run, no cluster). It returns the manifest, documents in Helm's install order.
func Render(rel Release, values map[string]any) (string, error) {
	ch, err := loader.Load(ChartDir())
	if err != nil {
		return "", fmt.Errorf("load chart %s: %w", ChartDir(), err)
	}
	inst := action.NewInstall(action.NewConfiguration())
	inst.DryRunStrategy = action.DryRunClient
	inst.ReleaseName = rel.Name
	inst.Namespace = rel.Namespace
	inst.Replace = true
	// The Kubernetes version rendered for, as `helm template --kube-version` (the chart needs
	// 1.30 or later; without a cluster Helm assumes an old one).
	kv, err := common.ParseKubeVersion(KubeVersion)
	if err != nil {
		return "", err
	}
	inst.KubeVersion = kv
	r, err := inst.Run(ch, values)
	if err != nil {
		return "", err
	}
	out, ok := r.(*release.Release)
	if !ok {
		return "", fmt.Errorf("render: a release of type %T", r)
	}
	return out.Manifest, nil
}

// Object is one rendered object, decoded.
type Object struct {
	Source string // the template it came from ("actionsd/templates/deployment.yaml")
	Kind   string
	Name   string
	YAML   string // the document as rendered
	Value  any    // *appsv1.Deployment, *corev1.Service, ...
}

// kinds maps each kind the chart may render to its apiVersion and a new value of its Go type.
var kinds = map[string]struct {
	apiVersion string
	new        func() any
}{
	"ConfigMap":               {"v1", func() any { return new(corev1.ConfigMap) }},
	"Service":                 {"v1", func() any { return new(corev1.Service) }},
	"ServiceAccount":          {"v1", func() any { return new(corev1.ServiceAccount) }},
	"Deployment":              {"apps/v1", func() any { return new(appsv1.Deployment) }},
	"PodDisruptionBudget":     {"policy/v1", func() any { return new(policyv1.PodDisruptionBudget) }},
	"HorizontalPodAutoscaler": {"autoscaling/v2", func() any { return new(autoscalingv2.HorizontalPodAutoscaler) }},
	"NetworkPolicy":           {"networking.k8s.io/v1", func() any { return new(networkingv1.NetworkPolicy) }},
	"Ingress":                 {"networking.k8s.io/v1", func() any { return new(networkingv1.Ingress) }},
	"ServiceMonitor":          {"monitoring.coreos.com/v1", func() any { return new(monitoringv1.ServiceMonitor) }},
}

// Decode splits a manifest into its objects and decodes each strictly into its API type: an
// unknown or duplicated field, a wrong type, an unknown kind or a wrong apiVersion is an error
// that names the template.
func Decode(manifest string) ([]Object, error) {
	docs := releaseutil.SplitManifests(manifest)
	var objs []Object
	for _, key := range slices.Sorted(maps.Keys(docs)) {
		doc := docs[key]
		source := key
		if line, _, ok := strings.Cut(doc, "\n"); ok && strings.HasPrefix(line, "# Source: ") {
			source = strings.TrimPrefix(line, "# Source: ")
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		k, ok := kinds[head.Kind]
		if !ok {
			return nil, fmt.Errorf("%s: kind %q is not one the chart should make", source, head.Kind)
		}
		if head.APIVersion != k.apiVersion {
			return nil, fmt.Errorf("%s: %s has apiVersion %q, want %q", source, head.Kind, head.APIVersion, k.apiVersion)
		}
		v := k.new()
		if err := yaml.UnmarshalStrict([]byte(doc), v); err != nil {
			return nil, fmt.Errorf("%s: %s %s: %w", source, head.Kind, head.Metadata.Name, err)
		}
		objs = append(objs, Object{Source: source, Kind: head.Kind, Name: head.Metadata.Name, YAML: doc, Value: v})
	}
	return objs, nil
}

// LoadValues reads a values file.
func LoadValues(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v := map[string]any{}
	if err := yaml.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// Merge returns base with over merged into it, maps key by key (over wins; base is not changed).
func Merge(base, over map[string]any) map[string]any {
	out := maps.Clone(base)
	for k, v := range over {
		if vm, ok := v.(map[string]any); ok {
			if bm, ok := out[k].(map[string]any); ok {
				out[k] = Merge(bm, vm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

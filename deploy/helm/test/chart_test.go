package helmtest

import (
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

const testNamespace = "auth"

// values parses YAML over the values of deploy/kubernetes/values.yaml (the settings that have
// no default).
func values(t *testing.T, over string) map[string]any {
	t.Helper()
	base, err := LoadValues(filepath.Join(ManifestsDir(), "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	o := map[string]any{}
	if err := yaml.Unmarshal([]byte(over), &o); err != nil {
		t.Fatalf("values %q: %v", over, err)
	}
	return Merge(base, o)
}

// rendered is a render's objects by kind and name.
type rendered struct {
	objs   []Object
	byKind map[string][]Object
}

func render(t *testing.T, vals map[string]any) rendered {
	t.Helper()
	manifest, err := Render(Release{Name: "login", Namespace: testNamespace}, vals)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	objs, err := Decode(manifest)
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, manifest)
	}
	r := rendered{objs: objs, byKind: map[string][]Object{}}
	for _, o := range objs {
		r.byKind[o.Kind] = append(r.byKind[o.Kind], o)
	}
	return r
}

func (r rendered) kinds() []string {
	var ks []string
	for k, os := range r.byKind {
		for range os {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

func one[T any](t *testing.T, r rendered, kind string) *T {
	t.Helper()
	os := r.byKind[kind]
	if len(os) != 1 {
		t.Fatalf("%d objects of kind %s, want 1 (rendered %v)", len(os), kind, r.kinds())
	}
	return os[0].Value.(*T)
}

// The matrix: each case renders, every object decodes strictly, and the Deployment's container
// runs through the real binary's serve --check-config with the rendered configuration, flags and
// environment.
var matrix = []struct {
	name   string
	values string
	kinds  []string // what renders, sorted
	check  func(t *testing.T, r rendered)
}{
	{
		name:   "defaults",
		values: ``,
		kinds:  []string{"ConfigMap", "Deployment", "NetworkPolicy", "PodDisruptionBudget", "Service", "Service", "ServiceAccount"},
		check: func(t *testing.T, r rendered) {
			d := one[appsv1.Deployment](t, r, "Deployment")
			if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
				t.Errorf("replicas %v, want 2", d.Spec.Replicas)
			}
			pa := d.Spec.Template.Spec.Affinity
			if pa == nil || pa.PodAntiAffinity == nil || len(pa.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution) != 1 {
				t.Fatalf("no preferred pod anti-affinity: %+v", pa)
			}
			term := pa.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution[0].PodAffinityTerm
			if term.TopologyKey != "kubernetes.io/hostname" || !selects(term.LabelSelector.MatchLabels, d.Spec.Template.Labels) {
				t.Errorf("anti-affinity term %+v does not spread the pods across nodes", term)
			}
			pdb := one[policyv1.PodDisruptionBudget](t, r, "PodDisruptionBudget")
			if pdb.Spec.MaxUnavailable == nil || pdb.Spec.MaxUnavailable.IntValue() != 1 || !selects(pdb.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
				t.Errorf("PodDisruptionBudget %+v", pdb.Spec)
			}
			np := one[networkingv1.NetworkPolicy](t, r, "NetworkPolicy")
			if !selects(np.Spec.PodSelector.MatchLabels, d.Spec.Template.Labels) || len(np.Spec.Ingress) != 1 || len(np.Spec.Ingress[0].From) != 0 ||
				!slices.Equal(np.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}) {
				t.Errorf("NetworkPolicy %+v: want ingress to the API port from anywhere, egress not restricted", np.Spec)
			}
			if ps := np.Spec.Ingress[0].Ports; len(ps) != 1 || *ps[0].Port != intstr.FromString("http") {
				t.Errorf("NetworkPolicy ports %+v, want the http port only", ps)
			}
			// Vault's Kubernetes auth: the ServiceAccount the pod runs as, no API token, a
			// projected token for Vault's audience where the config says.
			sa := one[corev1.ServiceAccount](t, r, "ServiceAccount")
			spec := d.Spec.Template.Spec
			if spec.ServiceAccountName != sa.Name || spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
				t.Errorf("pod runs as %q (automount %v), want ServiceAccount %s without the API token", spec.ServiceAccountName, spec.AutomountServiceAccountToken, sa.Name)
			}
			cfg := configOf(t, r)
			tokenPath, _ := cfg["vault"].(map[string]any)["kubernetes_token_path"].(string)
			if src := projectedToken(spec, tokenPath); src == nil || src.Audience != "vault" {
				t.Errorf("vault.kubernetes_token_path %q is not a projected token for audience vault (%+v)", tokenPath, src)
			}
		},
	},
	{
		name: "public service, webhook ingress, ServiceMonitor, hard anti-affinity",
		values: `
service: {type: LoadBalancer}
ingress: {enabled: true, className: nginx, host: actionsd.example.com, tls: [{secretName: actionsd-tls, hosts: [actionsd.example.com]}]}
serviceMonitor: {enabled: true, labels: {release: prometheus}}
podAntiAffinity: hard
networkPolicy:
  ingressFrom: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]
  egress: [{ports: [{port: 53, protocol: UDP}]}, {to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 443}]}]
env: [{name: OTEL_EXPORTER_OTLP_ENDPOINT, value: "http://otel-collector:4318"}]
`,
		kinds: []string{"ConfigMap", "Deployment", "Ingress", "NetworkPolicy", "PodDisruptionBudget", "Service", "Service", "ServiceAccount", "ServiceMonitor"},
		check: func(t *testing.T, r rendered) {
			d := one[appsv1.Deployment](t, r, "Deployment")
			ing := one[networkingv1.Ingress](t, r, "Ingress")
			rule := ing.Spec.Rules[0]
			if len(ing.Spec.Rules) != 1 || rule.Host != "actionsd.example.com" || len(rule.HTTP.Paths) != 1 {
				t.Fatalf("Ingress rules %+v", ing.Spec.Rules)
			}
			path := rule.HTTP.Paths[0]
			if path.Path != "/hooks/" || *path.PathType != networkingv1.PathTypePrefix {
				t.Errorf("Ingress routes %s (%v), want only the webhook receivers /hooks/ (Prefix)", path.Path, *path.PathType)
			}
			api := apiService(t, r)
			if path.Backend.Service.Name != api.Name || path.Backend.Service.Port.Name != api.Spec.Ports[0].Name {
				t.Errorf("Ingress backend %+v, want Service %s port %s", path.Backend.Service, api.Name, api.Spec.Ports[0].Name)
			}
			sm := one[monitoringv1.ServiceMonitor](t, r, "ServiceMonitor")
			if !selects(sm.Spec.Selector.MatchLabels, api.Labels) || selects(sm.Spec.Selector.MatchLabels, peersService(t, r).Labels) {
				t.Errorf("ServiceMonitor selects %v: want the API Service only, not the peers' (each pod would be scraped twice)", sm.Spec.Selector.MatchLabels)
			}
			if len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Path != "/metrics" || sm.Spec.Endpoints[0].Port != api.Spec.Ports[0].Name {
				t.Errorf("ServiceMonitor endpoints %+v", sm.Spec.Endpoints)
			}
			if sm.Labels["release"] != "prometheus" {
				t.Errorf("ServiceMonitor labels %v lack serviceMonitor.labels", sm.Labels)
			}
			pa := d.Spec.Template.Spec.Affinity.PodAntiAffinity
			if len(pa.RequiredDuringSchedulingIgnoredDuringExecution) != 1 {
				t.Errorf("podAntiAffinity hard: %+v", pa)
			}
			np := one[networkingv1.NetworkPolicy](t, r, "NetworkPolicy")
			if len(np.Spec.Egress) != 2 || !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) {
				t.Errorf("NetworkPolicy egress %+v types %v", np.Spec.Egress, np.Spec.PolicyTypes)
			}
			if from := np.Spec.Ingress[0].From; len(from) != 2 || from[0].PodSelector == nil || !selects(from[0].PodSelector.MatchLabels, d.Spec.Template.Labels) {
				t.Errorf("NetworkPolicy from %+v: want the peers, then ingressFrom", from)
			}
			if env(d, "ACTIONSD_WEBHOOK_SECRET") == nil {
				t.Errorf("no ACTIONSD_WEBHOOK_SECRET with the webhook Ingress")
			}
		},
	},
	{
		name: "autoscaling, ssh repository, ephemeral data volume",
		values: `
autoscaling: {enabled: true, minReplicas: 3, maxReplicas: 6}
podDisruptionBudget: {maxUnavailable: null, minAvailable: 2}
config: {repo: "ssh://git@git.example.com/platform/actions.git", verify: {mode: none}}
secrets: {git: {name: actionsd-git, sshKeyKey: ssh-key, knownHostsKey: known_hosts}, peerSecret: {name: actionsd-peers}}
dataVolume:
  source: {ephemeral: {volumeClaimTemplate: {spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 5Gi}}}}}}
`,
		kinds: []string{"ConfigMap", "Deployment", "HorizontalPodAutoscaler", "NetworkPolicy", "PodDisruptionBudget", "Service", "Service", "ServiceAccount"},
		check: func(t *testing.T, r rendered) {
			d := one[appsv1.Deployment](t, r, "Deployment")
			if e := env(d, "ACTIONSD_PEER_SECRET"); e == nil || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil || e.ValueFrom.SecretKeyRef.Name != "actionsd-peers" || e.ValueFrom.SecretKeyRef.Key != "peer-secret" {
				t.Errorf("ACTIONSD_PEER_SECRET %+v, want the Secret actionsd-peers, key peer-secret", e)
			}
			if d.Spec.Replicas != nil {
				t.Errorf("replicas %d set while the HPA scales", *d.Spec.Replicas)
			}
			hpa := one[autoscalingv2.HorizontalPodAutoscaler](t, r, "HorizontalPodAutoscaler")
			if hpa.Spec.ScaleTargetRef.Kind != "Deployment" || hpa.Spec.ScaleTargetRef.Name != d.Name || *hpa.Spec.MinReplicas != 3 || hpa.Spec.MaxReplicas != 6 {
				t.Errorf("HPA %+v", hpa.Spec)
			}
			pdb := one[policyv1.PodDisruptionBudget](t, r, "PodDisruptionBudget")
			if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() != 2 || pdb.Spec.MaxUnavailable != nil {
				t.Errorf("PodDisruptionBudget %+v", pdb.Spec)
			}
			cfg := configOf(t, r)
			git, _ := cfg["git"].(map[string]any)
			if git["ssh_key_file"] != "/etc/actionsd/git/ssh-key" || git["known_hosts_file"] != "/etc/actionsd/git/known_hosts" {
				t.Errorf("config git %v: want the mounted key and known_hosts", git)
			}
			if data := volume(d, "data"); data == nil || data.Ephemeral == nil {
				t.Errorf("data volume %+v, want the ephemeral volume of dataVolume.source", data)
			}
		},
	},
	{
		name: "one replica without peers, https repository with a token, no optional objects",
		values: `
replicaCount: 1
peers: {enabled: false}
podDisruptionBudget: {enabled: false}
networkPolicy: {enabled: false}
serviceAccount: {create: false, name: vault-auth}
preStopSleepSeconds: 0
secrets:
  webhookSecret: {name: ""}
  stateKey: {name: ""}
  git: {name: actionsd-git, usernameKey: git-username, tokenKey: git-token}
containerPort: 9090
service: {port: 80}
`,
		kinds: []string{"ConfigMap", "Deployment", "Service"},
		check: func(t *testing.T, r rendered) {
			d := one[appsv1.Deployment](t, r, "Deployment")
			if slices.ContainsFunc(d.Spec.Template.Spec.Containers[0].Args, func(a string) bool { return strings.HasPrefix(a, "--peers-dns") }) {
				t.Errorf("args %v pass --peers-dns without peers", d.Spec.Template.Spec.Containers[0].Args)
			}
			if d.Spec.Template.Spec.ServiceAccountName != "vault-auth" {
				t.Errorf("serviceAccountName %q, want the existing vault-auth", d.Spec.Template.Spec.ServiceAccountName)
			}
			if env(d, "ACTIONSD_GIT_TOKEN") == nil || env(d, "ACTIONSD_GIT_USERNAME") == nil || env(d, "ACTIONSD_WEBHOOK_SECRET") != nil || env(d, "ACTIONSD_STATE_KEY") != nil {
				t.Errorf("env %+v", d.Spec.Template.Spec.Containers[0].Env)
			}
			if api := apiService(t, r); api.Spec.Ports[0].Port != 80 || api.Spec.Ports[0].TargetPort != intstr.FromString("http") {
				t.Errorf("Service ports %+v", api.Spec.Ports)
			}
		},
	},
}

func TestChartRenders(t *testing.T) {
	flags := serveFlags(t)
	image := imageEnv(t)
	for _, tc := range matrix {
		t.Run(tc.name, func(t *testing.T) {
			r := render(t, values(t, tc.values))
			if got := r.kinds(); !slices.Equal(got, tc.kinds) {
				t.Errorf("rendered %v, want %v", got, tc.kinds)
			}
			checkDeployment(t, r, flags, image)
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

// checkDeployment checks what every render's Deployment must have, and runs its container's
// configuration through serve --check-config.
func checkDeployment(t *testing.T, r rendered, flags map[string]bool, image map[string]string) {
	t.Helper()
	d := one[appsv1.Deployment](t, r, "Deployment")
	spec := d.Spec.Template.Spec
	c := spec.Containers[0]
	if !selects(d.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
		t.Errorf("selector %v does not select the pod's labels %v", d.Spec.Selector.MatchLabels, d.Spec.Template.Labels)
	}

	// Security: non-root 65532, read-only root, no capabilities, no privilege escalation,
	// seccomp RuntimeDefault.
	psc, sc := spec.SecurityContext, c.SecurityContext
	switch {
	case psc == nil || sc == nil:
		t.Fatalf("no securityContext: pod %+v container %+v", psc, sc)
	case psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser != 65532 || psc.RunAsGroup == nil || *psc.RunAsGroup != 65532:
		t.Errorf("pod securityContext %+v: want non-root, uid and gid 65532", psc)
	case psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault:
		t.Errorf("pod seccompProfile %+v, want RuntimeDefault", psc.SeccompProfile)
	case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
		t.Errorf("container readOnlyRootFilesystem %v", sc.ReadOnlyRootFilesystem)
	case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
		t.Errorf("container allowPrivilegeEscalation %v", sc.AllowPrivilegeEscalation)
	case sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0:
		t.Errorf("container capabilities %+v, want drop ALL and add none", sc.Capabilities)
	case sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || (sc.RunAsUser != nil && *sc.RunAsUser != 65532):
		t.Errorf("container securityContext %+v", sc)
	}
	if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("resources %+v: want memory requests and limits", c.Resources)
	}

	// The data dir: a volume at the image's data dir, writable.
	var data *corev1.VolumeMount
	for i, m := range c.VolumeMounts {
		if m.MountPath == image["ACTIONSD_DATA_DIR"] {
			data = &c.VolumeMounts[i]
		}
	}
	if data == nil || data.ReadOnly {
		t.Errorf("no writable volume at the data dir %s: mounts %+v", image["ACTIONSD_DATA_DIR"], c.VolumeMounts)
	}

	// Probes: startup and liveness on /healthz, readiness on /readyz, on the container's port.
	port := containerPort(t, c)
	for _, p := range []struct {
		name, path string
		probe      *corev1.Probe
	}{{"startup", "/healthz", c.StartupProbe}, {"liveness", "/healthz", c.LivenessProbe}, {"readiness", "/readyz", c.ReadinessProbe}} {
		if p.probe == nil || p.probe.HTTPGet == nil {
			t.Errorf("%s probe %+v: want an HTTP GET", p.name, p.probe)
			continue
		}
		if p.probe.HTTPGet.Path != p.path || probePort(t, c, p.probe.HTTPGet.Port) != port {
			t.Errorf("%s probe GET %s port %s, want %s on %d", p.name, p.probe.HTTPGet.Path, p.probe.HTTPGet.Port.String(), p.path, port)
		}
	}

	// The Services reach that port; the peers' is headless and named in --peers-dns.
	api := apiService(t, r)
	if api.Spec.Ports[0].TargetPort != intstr.FromString("http") || !selects(api.Spec.Selector, d.Spec.Template.Labels) {
		t.Errorf("Service %s: ports %+v selector %v", api.Name, api.Spec.Ports, api.Spec.Selector)
	}
	var peersDNS string
	for _, a := range c.Args {
		if v, ok := strings.CutPrefix(a, "--peers-dns="); ok {
			peersDNS = v
		}
	}
	if peers := r.byKind["Service"]; len(peers) == 2 {
		ps := peersService(t, r)
		if ps.Spec.ClusterIP != corev1.ClusterIPNone || !selects(ps.Spec.Selector, d.Spec.Template.Labels) || probePort(t, c, ps.Spec.Ports[0].TargetPort) != port {
			t.Errorf("peers Service %s: %+v", ps.Name, ps.Spec)
		}
		if want := ps.Name + ".$(POD_NAMESPACE).svc.cluster.local"; peersDNS != want {
			t.Errorf("--peers-dns=%q, want %q", peersDNS, want)
		}
		if e := env(d, "POD_NAMESPACE"); e == nil || e.ValueFrom == nil || e.ValueFrom.FieldRef == nil || e.ValueFrom.FieldRef.FieldPath != "metadata.namespace" {
			t.Errorf("POD_NAMESPACE %+v: want the pod's namespace", e)
		}
	}

	// Every flag passed exists in the binary.
	args := slices.Clone(c.Args)
	if len(args) == 0 || args[0] != "serve" {
		t.Fatalf("args %v: want serve first", args)
	}
	for i := len(args) - 1; i > 0; i-- {
		name, _, _ := strings.Cut(strings.TrimPrefix(args[i], "--"), "=")
		if !strings.HasPrefix(args[i], "--") {
			t.Errorf("arg %q: want --flag=value", args[i])
			continue
		}
		if !flags[name] {
			if name == "peers-dns" && !flags["peer"] {
				// The replicas' flags come from another change; without them this binary
				// cannot take the flag, and the check below runs without it.
				t.Logf("this binary has no --peers-dns yet: serve --check-config runs without %s", args[i])
				args = slices.Delete(args, i, i+1)
				continue
			}
			t.Errorf("arg %s: actionsd serve has no flag --%s", args[i], name)
		}
	}

	// Run the container's configuration through the real binary, as the kubelet would start it.
	cms := map[string]*corev1.ConfigMap{}
	for _, o := range r.byKind["ConfigMap"] {
		cms[o.Name] = o.Value.(*corev1.ConfigMap)
	}
	c.Args = args
	d.Spec.Template.Spec.Containers[0] = c
	p := startPod(t, d, cms, newSecretStore(t), testNamespace, image)
	stdout, stderr, code := run(t, p.env, append(p.args, "--check-config")...)
	if code != 0 {
		t.Fatalf("serve --check-config with the rendered configuration: exit %d\n%s%s", code, stdout, stderr)
	}
	m := regexp.MustCompile(`listening on (\S+)`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("serve --check-config says %q: no listen address", stdout)
	}
	_, listen, err := net.SplitHostPort(m[1])
	if err != nil || listen != strconv.Itoa(port) {
		t.Errorf("the daemon would listen on %s, the probes and Services use port %d", m[1], port)
	}
	repo, _ := configOf(t, r)["repo"].(string)
	if !strings.Contains(stdout, "repo "+repo+",") {
		t.Errorf("serve --check-config: %q, want repo %s from the ConfigMap", stdout, repo)
	}
}

func containerPort(t *testing.T, c corev1.Container) int {
	t.Helper()
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" {
		t.Fatalf("container ports %+v: want one, named http", c.Ports)
	}
	return int(c.Ports[0].ContainerPort)
}

// probePort resolves a named or numbered port of c.
func probePort(t *testing.T, c corev1.Container, p intstr.IntOrString) int {
	t.Helper()
	if p.Type == intstr.Int {
		return p.IntValue()
	}
	for _, cp := range c.Ports {
		if cp.Name == p.StrVal {
			return int(cp.ContainerPort)
		}
	}
	t.Errorf("port %q is not a port of the container", p.StrVal)
	return -1
}

func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func apiService(t *testing.T, r rendered) *corev1.Service {
	t.Helper()
	for _, o := range r.byKind["Service"] {
		if s := o.Value.(*corev1.Service); s.Spec.ClusterIP != corev1.ClusterIPNone {
			return s
		}
	}
	t.Fatalf("no API Service in %v", r.kinds())
	return nil
}

func peersService(t *testing.T, r rendered) *corev1.Service {
	t.Helper()
	for _, o := range r.byKind["Service"] {
		if s := o.Value.(*corev1.Service); s.Spec.ClusterIP == corev1.ClusterIPNone {
			return s
		}
	}
	t.Fatalf("no headless peers Service in %v", r.kinds())
	return nil
}

func env(d *appsv1.Deployment, name string) *corev1.EnvVar {
	for i, e := range d.Spec.Template.Spec.Containers[0].Env {
		if e.Name == name {
			return &d.Spec.Template.Spec.Containers[0].Env[i]
		}
	}
	return nil
}

func volume(d *appsv1.Deployment, name string) *corev1.Volume {
	for i, v := range d.Spec.Template.Spec.Volumes {
		if v.Name == name {
			return &d.Spec.Template.Spec.Volumes[i]
		}
	}
	return nil
}

// projectedToken returns the projected service-account token mounted at path, if any.
func projectedToken(spec corev1.PodSpec, path string) *corev1.ServiceAccountTokenProjection {
	c := spec.Containers[0]
	for _, m := range c.VolumeMounts {
		for _, v := range spec.Volumes {
			if v.Name != m.Name || v.Projected == nil {
				continue
			}
			for _, s := range v.Projected.Sources {
				if s.ServiceAccountToken != nil && filepath.Join(m.MountPath, s.ServiceAccountToken.Path) == path {
					return s.ServiceAccountToken
				}
			}
		}
	}
	return nil
}

// configOf is the configuration file of the render's ConfigMap.
func configOf(t *testing.T, r rendered) map[string]any {
	t.Helper()
	cm := one[corev1.ConfigMap](t, r, "ConfigMap")
	cfg := map[string]any{}
	if err := yaml.Unmarshal([]byte(cm.Data["config.yaml"]), &cfg); err != nil {
		t.Fatalf("ConfigMap %s config.yaml: %v", cm.Name, err)
	}
	return cfg
}

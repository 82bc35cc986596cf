package helmtest

import (
	"strings"
	"testing"
)

// Values that contradict each other, or cannot work, fail to render with a message naming them.
func TestContradictoryValuesFail(t *testing.T) {
	for _, tc := range []struct {
		name, values, want string
	}{
		{"no repository", `config: {repo: ""}`, "config.repo is required"},
		{"no secrets source", `config: {vault: {address: ""}}`, "config.vault.address is required"},
		{"kubernetes auth without a role", `config: {vault: {kubernetes_role: ""}}`, "needs config.vault.kubernetes_role"},
		{"no token, public Service", `{secrets: {apiToken: {name: ""}}, service: {type: LoadBalancer}}`, "secrets.apiToken.name is required: in a pod actionsd listens beyond loopback (Service type LoadBalancer)"},
		{"no token, NodePort", `{secrets: {apiToken: {name: ""}}, service: {type: NodePort}}`, "(Service type NodePort)"},
		{"no token, ingress", `{secrets: {apiToken: {name: ""}}, ingress: {enabled: true, host: a.example.com}}`, "(Service type ClusterIP, webhook Ingress)"},
		{"no token at all", `secrets: {apiToken: {name: ""}}`, "secrets.apiToken.name is required"},
		{"webhook ingress without a secret", `{ingress: {enabled: true, host: a.example.com}, secrets: {webhookSecret: {name: ""}}}`, "ingress.enabled exposes the webhook receivers, which refuse every delivery without a secret: set secrets.webhookSecret.name"},
		{"ingress without a host", `ingress: {enabled: true}`, "ingress.enabled needs ingress.host"},
		{"replicas without peers", `peers: {enabled: false}`, "replicaCount is 2 but peers.enabled is false"},
		{"autoscaling without peers", `{replicaCount: 1, peers: {enabled: false}, autoscaling: {enabled: true}}`, "autoscaling.maxReplicas is 5 but peers.enabled is false"},
		{"HPA min above max", `autoscaling: {enabled: true, minReplicas: 4, maxReplicas: 3}`, "autoscaling.minReplicas 4 is greater than autoscaling.maxReplicas 3"},
		{"HPA without a CPU request", `{autoscaling: {enabled: true}, resources: {requests: {cpu: null}}}`, "set resources.requests.cpu"},
		{"no replicas", `replicaCount: 0`, "replicaCount 0: want at least 1"},
		{"one claim for every replica", `dataVolume: {source: {persistentVolumeClaim: {claimName: data}}}`, "would give every replica the same data dir"},
		{"PDB blocks every eviction", `podDisruptionBudget: {maxUnavailable: null, minAvailable: 2}`, "podDisruptionBudget.minAvailable 2 with 2 replicas would block every eviction"},
		{"PDB with both", `podDisruptionBudget: {minAvailable: 1}`, "set maxUnavailable or minAvailable, not both"},
		{"PDB maxUnavailable 0", `podDisruptionBudget: {maxUnavailable: 0}`, "podDisruptionBudget.maxUnavailable 0 would block every eviction"},
		{"token in the ConfigMap", `config: {token: s3cret}`, "config.token would put the API token in a ConfigMap"},
		{"webhook secret in the ConfigMap", `config: {webhooks: {secret: s3cret}}`, "config.webhooks.secret would put the webhook secret in a ConfigMap"},
		{"addr in config", `config: {addr: ":9000"}`, "config.addr is set by the chart (from containerPort)"},
		{"data_dir in config", `config: {data_dir: /data}`, "config.data_dir is set by the chart (from the data volume)"},
		{"token path in config", `config: {vault: {kubernetes_token_path: /t}}`, "config.vault.kubernetes_token_path is set by the chart"},
		{"ssh key without known_hosts", `secrets: {git: {name: g, sshKeyKey: ssh-key}}`, "secrets.git.sshKeyKey needs secrets.git.knownHostsKey"},
		{"git key without a Secret", `secrets: {git: {tokenKey: t}}`, "no Secret name: set secrets.git.name"},
		{"git token and ssh key", `secrets: {git: {name: g, tokenKey: t, sshKeyKey: k, knownHostsKey: h}}`, "set tokenKey (an https:// repository) or sshKeyKey (ssh://), not both"},
		{"chart-managed env", `env: [{name: ACTIONSD_TOKEN, value: x}]`, "env: ACTIONSD_TOKEN is set by the chart"},
		{"unknown Service type", `service: {type: ExternalName}`, `service.type "ExternalName": want ClusterIP, NodePort or LoadBalancer`},
		{"unknown anti-affinity", `podAntiAffinity: always`, `podAntiAffinity "always": want soft, hard or none`},
		{"grace shorter than the preStop sleep", `terminationGracePeriodSeconds: 5`, "terminationGracePeriodSeconds 5 must exceed preStopSleepSeconds 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Render(Release{Name: "login", Namespace: testNamespace}, values(t, tc.values))
			if err == nil {
				t.Fatalf("values %s rendered; want the error %q", tc.values, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("values %s: error %q, want it to say %q", tc.values, err, tc.want)
			}
		})
	}
}

{{/* The chart's name, and the release's full name (at most 63 characters, a DNS label). */}}
{{- define "actionsd.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "actionsd.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The headless Service of the peers. */}}
{{- define "actionsd.peersName" -}}
{{- printf "%s-peers" (include "actionsd.fullname" . | trunc 57 | trimSuffix "-") -}}
{{- end -}}

{{- define "actionsd.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "actionsd.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "actionsd.selectorLabels" -}}
app.kubernetes.io/name: {{ include "actionsd.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "actionsd.labels" -}}
{{ include "actionsd.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Where the chart mounts things in the container. */}}
{{- define "actionsd.configDir" -}}/etc/actionsd{{- end -}}
{{- define "actionsd.gitDir" -}}/etc/actionsd/git{{- end -}}
{{- define "actionsd.vaultTokenDir" -}}/var/run/secrets/actionsd/vault{{- end -}}
{{- define "actionsd.dataDir" -}}/var/lib/actionsd{{- end -}}

{{/* Whether Vault's Kubernetes auth is used (the pod then gets a projected token). */}}
{{- define "actionsd.vaultKubernetes" -}}
{{- $vault := .Values.config.vault | default dict -}}
{{- if and $vault.address (eq (toString $vault.auth_method) "kubernetes") }}true{{ end -}}
{{- end -}}

{{/*
actionsd.config is the configuration file: the values' config with what the chart manages.
*/}}
{{- define "actionsd.config" -}}
{{- $cfg := deepCopy (.Values.config | default dict) -}}
{{- $_ := set $cfg "addr" (printf ":%v" .Values.containerPort) -}}
{{- $_ := set $cfg "data_dir" (include "actionsd.dataDir" .) -}}
{{- if include "actionsd.vaultKubernetes" . -}}
{{- $vault := get $cfg "vault" -}}
{{- $_ := set $vault "kubernetes_token_path" (printf "%s/token" (include "actionsd.vaultTokenDir" .)) -}}
{{- end -}}
{{- with .Values.secrets.git -}}
{{- if or .sshKeyKey .knownHostsKey -}}
{{- $git := get $cfg "git" | default dict -}}
{{- if .sshKeyKey }}{{ $_ := set $git "ssh_key_file" (printf "%s/ssh-key" (include "actionsd.gitDir" $)) }}{{ end -}}
{{- if .knownHostsKey }}{{ $_ := set $git "known_hosts_file" (printf "%s/known_hosts" (include "actionsd.gitDir" $)) }}{{ end -}}
{{- $_ := set $cfg "git" $git -}}
{{- end -}}
{{- end -}}
{{- toYaml $cfg -}}
{{- end -}}

{{/*
actionsd.validate fails the render on values that contradict each other or cannot work, naming
the values at fault. Every template includes it, so that no object renders without it.
*/}}
{{- define "actionsd.validate" -}}
{{- $v := .Values -}}
{{- $cfg := $v.config | default dict -}}
{{- $vault := $cfg.vault | default dict -}}
{{- if not $cfg.repo -}}
{{- fail "config.repo is required: the repository to serve (an https:// or ssh:// URL)" -}}
{{- end -}}
{{- if and (not $vault.address) (not $cfg.secrets_file) -}}
{{- fail "config.vault.address is required: actionsd reads the actions' secrets from Vault (config.secrets_file is for local trials only)" -}}
{{- end -}}
{{- if and (eq (toString $vault.auth_method) "kubernetes") (not $vault.kubernetes_role) -}}
{{- fail "config.vault.auth_method kubernetes needs config.vault.kubernetes_role: the Vault role bound to this chart's ServiceAccount" -}}
{{- end -}}
{{- range $key := list "addr" "data_dir" -}}
{{- if hasKey $cfg $key -}}
{{- fail (printf "config.%s is set by the chart (from %s): remove it from config" $key (ternary "containerPort" "the data volume" (eq $key "addr"))) -}}
{{- end -}}
{{- end -}}
{{- if hasKey $cfg "token" -}}
{{- fail "config.token would put the API token in a ConfigMap: name an existing Secret in secrets.apiToken instead" -}}
{{- end -}}
{{- if and $cfg.webhooks (hasKey $cfg.webhooks "secret") -}}
{{- fail "config.webhooks.secret would put the webhook secret in a ConfigMap: name an existing Secret in secrets.webhookSecret instead" -}}
{{- end -}}
{{- if $vault.kubernetes_token_path -}}
{{- fail "config.vault.kubernetes_token_path is set by the chart (a projected token for vaultKubernetesAuth.audience): remove it from config" -}}
{{- end -}}
{{- if and $cfg.git (or $v.secrets.git.sshKeyKey $v.secrets.git.knownHostsKey) (or (hasKey $cfg.git "ssh_key_file") (hasKey $cfg.git "known_hosts_file")) -}}
{{- fail "config.git.ssh_key_file and known_hosts_file are set by the chart when secrets.git.sshKeyKey or knownHostsKey is set: remove them from config" -}}
{{- end -}}
{{- if not $v.secrets.apiToken.name -}}
{{- fail (printf "secrets.apiToken.name is required: in a pod actionsd listens beyond loopback (Service type %s%s), where every route would be open without a token; name an existing Secret holding it" $v.service.type (ternary ", webhook Ingress" "" (not (not $v.ingress.enabled)))) -}}
{{- end -}}
{{- if and $v.ingress.enabled (not $v.secrets.webhookSecret.name) -}}
{{- fail "ingress.enabled exposes the webhook receivers, which refuse every delivery without a secret: set secrets.webhookSecret.name (an existing Secret)" -}}
{{- end -}}
{{- if and $v.ingress.enabled (not $v.ingress.host) -}}
{{- fail "ingress.enabled needs ingress.host: the host name the forge sends webhooks to" -}}
{{- end -}}
{{- with $v.secrets.git -}}
{{- if and (or .usernameKey .tokenKey .sshKeyKey .knownHostsKey) (not .name) -}}
{{- fail "secrets.git: a key is set (usernameKey, tokenKey, sshKeyKey or knownHostsKey) but no Secret name: set secrets.git.name" -}}
{{- end -}}
{{- if and .sshKeyKey (not .knownHostsKey) -}}
{{- fail "secrets.git.sshKeyKey needs secrets.git.knownHostsKey: actionsd always verifies the ssh host key, and the image has no known_hosts" -}}
{{- end -}}
{{- if and .tokenKey .sshKeyKey -}}
{{- fail "secrets.git: set tokenKey (an https:// repository) or sshKeyKey (ssh://), not both" -}}
{{- end -}}
{{- end -}}
{{- if not (has $v.service.type (list "ClusterIP" "NodePort" "LoadBalancer")) -}}
{{- fail (printf "service.type %q: want ClusterIP, NodePort or LoadBalancer" $v.service.type) -}}
{{- end -}}
{{- if not (has (toString $v.podAntiAffinity) (list "soft" "hard" "none")) -}}
{{- fail (printf "podAntiAffinity %q: want soft, hard or none" (toString $v.podAntiAffinity)) -}}
{{- end -}}
{{- $maxReplicas := int $v.replicaCount -}}
{{- if $v.autoscaling.enabled -}}
{{- if lt (int $v.autoscaling.minReplicas) 1 -}}
{{- fail (printf "autoscaling.minReplicas %v: want at least 1" $v.autoscaling.minReplicas) -}}
{{- end -}}
{{- if gt (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas) -}}
{{- fail (printf "autoscaling.minReplicas %v is greater than autoscaling.maxReplicas %v" $v.autoscaling.minReplicas $v.autoscaling.maxReplicas) -}}
{{- end -}}
{{- if not (and $v.resources $v.resources.requests $v.resources.requests.cpu) -}}
{{- fail "autoscaling.enabled scales on CPU utilization, a share of the CPU request: set resources.requests.cpu" -}}
{{- end -}}
{{- $maxReplicas = int $v.autoscaling.maxReplicas -}}
{{- else if lt (int $v.replicaCount) 1 -}}
{{- fail (printf "replicaCount %v: want at least 1 (uninstall the release to run none)" $v.replicaCount) -}}
{{- end -}}
{{- if and (gt $maxReplicas 1) (not $v.peers.enabled) -}}
{{- fail (printf "%s but peers.enabled is false: without the peers' headless Service a webhook reaches one replica and the others wait for their next poll; enable peers or run one replica" (ternary (printf "autoscaling.maxReplicas is %d" $maxReplicas) (printf "replicaCount is %d" $maxReplicas) (not (not $v.autoscaling.enabled)))) -}}
{{- end -}}
{{- if and (gt $maxReplicas 1) $v.dataVolume.source.persistentVolumeClaim -}}
{{- fail "dataVolume.source.persistentVolumeClaim would give every replica the same data dir: use an emptyDir or a generic ephemeral volume (dataVolume.source.ephemeral), one per pod" -}}
{{- end -}}
{{- with $v.podDisruptionBudget -}}
{{- if .enabled -}}
{{- if and (not (kindIs "invalid" .maxUnavailable)) (not (kindIs "invalid" .minAvailable)) -}}
{{- fail "podDisruptionBudget: set maxUnavailable or minAvailable, not both" -}}
{{- end -}}
{{- if and (kindIs "invalid" .maxUnavailable) (kindIs "invalid" .minAvailable) -}}
{{- fail "podDisruptionBudget: set maxUnavailable or minAvailable" -}}
{{- end -}}
{{- $minReplicas := ternary (int $v.autoscaling.minReplicas) (int $v.replicaCount) (not (not $v.autoscaling.enabled)) -}}
{{- if and (not (kindIs "invalid" .minAvailable)) (not (kindIs "string" .minAvailable)) (ge (int .minAvailable) $minReplicas) -}}
{{- fail (printf "podDisruptionBudget.minAvailable %v with %d replicas would block every eviction (node drains, upgrades): lower it below the replica count" .minAvailable $minReplicas) -}}
{{- end -}}
{{- if and (not (kindIs "invalid" .maxUnavailable)) (not (kindIs "string" .maxUnavailable)) (lt (int .maxUnavailable) 1) -}}
{{- fail (printf "podDisruptionBudget.maxUnavailable %v would block every eviction (node drains, upgrades): want at least 1" .maxUnavailable) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and (gt (int $v.preStopSleepSeconds) 0) (le (int $v.terminationGracePeriodSeconds) (int $v.preStopSleepSeconds)) -}}
{{- fail (printf "terminationGracePeriodSeconds %v must exceed preStopSleepSeconds %v (and leave config.shutdown_grace for in-flight requests)" $v.terminationGracePeriodSeconds $v.preStopSleepSeconds) -}}
{{- end -}}
{{- $reserved := list "ACTIONSD_ADDR" "ACTIONSD_DATA_DIR" "ACTIONSD_TOKEN" "ACTIONSD_WEBHOOK_SECRET" "ACTIONSD_STATE_KEY" "ACTIONSD_PEER_SECRET" "ACTIONSD_GIT_USERNAME" "ACTIONSD_GIT_TOKEN" "ACTIONSD_GIT_PASSWORD" "POD_NAMESPACE" -}}
{{- range $v.env -}}
{{- if has .name $reserved -}}
{{- fail (printf "env: %s is set by the chart (from containerPort, the data volume or secrets.*): remove it from env" .name) -}}
{{- end -}}
{{- end -}}
{{- end -}}

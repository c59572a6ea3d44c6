{{/* The worker pods' ServiceAccount: the one the chart creates in each job namespace, or the user's. */}}
{{- define "ferry.workerServiceAccount" -}}
{{- default (printf "%s-worker" .Release.Name) .Values.workers.serviceAccount.name -}}
{{- end -}}

{{/* Namespaces that get the worker ServiceAccount: the watched ones, else the release's own. */}}
{{- define "ferry.workerNamespaces" -}}
{{- $namespaces := .Values.workers.serviceAccount.namespaces | default .Values.watchNamespaces | default (list .Release.Namespace) -}}
{{- join "," $namespaces -}}
{{- end -}}

{{/* Labels of every object the chart installs (Kubernetes' recommended labels). */}}
{{- define "ferry.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/part-of: ferry
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* What selects the operator pods (Deployment, Service, PodDisruptionBudget): never changes on upgrade. */}}
{{- define "ferry.operatorSelectorLabels" -}}
app.kubernetes.io/name: ferry
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{/*
An image, "registry/repository:tag", the tag defaulting to the chart's appVersion: the tag the build gives
the images. Call with (dict "root" $ "component" "operator") or "worker".
*/}}
{{- define "ferry.image" -}}
{{- $image := index .root.Values.image .component -}}
{{- $repository := $image.repository -}}
{{- with .root.Values.image.registry -}}
{{- $repository = printf "%s/%s" (trimSuffix "/" .) $repository -}}
{{- end -}}
{{- printf "%s:%s" $repository (default .root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{/* The worker pods' image pull secrets: their own, else the operator's. */}}
{{- define "ferry.workerImagePullSecrets" -}}
{{- toYaml (.Values.workers.imagePullSecrets | default .Values.imagePullSecrets) -}}
{{- end -}}

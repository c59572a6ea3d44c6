{{/* The worker pods' ServiceAccount: the one the chart creates in each job namespace, or the user's. */}}
{{- define "ferry.workerServiceAccount" -}}
{{- default (printf "%s-worker" .Release.Name) .Values.workers.serviceAccount.name -}}
{{- end -}}

{{/* Namespaces that get the worker ServiceAccount: the watched ones, else the release's own. */}}
{{- define "ferry.workerNamespaces" -}}
{{- $namespaces := .Values.workers.serviceAccount.namespaces | default .Values.watchNamespaces | default (list .Release.Namespace) -}}
{{- join "," $namespaces -}}
{{- end -}}

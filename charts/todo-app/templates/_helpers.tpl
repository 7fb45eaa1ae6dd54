{{- define "todo-app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "todo-app.fullname" -}}
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

{{- define "todo-app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "todo-app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "todo-app.labels" -}}
helm.sh/chart: {{ include "todo-app.chart" . }}
{{ include "todo-app.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: todo-app
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/*
A subchart's resource name, computed as the subcharts do: "<release>-<component>"
(or the release name when it already contains the component).
*/}}
{{- define "todo-app.componentFullname" -}}
{{- $root := index . 0 -}}
{{- $component := index . 1 -}}
{{- if contains $component $root.Release.Name -}}
{{- $root.Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" $root.Release.Name $component | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The Secret the workloads read: the existing one, or the chart's own. */}}
{{- define "todo-app.secretName" -}}
{{- default (printf "%s-secrets" .Release.Name | trunc 63 | trimSuffix "-") .Values.global.secrets.existingSecret -}}
{{- end -}}

{{/* Stops the render with a clear message when the values cannot work together. */}}
{{- define "todo-app.validate" -}}
{{- $secrets := .Values.global.secrets -}}
{{- if and (not .Values.global.postgresql.enabled) (not $secrets.existingSecret) (not $secrets.databaseUrl) -}}
{{- fail "global.postgresql.enabled is false (external database) but there is no database URL: set global.secrets.existingSecret to a Secret with a DATABASE_URL key, or pass --set global.secrets.databaseUrl=postgresql://..." -}}
{{- end -}}
{{- if and $secrets.existingSecret (or $secrets.openaiApiKey $secrets.databaseUrl) -}}
{{- fail "global.secrets.openaiApiKey and global.secrets.databaseUrl are only used when the chart renders its own Secret: with global.secrets.existingSecret set, put OPENAI_API_KEY and DATABASE_URL into that Secret instead" -}}
{{- end -}}
{{- end -}}

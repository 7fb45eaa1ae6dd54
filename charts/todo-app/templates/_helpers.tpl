{{/*
The parent's own helpers: its name honours nameOverride/fullnameOverride,
which the components do not take. The rest (component names, labels, the
Secret's name) comes from the common library chart (charts/common).
*/}}
{{- define "todo-app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "todo-app.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- include "common.componentFullname" (dict "context" . "name" (default .Chart.Name .Values.nameOverride)) -}}
{{- end -}}
{{- end -}}

{{/* The common library's labels, named after the parent's nameOverride. */}}
{{- define "todo-app.labels" -}}
{{- include "common.labels" (dict "context" . "name" (include "todo-app.name" .)) -}}
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

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
{{- if and $secrets.existingSecret (or $secrets.openaiApiKey $secrets.databaseUrl $secrets.postgresPassword) -}}
{{- fail "global.secrets.openaiApiKey, global.secrets.databaseUrl and global.secrets.postgresPassword are only used when the chart renders its own Secret: with global.secrets.existingSecret set, put OPENAI_API_KEY, DATABASE_URL and POSTGRES_PASSWORD into that Secret instead" -}}
{{- end -}}
{{- if not $secrets.existingSecret -}}
{{- include "todo-app.validatePostgresPassword" . -}}
{{- end -}}
{{- end -}}

{{/*
The password of the chart's own Secret. The chart never makes one up: initdb
takes it once, so a password generated at install would have to be found again
on every upgrade (the helm_release role keeps the one it generates). Messages
never repeat the value.
*/}}
{{- define "todo-app.validatePostgresPassword" -}}
{{- $password := .Values.global.secrets.postgresPassword -}}
{{- $secret := include "common.secretName" . -}}
{{- if not .Values.global.postgresql.enabled -}}
{{- if $password -}}
{{- fail "global.secrets.postgresPassword is only used with the in-cluster PostgreSQL, and global.postgresql.enabled is false: drop it (the external database's password belongs in global.secrets.databaseUrl)" -}}
{{- end -}}
{{- else if not $password -}}
{{- fail (printf `global.secrets.postgresPassword is required: the chart renders its own Secret %s (global.secrets.existingSecret is empty) for the in-cluster PostgreSQL. First install: --set-string global.secrets.postgresPassword="$(openssl rand -hex 16)". Every upgrade: the same password, e.g. --set-string global.secrets.postgresPassword="$(kubectl get secret %s --namespace %s -o jsonpath='{.data.POSTGRES_PASSWORD}' | base64 -d)". Or install with the localdev.kube helm_release role, which keeps it for you.` $secret $secret .Release.Namespace) -}}
{{- else if not (regexMatch "^[A-Za-z0-9._~-]+$" $password) -}}
{{- fail `global.secrets.postgresPassword may hold only letters, digits and - . _ ~ (it goes into the database URL unescaped): choose another, e.g. "$(openssl rand -hex 16)"` -}}
{{- else -}}
{{- with lookup "v1" "Secret" .Release.Namespace $secret -}}
{{- $current := index (.data | default dict) "POSTGRES_PASSWORD" | default "" | b64dec -}}
{{- if and $current (ne $current $password) -}}
{{- fail (printf `global.secrets.postgresPassword differs from the password in Secret %s, which the running database was initialised with: a new one would lock the backend out. Pass the current one: --set-string global.secrets.postgresPassword="$(kubectl get secret %s --namespace %s -o jsonpath='{.data.POSTGRES_PASSWORD}' | base64 -d)"` $secret $secret $.Release.Namespace) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Names. Every component of a release is "<release>-<component>" (or just the
release name when it already contains the component), so the subcharts find
each other's Services and pods without seeing each other's values.
Call with (list $ "component").
*/}}
{{- define "backend.componentFullname" -}}
{{- $root := index . 0 -}}
{{- $component := index . 1 -}}
{{- if contains $component $root.Release.Name -}}
{{- $root.Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" $root.Release.Name $component | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "backend.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "backend.fullname" -}}
{{- include "backend.componentFullname" (list . .Chart.Name) -}}
{{- end -}}

{{- define "backend.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "backend.selectorLabels" -}}
app.kubernetes.io/name: {{ include "backend.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "backend.labels" -}}
helm.sh/chart: {{ include "backend.chart" . }}
{{ include "backend.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: api
app.kubernetes.io/part-of: todo-app
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "backend.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "backend.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "backend.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* The Secret with DATABASE_URL, OPENAI_API_KEY, POSTGRES_PASSWORD. */}}
{{- define "backend.secretName" -}}
{{- $secrets := .Values.global.secrets | default dict -}}
{{- default (printf "%s-secrets" .Release.Name | trunc 63 | trimSuffix "-") $secrets.existingSecret -}}
{{- end -}}

{{/* Rolls the pods when a secret input changes: the values that make the chart's own Secret, or the fingerprint of an existing one. */}}
{{- define "backend.secretChecksum" -}}
{{- toJson (.Values.global.secrets | default dict) | sha256sum -}}
{{- end -}}

{{- define "backend.databaseHost" -}}
{{- default (include "backend.componentFullname" (list . "postgresql")) .Values.database.host -}}
{{- end -}}

{{- define "backend.inClusterDatabase" -}}
{{- $pg := .Values.global.postgresql | default dict -}}
{{- if $pg.enabled }}true{{ end -}}
{{- end -}}

{{/* Secret-backed environment shared by the app container and the wait-for-database init container. */}}
{{- define "backend.databaseEnv" -}}
{{- $pg := .Values.global.postgresql -}}
{{- if include "backend.inClusterDatabase" . }}
- name: POSTGRES_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "backend.secretName" . }}
      key: POSTGRES_PASSWORD
- name: DATABASE_URL
  value: {{ printf "%s://%s:$(POSTGRES_PASSWORD)@%s:%v/%s" .Values.database.scheme $pg.username (include "backend.databaseHost" .) .Values.database.port $pg.database | quote }}
{{- else }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "backend.secretName" . }}
      key: DATABASE_URL
{{- end }}
{{- end -}}

{{/* Security settings shared by every container. */}}
{{- define "backend.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

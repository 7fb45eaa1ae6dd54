{{/*
The backend's own helpers. Names, labels, the image, the ServiceAccount, the
container security context and the Secret's name come from the common library
chart (charts/common).
*/}}

{{/* Rolls the pods when a secret input changes: the values that make the chart's own Secret, or the fingerprint of an existing one. */}}
{{- define "backend.secretChecksum" -}}
{{- toJson (.Values.global.secrets | default dict) | sha256sum -}}
{{- end -}}

{{- define "backend.databaseHost" -}}
{{- default (include "common.componentFullname" (dict "context" . "name" "postgresql")) .Values.database.host -}}
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
      name: {{ include "common.secretName" . }}
      key: POSTGRES_PASSWORD
- name: DATABASE_URL
  value: {{ printf "%s://%s:$(POSTGRES_PASSWORD)@%s:%v/%s" .Values.database.scheme $pg.username (include "backend.databaseHost" .) .Values.database.port $pg.database | quote }}
{{- else }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "common.secretName" . }}
      key: DATABASE_URL
{{- end }}
{{- end -}}

{{/*
The image reference: .Values.image.repository and .Values.image.tag, the
chart's appVersion when the tag is empty. Call with the chart's context ($).
*/}}
{{- define "common.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* Security settings shared by every container. */}}
{{- define "common.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

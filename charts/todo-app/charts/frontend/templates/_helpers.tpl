{{/*
The frontend's own helpers. Names, labels, the image, the ServiceAccount and
the container security context come from the common library chart
(charts/common).
*/}}

{{/* The backend's in-cluster URL (its Service's DNS name), for server-side calls. */}}
{{- define "frontend.backendUrl" -}}
{{- if .Values.backend.url -}}
{{- .Values.backend.url -}}
{{- else -}}
{{- printf "http://%s:%v" (include "common.componentFullname" (dict "context" . "name" "backend")) .Values.backend.port -}}
{{- end -}}
{{- end -}}

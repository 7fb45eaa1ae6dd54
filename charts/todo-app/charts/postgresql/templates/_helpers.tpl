{{/*
PostgreSQL's own helpers. Names, labels, the image, the ServiceAccount, the
container security context and the Secret's name come from the common library
chart (charts/common).
*/}}

{{- define "postgresql.headlessName" -}}
{{- printf "%s-hl" (include "common.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

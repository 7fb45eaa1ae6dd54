{{/*
Names. Every component of a release is "<release>-<component>" (or just the
release name when it already contains the component), so the subcharts find
each other's Services and pods without seeing each other's values. That is
also why components take no nameOverride/fullnameOverride: a sibling could not
know the overridden name.
Call with (dict "context" $ "name" "<component chart>").
*/}}
{{- define "common.componentFullname" -}}
{{- $release := .context.Release.Name -}}
{{- if contains .name $release -}}
{{- $release | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" $release .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The calling chart's name. Call with the chart's context ($). */}}
{{- define "common.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The calling chart's own resource name. Call with the chart's context ($). */}}
{{- define "common.fullname" -}}
{{- include "common.componentFullname" (dict "context" . "name" .Chart.Name) -}}
{{- end -}}

{{/* The helm.sh/chart label value of the calling chart. Call with the chart's context ($). */}}
{{- define "common.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The ServiceAccount the pods run as (.Values.serviceAccount.{create,name}).
Call with the chart's context ($).
*/}}
{{- define "common.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "common.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
The Secret with DATABASE_URL, OPENAI_API_KEY and POSTGRES_PASSWORD: the
existing one, or the one the parent chart renders. `default dict`: a subchart
rendered on its own has no global.secrets.
Call with the chart's context ($).
*/}}
{{- define "common.secretName" -}}
{{- $secrets := .Values.global.secrets | default dict -}}
{{- default (printf "%s-secrets" .Release.Name | trunc 63 | trimSuffix "-") $secrets.existingSecret -}}
{{- end -}}

{{/*
Selector labels: never change them, a Deployment's or StatefulSet's selector
cannot change under an existing install.
Call with (dict "context" $), or (dict "context" $ "name" "<name>") where the
app.kubernetes.io/name label is not the chart's name (the parent's nameOverride).
*/}}
{{- define "common.selectorLabels" -}}
app.kubernetes.io/name: {{ .name | default (include "common.name" .context) }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
{{- end -}}

{{/*
Labels of every object. Call with (dict "context" $ "component" "<role>"),
the component being the app.kubernetes.io/component label (omitted when
empty); "name" as for common.selectorLabels.
*/}}
{{- define "common.labels" -}}
helm.sh/chart: {{ include "common.chart" .context }}
{{ include "common.selectorLabels" . }}
app.kubernetes.io/version: {{ .context.Chart.AppVersion | quote }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
app.kubernetes.io/part-of: todo-app
app.kubernetes.io/managed-by: {{ .context.Release.Service }}
{{- end -}}

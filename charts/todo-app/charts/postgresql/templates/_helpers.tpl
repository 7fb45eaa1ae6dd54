{{/*
PostgreSQL's own helpers. Names, labels, the image, the ServiceAccount, the
container security context and the Secret's name come from the common library
chart (charts/common).
*/}}

{{- define "postgresql.headlessName" -}}
{{- printf "%s-hl" (include "common.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The UID and GID PostgreSQL runs as, and the owner of its data directory
(dataOwnership in values.yaml). 10001, like the backend and the frontend.
*/}}
{{- define "postgresql.uid" -}}
10001
{{- end -}}

{{/*
"true" when the pod gets the init container that hands the data directory over
to postgresql.uid (dataOwnership.chown), empty otherwise. auto reads the
release's StatefulSet and data claim from the cluster (`helm template` reads
nothing: no init container) and asks postgresql.handOverDue.
*/}}
{{- define "postgresql.chownData" -}}
{{- $mode := (.Values.dataOwnership | default dict).chown | default "auto" -}}
{{- if eq $mode "always" -}}
true
{{- else if and (eq $mode "auto") .Values.persistence.enabled -}}
{{- $name := include "common.fullname" . -}}
{{- $statefulset := lookup "apps/v1" "StatefulSet" .Release.Namespace $name -}}
{{- $claim := dict -}}
{{- if not $statefulset -}}
{{- $claim = lookup "v1" "PersistentVolumeClaim" .Release.Namespace (printf "data-%s-0" $name) -}}
{{- end -}}
{{- include "postgresql.handOverDue" (dict "context" . "statefulset" $statefulset "claim" $claim) -}}
{{- end -}}
{{- end -}}

{{/*
"true" when the data on the claim may belong to another UID than
postgresql.uid, from the live objects (empty dicts when absent): an upgrade
from a StatefulSet whose pods ran as another UID, a hand-over whose pod is not
ready and updated yet, or a new StatefulSet on a claim kept from an earlier
install. Call with (dict "context" $ "statefulset" <object> "claim" <object>).
*/}}
{{- define "postgresql.handOverDue" -}}
{{- $statefulset := .statefulset | default dict -}}
{{- if $statefulset -}}
{{- $pod := dig "spec" "template" "spec" dict $statefulset -}}
{{- $ranAs := dig "securityContext" "runAsUser" "" $pod | toString -}}
{{- $handingOver := false -}}
{{- range (dig "initContainers" list $pod) -}}
{{- if eq .name "data-ownership" }}{{ $handingOver = true }}{{ end -}}
{{- end -}}
{{- $status := $statefulset.status | default dict -}}
{{- $rolledOut := and (eq (int ($status.readyReplicas | default 0)) 1) (eq ($status.currentRevision | default "") ($status.updateRevision | default "")) -}}
{{- if or (ne $ranAs (include "postgresql.uid" .context)) (and $handingOver (not $rolledOut)) -}}
true
{{- end -}}
{{- else if .claim -}}
true
{{- end -}}
{{- end -}}

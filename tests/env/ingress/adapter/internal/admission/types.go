// Package admission is the validating admission webhook of the ingress-nginx
// stand-in: it checks networking.k8s.io/v1 Ingresses of the controller's
// class the way ingress-nginx's webhook does (no host+path served twice,
// pathType/path combinations, annotation values) before the API server
// stores them.
package admission

import "encoding/json"

// The subset of admission.k8s.io/v1 and networking.k8s.io/v1 this webhook reads.

// Review is an admission.k8s.io AdmissionReview.
type Review struct {
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Request    *Request  `json:"request,omitempty"`
	Response   *Response `json:"response,omitempty"`
}

// GroupVersionKind names a kind.
type GroupVersionKind struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

// Request is an AdmissionRequest.
type Request struct {
	UID       string           `json:"uid"`
	Kind      GroupVersionKind `json:"kind"`
	Name      string           `json:"name,omitempty"`
	Namespace string           `json:"namespace,omitempty"`
	Operation string           `json:"operation"`
	Object    json.RawMessage  `json:"object,omitempty"`
}

// Response is an AdmissionResponse.
type Response struct {
	UID      string   `json:"uid"`
	Allowed  bool     `json:"allowed"`
	Status   *Status  `json:"status,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// Status is the metav1.Status of a denial.
type Status struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Code    int32  `json:"code,omitempty"`
}

// ObjectMeta is the part of metadata the checks need.
type ObjectMeta struct {
	Name              string            `json:"name,omitempty"`
	Namespace         string            `json:"namespace,omitempty"`
	Annotations       map[string]string `json:"annotations,omitempty"`
	DeletionTimestamp *string           `json:"deletionTimestamp,omitempty"`
}

// Ingress is a networking.k8s.io/v1 Ingress.
type Ingress struct {
	Metadata ObjectMeta  `json:"metadata"`
	Spec     IngressSpec `json:"spec"`
}

// IngressSpec is an Ingress's spec.
type IngressSpec struct {
	IngressClassName *string       `json:"ingressClassName,omitempty"`
	Rules            []IngressRule `json:"rules,omitempty"`
}

// IngressRule is one host's rule.
type IngressRule struct {
	Host string         `json:"host,omitempty"`
	HTTP *HTTPRuleValue `json:"http,omitempty"`
}

// HTTPRuleValue lists a rule's paths.
type HTTPRuleValue struct {
	Paths []HTTPPath `json:"paths"`
}

// HTTPPath is one path of a rule.
type HTTPPath struct {
	Path     string  `json:"path,omitempty"`
	PathType *string `json:"pathType,omitempty"`
}

// IngressClass is a networking.k8s.io/v1 IngressClass.
type IngressClass struct {
	Metadata ObjectMeta `json:"metadata"`
	Spec     struct {
		Controller string `json:"controller"`
	} `json:"spec"`
}

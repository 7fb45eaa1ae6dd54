package admission

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"time"

	"localdev.kube/ingress-adapter/internal/kube"
)

// Review answers one AdmissionRequest.
func (v *Validator) Review(ctx context.Context, req *Request) *Response {
	d := v.decide(ctx, req)
	resp := &Response{UID: req.UID, Allowed: d.allowed, Warnings: d.warnings}
	if !d.allowed {
		resp.Status = &Status{Status: "Failure", Message: d.message, Code: d.code}
		if d.code == 400 {
			resp.Status.Reason = "BadRequest"
		} else {
			resp.Status.Reason = "InternalError"
		}
	}
	return resp
}

func (v *Validator) decide(ctx context.Context, req *Request) decision {
	if req.Kind.Group != "networking.k8s.io" || req.Kind.Version != "v1" || req.Kind.Kind != "Ingress" {
		return deny(400, "this webhook validates networking.k8s.io/v1 Ingress objects, not %s/%s %s", req.Kind.Group, req.Kind.Version, req.Kind.Kind)
	}
	if req.Operation != "CREATE" && req.Operation != "UPDATE" {
		return decision{allowed: true}
	}
	var ing Ingress
	if err := json.Unmarshal(req.Object, &ing); err != nil {
		return deny(400, "cannot decode the Ingress: %v", err)
	}
	if ing.Metadata.Namespace == "" {
		ing.Metadata.Namespace = req.Namespace
	}
	if ing.Metadata.Name == "" {
		ing.Metadata.Name = req.Name
	}
	// The API server waits 10 s by default; answer well before.
	ctx, cancel := context.WithTimeout(ctx, 8*time.Second)
	defer cancel()
	return v.review(ctx, &ing)
}

// ServeHTTP takes an AdmissionReview (POST, JSON) and answers it.
func (v *Validator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST an admission.k8s.io/v1 AdmissionReview here", http.StatusMethodNotAllowed)
		return
	}
	var review Review
	if err := json.NewDecoder(io.LimitReader(r.Body, 16<<20)).Decode(&review); err != nil {
		http.Error(w, "cannot decode the AdmissionReview: "+err.Error(), http.StatusBadRequest)
		return
	}
	if review.Request == nil {
		http.Error(w, "the AdmissionReview has no request", http.StatusBadRequest)
		return
	}
	resp := v.Review(r.Context(), review.Request)
	verdict := "allowed"
	if !resp.Allowed {
		verdict = "denied: " + resp.Status.Message
	}
	log.Printf("admission: %s ingress %s/%s: %s", review.Request.Operation, review.Request.Namespace, review.Request.Name, verdict)
	apiVersion := review.APIVersion // the answer must carry the request's version
	if apiVersion == "" {
		apiVersion = "admission.k8s.io/v1"
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(Review{APIVersion: apiVersion, Kind: "AdmissionReview", Response: resp}); err != nil {
		log.Printf("admission: writing the answer: %v", err)
	}
}

// APILister reads IngressClasses and Ingresses from the API server.
type APILister struct {
	Client *kube.Client
	Err    error // why there is no Client (not in a pod), returned on each call
}

// IngressClasses lists the cluster's IngressClasses.
func (l APILister) IngressClasses(ctx context.Context) ([]IngressClass, error) {
	if l.Client == nil {
		return nil, fmt.Errorf("no API access: %v", l.Err)
	}
	return kube.List[IngressClass](ctx, l.Client, "/apis/networking.k8s.io/v1/ingressclasses")
}

// Ingresses lists the Ingresses of all namespaces.
func (l APILister) Ingresses(ctx context.Context) ([]Ingress, error) {
	if l.Client == nil {
		return nil, fmt.Errorf("no API access: %v", l.Err)
	}
	return kube.List[Ingress](ctx, l.Client, "/apis/networking.k8s.io/v1/ingresses")
}

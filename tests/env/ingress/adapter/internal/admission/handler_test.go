package admission

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"localdev.kube/ingress-adapter/internal/certs"
	"localdev.kube/ingress-adapter/internal/kube"
)

// fakeAPI serves the IngressClass and Ingress lists the webhook reads.
func fakeAPI(t *testing.T, classes []IngressClass, ingresses []Ingress) *kube.Client {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var items any
		switch r.URL.Path {
		case "/apis/networking.k8s.io/v1/ingressclasses":
			items = classes
		case "/apis/networking.k8s.io/v1/ingresses":
			items = ingresses
		default:
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"metadata": map[string]any{}, "items": items})
	}))
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return kube.New(srv.URL, "", roots)
}

// TestWebhookRoundTrip serves the webhook over TLS with a certificate from
// package certs (as the certgen job makes it) and posts AdmissionReviews the
// way the API server does, trusting only that CA.
func TestWebhookRoundTrip(t *testing.T) {
	api := fakeAPI(t, []IngressClass{nginxClass()},
		[]Ingress{ingress("todo", "app", ptr("nginx"), nil, "todo.local /api Prefix")})
	b, err := certs.Generate([]string{"ingress-nginx-controller-admission", "127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(b.Cert, b.Key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(&Validator{Class: addonClass, Lister: APILister{Client: api}})
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	srv.StartTLS()
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(b.CA)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))
	url := "https://127.0.0.1:" + port + "/networking/v1/ingresses"

	post := func(ing Ingress) Response {
		t.Helper()
		obj, _ := json.Marshal(ing)
		body, _ := json.Marshal(Review{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview", Request: &Request{
			UID: "u-1", Kind: GroupVersionKind{"networking.k8s.io", "v1", "Ingress"}, Operation: "CREATE",
			Namespace: ing.Metadata.Namespace, Name: ing.Metadata.Name, Object: obj,
		}})
		resp, err := client.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out Review
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		if out.APIVersion != "admission.k8s.io/v1" || out.Kind != "AdmissionReview" || out.Response == nil || out.Response.UID != "u-1" {
			t.Fatalf("answer %+v", out)
		}
		return *out.Response
	}

	if r := post(ingress("dev", "copy", ptr("nginx"), nil, "todo.local /api Prefix")); r.Allowed ||
		!strings.Contains(r.Status.Message, `host "todo.local" and path "/api" is already defined in ingress todo/app`) {
		t.Errorf("duplicate: %+v %+v", r, r.Status)
	}
	if r := post(ingress("dev", "new", ptr("nginx"), map[string]string{annotationPrefix + "rewrite-target": "/"}, "dev.local /api Prefix")); !r.Allowed || len(r.Warnings) != 1 {
		t.Errorf("new host: %+v", r)
	}

	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
	resp, err = client.Post(url, "application/json", strings.NewReader(`{"apiVersion":"admission.k8s.io/v1"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("review without request: %d", resp.StatusCode)
	}
}

func TestNoAPIAccessDenies(t *testing.T) {
	v := &Validator{Class: addonClass, Lister: APILister{Err: errString("not in a pod")}}
	obj, _ := json.Marshal(ingress("a", "x", nil, nil, "- / Prefix"))
	r := v.Review(context.Background(), &Request{UID: "1", Kind: GroupVersionKind{"networking.k8s.io", "v1", "Ingress"}, Operation: "CREATE", Object: obj})
	if r.Allowed || !strings.Contains(r.Status.Message, "no API access: not in a pod") {
		t.Fatalf("%+v", r.Status)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

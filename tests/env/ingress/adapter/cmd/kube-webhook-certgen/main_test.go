package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"localdev.kube/ingress-adapter/internal/kube"
)

const (
	secretPath  = "/api/v1/namespaces/ingress-nginx/secrets/ingress-nginx-admission"
	secretsPath = "/api/v1/namespaces/ingress-nginx/secrets"
	vwcPath     = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/ingress-nginx-admission"
)

// api is a fake API server holding one Secret and one ValidatingWebhookConfiguration,
// with the verbs the addon's RBAC grants the certgen service account.
type api struct {
	mu        sync.Mutex
	secret    []byte // JSON, nil when absent
	vwc       map[string]any
	conflicts int // PUTs to refuse with 409 first
	puts      int
	requests  []string
}

func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requests = append(a.requests, r.Method+" "+r.URL.Path)
	body, _ := io.ReadAll(r.Body)
	switch {
	case r.Method == http.MethodGet && r.URL.Path == secretPath:
		if a.secret == nil {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"kind":"Status","reason":"NotFound","message":"not found"}`))
			return
		}
		_, _ = w.Write(a.secret)
	case r.Method == http.MethodPost && r.URL.Path == secretsPath:
		if a.secret != nil {
			w.WriteHeader(http.StatusConflict)
			return
		}
		a.secret = body
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(body)
	case r.Method == http.MethodGet && r.URL.Path == vwcPath:
		_ = json.NewEncoder(w).Encode(a.vwc)
	case r.Method == http.MethodPut && r.URL.Path == vwcPath:
		a.puts++
		if a.conflicts > 0 {
			a.conflicts--
			w.WriteHeader(http.StatusConflict)
			_, _ = w.Write([]byte(`{"reason":"Conflict","message":"the object has been modified"}`))
			return
		}
		a.vwc = nil
		_ = json.Unmarshal(body, &a.vwc)
		_, _ = w.Write(body)
	default:
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"reason":"Forbidden","message":"not granted by the addon's RBAC"}`))
	}
}

func start(t *testing.T, a *api) func() (*kube.Client, error) {
	t.Helper()
	srv := httptest.NewTLSServer(a)
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return func() (*kube.Client, error) { return kube.New(srv.URL, "", roots), nil }
}

var createArgs = []string{"create", "--host=ingress-nginx-controller-admission,ingress-nginx-controller-admission.ingress-nginx.svc",
	"--namespace=ingress-nginx", "--secret-name=ingress-nginx-admission"}
var patchArgs = []string{"patch", "--webhook-name=ingress-nginx-admission", "--namespace=ingress-nginx", "--patch-mutating=false",
	"--secret-name=ingress-nginx-admission", "--patch-failure-policy=Fail"}

func TestCreateThenPatch(t *testing.T) {
	a := &api{vwc: map[string]any{
		"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
		"metadata": map[string]any{"name": "ingress-nginx-admission", "resourceVersion": "7"},
		"webhooks": []any{map[string]any{
			"name":          "validate.nginx.ingress.kubernetes.io",
			"failurePolicy": "Ignore",
			"sideEffects":   "None",
			"clientConfig":  map[string]any{"service": map[string]any{"name": "ingress-nginx-controller-admission", "namespace": "ingress-nginx", "path": "/networking/v1/ingresses"}},
		}},
	}, conflicts: 1}
	connect := start(t, a)
	if err := run(createArgs, io.Discard, connect); err != nil {
		t.Fatal(err)
	}
	var s struct {
		Metadata map[string]string
		Data     map[string][]byte
	}
	if err := json.Unmarshal(a.secret, &s); err != nil {
		t.Fatal(err)
	}
	if s.Metadata["name"] != "ingress-nginx-admission" || s.Metadata["namespace"] != "ingress-nginx" {
		t.Fatalf("metadata %v", s.Metadata)
	}
	pair, err := tls.X509KeyPair(s.Data["cert"], s.Data["key"])
	if err != nil {
		t.Fatalf("cert/key: %v", err)
	}
	leaf, _ := x509.ParseCertificate(pair.Certificate[0])
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(s.Data["ca"])
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "ingress-nginx-controller-admission.ingress-nginx.svc"}); err != nil {
		t.Fatalf("serving certificate does not verify against ca: %v", err)
	}

	// A second create finds the Secret and changes nothing.
	before := string(a.secret)
	if err := run(createArgs, io.Discard, connect); err != nil || string(a.secret) != before {
		t.Fatalf("second create: %v", err)
	}

	if err := run(patchArgs, io.Discard, connect); err != nil {
		t.Fatal(err)
	}
	hook := a.vwc["webhooks"].([]any)[0].(map[string]any)
	cc := hook["clientConfig"].(map[string]any)
	if cc["caBundle"] != base64.StdEncoding.EncodeToString(s.Data["ca"]) || hook["failurePolicy"] != "Fail" {
		t.Fatalf("webhook after patch: %v", hook)
	}
	if cc["service"].(map[string]any)["path"] != "/networking/v1/ingresses" || hook["sideEffects"] != "None" {
		t.Fatalf("patch lost fields: %v", hook)
	}
	if a.puts != 2 {
		t.Fatalf("want one refused and one accepted PUT, got %d", a.puts)
	}
	// Patched already: no further update.
	if err := run(patchArgs, io.Discard, connect); err != nil || a.puts != 2 {
		t.Fatalf("second patch: %v, puts %d", err, a.puts)
	}
	for _, r := range a.requests {
		if strings.Contains(r, "mutatingwebhookconfigurations") {
			t.Fatalf("--patch-mutating=false, yet %s", r)
		}
	}
}

func TestErrorsNameTheFix(t *testing.T) {
	connect := start(t, &api{vwc: map[string]any{}})
	cases := map[string][]string{
		"unknown command":               {"rotate"},
		"usage":                         {},
		"--host is required":            {"create", "--namespace=ingress-nginx", "--secret-name=ingress-nginx-admission"},
		"has the create job run?":       patchArgs,
		"use Fail or Ignore":            {"patch", "--webhook-name=w", "--namespace=n", "--secret-name=s", "--patch-failure-policy=Sometimes"},
		"--namespace and --secret-name": {"create", "--host=a", "--namespace="},
		"--kubeconfig is not supported": {"create", "--kubeconfig=/x", "--namespace=n", "--secret-name=s"},
	}
	for want, args := range cases {
		err := run(args, io.Discard, connect)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", args, err, want)
		}
	}
}

package kube

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testClient(t *testing.T, h http.Handler) *Client {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	token := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(token, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return New(srv.URL, token, roots)
}

func TestListFollowsContinueAndSendsToken(t *testing.T) {
	var pages int
	c := testClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer s3cret" {
			t.Errorf("Authorization = %q", got)
		}
		if r.URL.Path != "/apis/networking.k8s.io/v1/ingresses" || r.URL.Query().Get("limit") != "500" {
			t.Errorf("unexpected request %s", r.URL)
		}
		pages++
		if r.URL.Query().Get("continue") == "" {
			_, _ = w.Write([]byte(`{"metadata":{"continue":"p2"},"items":[{"name":"a"}]}`))
			return
		}
		_, _ = w.Write([]byte(`{"metadata":{},"items":[{"name":"b"},{"name":"c"}]}`))
	}))
	items, err := List[struct{ Name string }](context.Background(), c, "/apis/networking.k8s.io/v1/ingresses")
	if err != nil {
		t.Fatal(err)
	}
	if pages != 2 || len(items) != 3 || items[2].Name != "c" {
		t.Fatalf("pages=%d items=%v", pages, items)
	}
}

func TestStatusErrors(t *testing.T) {
	c := testClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"kind":"Status","reason":"NotFound","message":"secrets \"x\" not found"}`))
		default:
			var body map[string]any
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body["kind"] != "Secret" {
				t.Errorf("body %v (%v)", body, err)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			w.WriteHeader(http.StatusConflict)
			_, _ = w.Write([]byte("plain text"))
		}
	}))
	err := c.Get(context.Background(), Namespaced("/api/v1", "ns", "secrets", "x"), nil)
	if !IsNotFound(err) || IsConflict(err) || !strings.Contains(err.Error(), `secrets "x" not found`) {
		t.Fatalf("GET: %v", err)
	}
	err = c.Do(context.Background(), http.MethodPost, "/api/v1/namespaces/ns/secrets", map[string]string{"kind": "Secret"}, nil)
	if !IsConflict(err) || !strings.Contains(err.Error(), "plain text") {
		t.Fatalf("POST: %v", err)
	}
}

func TestUntrustedServerIsRefused(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	c := New(srv.URL, "", x509.NewCertPool())
	if err := c.Get(context.Background(), "/api", nil); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("want a certificate error, got %v", err)
	}
}

func TestFromServiceAccount(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	if _, err := FromServiceAccount(t.TempDir()); err == nil || !strings.Contains(err.Error(), "KUBERNETES_SERVICE_HOST") {
		t.Fatalf("outside a pod: %v", err)
	}
	t.Setenv("KUBERNETES_SERVICE_HOST", "fd00::1")
	t.Setenv("KUBERNETES_SERVICE_PORT", "443")
	dir := t.TempDir()
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(dir, "ca.crt"), ca, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := FromServiceAccount(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.base != "https://[fd00::1]:443" || c.tokenFile != filepath.Join(dir, "token") {
		t.Fatalf("base %q token %q", c.base, c.tokenFile)
	}
}

package main

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"localdev.kube/ingress-adapter/internal/certs"
)

// The args minikube v1.37.0's ingress addon passes (after the kubelet expands $(POD_NAMESPACE)).
var addonArgs = []string{
	"--election-id=ingress-nginx-leader",
	"--controller-class=k8s.io/ingress-nginx",
	"--watch-ingress-without-class=true",
	"--configmap=ingress-nginx/ingress-nginx-controller",
	"--tcp-services-configmap=ingress-nginx/tcp-services",
	"--udp-services-configmap=ingress-nginx/udp-services",
	"--validating-webhook=:8443",
	"--validating-webhook-certificate=/usr/local/certificates/cert",
	"--validating-webhook-key=/usr/local/certificates/key",
}

func TestParseAddonArgs(t *testing.T) {
	o, notes := parseFlags(addonArgs)
	want := defaults()
	want.WatchWithoutClass = true
	want.WebhookAddr = ":8443"
	want.WebhookCert = "/usr/local/certificates/cert"
	want.WebhookKey = "/usr/local/certificates/key"
	if !reflect.DeepEqual(o, want) {
		t.Fatalf("options\n got %+v\nwant %+v", o, want)
	}
	if len(notes) != 4 {
		t.Fatalf("want a note for each of the 4 inapplicable flags, got %q", notes)
	}
	for _, n := range notes {
		if !strings.HasPrefix(n, "ignoring --") {
			t.Errorf("note %q", n)
		}
	}
}

func TestParseNeverFails(t *testing.T) {
	o, notes := parseFlags([]string{
		"--ingress-class", "custom", // value as the next argument
		"--publish-service=ns/svc",
		"--ingress-class-by-name", // bare boolean
		"--watch-ingress-without-class=maybe",
		"--http-port=eighty",
		"--https-port", "8443",
		"--v=5",
		"--some-future-flag", "value",
		"--another-future-flag",
		"-x=1",
		"stray",
		"--healthz-port",
	})
	if o.IngressClass != "custom" || o.PublishService != "ns/svc" || !o.IngressClassByName || o.WatchWithoutClass ||
		o.HTTPPort != 80 || o.HTTPSPort != 8443 || o.Verbosity != 5 || o.HealthzPort != 10254 {
		t.Fatalf("options %+v", o)
	}
	joined := strings.Join(notes, "\n")
	for _, want := range []string{
		"--watch-ingress-without-class=maybe: not a boolean",
		"--http-port=eighty: not an integer",
		"--some-future-flag=value: not an ingress-nginx flag",
		"--another-future-flag: not an ingress-nginx flag",
		"--x=1",
		`"stray": not a flag`,
		"--healthz-port: it needs a value",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes lack %q:\n%s", want, joined)
		}
	}
}

func TestTraefikArgs(t *testing.T) {
	o, _ := parseFlags(addonArgs)
	o.PublishStatusAddress = "192.168.49.2"
	args := traefikArgs(o)
	for _, want := range []string{
		"--entrypoints.web.address=:80",
		"--entrypoints.websecure.address=:443",
		"--entrypoints.web.asdefault=true",
		"--entrypoints.traefik.address=127.0.0.1:10246",
		"--ping=true",
		"--ping.entrypoint=traefik",
		"--providers.kubernetesingressnginx=true",
		"--providers.kubernetesingressnginx.controllerclass=k8s.io/ingress-nginx",
		"--providers.kubernetesingressnginx.ingressclass=nginx",
		"--providers.kubernetesingressnginx.watchingresswithoutclass=true",
		"--providers.kubernetesingressnginx.publishstatusaddress=192.168.49.2",
	} {
		if !contains(args, want) {
			t.Errorf("traefik args lack %s:\n%s", want, strings.Join(args, "\n"))
		}
	}
	o.PublishService = "ingress-nginx/ingress-nginx-controller"
	o.TraefikArgs = []string{"--accesslog=true"}
	args = traefikArgs(o)
	if !contains(args, "--providers.kubernetesingressnginx.publishservice=ingress-nginx/ingress-nginx-controller") ||
		contains(args, "--providers.kubernetesingressnginx.publishstatusaddress=192.168.49.2") || args[len(args)-1] != "--accesslog=true" {
		t.Errorf("publish service: %q", args)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestHealthzFollowsPing(t *testing.T) {
	status := http.StatusOK
	ping := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ping" {
			t.Errorf("ping path %q", r.URL.Path)
		}
		w.WriteHeader(status)
	}))
	h := healthzHandler(ping.URL + "/ping")
	get := func(path string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code
	}
	if c := get("/healthz"); c != http.StatusOK {
		t.Errorf("ping ok: %d", c)
	}
	status = http.StatusServiceUnavailable // traefik shutting down
	if c := get("/healthz"); c != http.StatusServiceUnavailable {
		t.Errorf("ping 503: %d", c)
	}
	if c := get("/other"); c != http.StatusNotFound {
		t.Errorf("/other: %d", c)
	}
	ping.Close()
	if c := get("/healthz"); c != http.StatusServiceUnavailable {
		t.Errorf("ping down: %d", c)
	}
}

func TestCertLoaderReloads(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert"), filepath.Join(dir, "key")
	l := &certLoader{certFile: cert, keyFile: key}
	if _, err := l.GetCertificate(nil); err == nil {
		t.Fatal("no error without files")
	}
	write := func(host string, mtime time.Time) {
		b, err := certs.Generate([]string{host}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for f, data := range map[string][]byte{cert: b.Cert, key: b.Key} {
			if err := os.WriteFile(f, data, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(f, mtime, mtime); err != nil {
				t.Fatal(err)
			}
		}
	}
	leafName := func() string {
		c, err := l.GetCertificate(nil)
		if err != nil {
			t.Fatal(err)
		}
		leaf, err := x509.ParseCertificate(c.Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		return leaf.Subject.CommonName
	}
	write("first", time.Now().Add(-time.Minute))
	if n := leafName(); n != "first" {
		t.Fatalf("got %s", n)
	}
	write("second", time.Now())
	if n := leafName(); n != "second" {
		t.Fatalf("not reloaded: %s", n)
	}
	if err := os.WriteFile(key, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if n := leafName(); n != "second" {
		t.Fatalf("a half-written pair must keep the last good one: %s", n)
	}
}

func TestFindController(t *testing.T) {
	proc := t.TempDir()
	for pid, argv0 := range map[string]string{"1": "/nginx-ingress-controller", "7": "/usr/local/bin/traefik", "9": "/wait-shutdown"} {
		if err := os.MkdirAll(filepath.Join(proc, pid), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(proc, pid, "cmdline"), []byte(argv0+"\x00--flag\x00"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if pid, err := findController(proc, 9); err != nil || pid != 1 {
		t.Fatalf("pid %d, %v", pid, err)
	}
	if _, err := findController(proc, 1); err == nil {
		t.Fatal("found itself")
	}
}

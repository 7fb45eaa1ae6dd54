package certs

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"
)

func TestGenerateMakesAChainForTheHosts(t *testing.T) {
	now := time.Now()
	b, err := Generate([]string{"svc", "svc.ns.svc", "10.0.0.1"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tls.X509KeyPair(b.Cert, b.Key); err != nil {
		t.Fatalf("key does not match the certificate: %v", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(b.CA) {
		t.Fatal("CA is not PEM")
	}
	block, _ := pem.Decode(b.Cert)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"svc", "svc.ns.svc", "10.0.0.1"} {
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: name, CurrentTime: now.Add(50 * 365 * 24 * time.Hour)}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: "other"}); err == nil {
		t.Error("verified for a name it was not made for")
	}
	if cert.Subject.CommonName != "svc" {
		t.Errorf("CN %q", cert.Subject.CommonName)
	}
}

func TestGenerateNeedsHosts(t *testing.T) {
	if _, err := Generate(nil, time.Now()); err == nil {
		t.Fatal("no error without hosts")
	}
}

// Package kube is a small Kubernetes API client for code running in a pod:
// HTTPS to the API server named by KUBERNETES_SERVICE_HOST/PORT, verified
// with the service account's CA, authenticated with its token. Standard
// library only (no client-go), JSON only.
package kube

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ServiceAccountDir is where the kubelet mounts a pod's service-account token.
const ServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// Client calls the Kubernetes API.
type Client struct {
	base      string
	tokenFile string
	http      *http.Client
}

// InCluster returns a client for the API server of the pod's cluster.
func InCluster() (*Client, error) {
	return FromServiceAccount(ServiceAccountDir)
}

// FromServiceAccount is InCluster with the token and CA read from dir.
func FromServiceAccount(dir string) (*Client, error) {
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return nil, errors.New("not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set")
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if err != nil {
		return nil, fmt.Errorf("reading the service account's CA: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("no PEM certificate in %s", filepath.Join(dir, "ca.crt"))
	}
	return New("https://"+net.JoinHostPort(host, port), filepath.Join(dir, "token"), roots), nil
}

// New returns a client for the API server at baseURL that trusts roots and
// sends the token read from tokenFile (read per request: projected
// service-account tokens are rotated by the kubelet). An empty tokenFile
// sends no token.
func New(baseURL, tokenFile string, roots *x509.CertPool) *Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // in-cluster traffic never goes through an HTTP proxy
	tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	return &Client{
		base:      strings.TrimRight(baseURL, "/"),
		tokenFile: tokenFile,
		http:      &http.Client{Transport: tr, Timeout: 15 * time.Second},
	}
}

// StatusError is an API answer with a non-2xx code.
type StatusError struct {
	Method, Path string
	Code         int
	Reason       string
	Message      string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Path, e.Code, e.Reason, e.Message)
}

func hasCode(err error, code int) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Code == code
}

// IsNotFound tells whether err is the API's 404.
func IsNotFound(err error) bool { return hasCode(err, http.StatusNotFound) }

// IsConflict tells whether err is the API's 409 (already exists, or a stale resourceVersion).
func IsConflict(err error) bool { return hasCode(err, http.StatusConflict) }

// Do sends in (JSON, when not nil) with method to path and decodes the answer into out (when not nil).
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.tokenFile != "" {
		token, err := os.ReadFile(c.tokenFile)
		if err != nil {
			return fmt.Errorf("reading the service-account token: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		se := &StatusError{Method: method, Path: path, Code: resp.StatusCode}
		var status struct{ Reason, Message string }
		if json.Unmarshal(data, &status) == nil && status.Message != "" {
			se.Reason, se.Message = status.Reason, status.Message
		} else {
			se.Reason, se.Message = http.StatusText(resp.StatusCode), strings.TrimSpace(string(data))
		}
		return se
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decoding the answer: %w", method, path, err)
	}
	return nil
}

// Get decodes the object at path into out.
func (c *Client) Get(ctx context.Context, path string, out any) error {
	return c.Do(ctx, http.MethodGet, path, nil, out)
}

// List returns every item of the list at path, page by page.
func List[T any](ctx context.Context, c *Client, path string) ([]T, error) {
	var all []T
	cont := ""
	for {
		q := url.Values{"limit": {"500"}}
		if cont != "" {
			q.Set("continue", cont)
		}
		var page struct {
			Metadata struct {
				Continue string `json:"continue"`
			} `json:"metadata"`
			Items []T `json:"items"`
		}
		if err := c.Get(ctx, path+"?"+q.Encode(), &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.Metadata.Continue == "" {
			return all, nil
		}
		cont = page.Metadata.Continue
	}
}

// Namespaced builds the path of a namespaced object: prefix is "/api/v1" or
// "/apis/<group>/<version>"; an empty name gives the collection.
func Namespaced(prefix, namespace, resource, name string) string {
	p := prefix + "/namespaces/" + url.PathEscape(namespace) + "/" + resource
	if name != "" {
		p += "/" + url.PathEscape(name)
	}
	return p
}

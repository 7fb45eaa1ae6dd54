// Command kube-webhook-certgen stands in for ingress-nginx's certgen image in
// minikube's ingress addon. Its two Jobs run, with the pod's service account:
//
//	create --host=a,b --namespace=NS --secret-name=S
//	    makes a CA and a serving certificate for the hosts and stores them in
//	    Secret NS/S (keys ca, cert, key); nothing to do when S exists.
//	patch --webhook-name=W --namespace=NS --secret-name=S [--patch-mutating=false] [--patch-failure-policy=Fail]
//	    puts the Secret's CA into the caBundle of every webhook of the
//	    Validating (and Mutating) WebhookConfiguration W, with the given failurePolicy.
package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"localdev.kube/ingress-adapter/internal/certs"
	"localdev.kube/ingress-adapter/internal/kube"
)

const usage = "usage: kube-webhook-certgen create|patch [flags] (run with -h after the command for its flags)"

func main() {
	log.SetPrefix("kube-webhook-certgen: ")
	if err := run(os.Args[1:], os.Stderr, kube.InCluster); err != nil {
		log.Print(err)
		os.Exit(1)
	}
}

// config holds both commands' flags.
type config struct {
	hosts, namespace, secret        string
	caKey, certKey, keyKey          string
	webhook, failurePolicy          string
	patchValidating, patchMutating  bool
	kubeconfig, logLevel, logFormat string
}

func run(args []string, stderr io.Writer, connect func() (*kube.Client, error)) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	cmd := args[0]
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.StringVar(&c.namespace, "namespace", os.Getenv("POD_NAMESPACE"), "namespace of the Secret")
	fs.StringVar(&c.secret, "secret-name", "", "name of the Secret holding the certificates")
	fs.StringVar(&c.caKey, "ca-name", "ca", "Secret key of the CA certificate")
	fs.StringVar(&c.certKey, "cert-name", "cert", "Secret key of the serving certificate")
	fs.StringVar(&c.keyKey, "key-name", "key", "Secret key of the serving certificate's private key")
	fs.StringVar(&c.kubeconfig, "kubeconfig", "", "not supported: in-cluster service account only")
	fs.StringVar(&c.logLevel, "log-level", "info", "accepted for compatibility")
	fs.StringVar(&c.logFormat, "log-format", "text", "accepted for compatibility")
	switch cmd {
	case "create":
		fs.StringVar(&c.hosts, "host", "", "comma-separated host names (or IPs) of the serving certificate")
	case "patch":
		fs.StringVar(&c.webhook, "webhook-name", "", "name of the webhook configuration(s) to patch")
		fs.BoolVar(&c.patchValidating, "patch-validating", true, "patch the ValidatingWebhookConfiguration")
		fs.BoolVar(&c.patchMutating, "patch-mutating", true, "patch the MutatingWebhookConfiguration")
		fs.StringVar(&c.failurePolicy, "patch-failure-policy", "", "failurePolicy to set (Fail or Ignore; empty: keep)")
	default:
		return fmt.Errorf("unknown command %q; %s", cmd, usage)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if c.kubeconfig != "" {
		return errors.New("--kubeconfig is not supported: this stand-in runs in a pod with its service account")
	}
	if c.namespace == "" || c.secret == "" {
		return errors.New("--namespace and --secret-name are required")
	}
	client, err := connect()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if cmd == "create" {
		return create(ctx, client, c, time.Now())
	}
	return patch(ctx, client, c)
}

type secret struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   map[string]any    `json:"metadata"`
	Type       string            `json:"type,omitempty"`
	Data       map[string][]byte `json:"data"` // base64 in JSON, as the API wants
}

func create(ctx context.Context, c *kube.Client, cfg config, now time.Time) error {
	path := kube.Namespaced("/api/v1", cfg.namespace, "secrets", cfg.secret)
	err := c.Get(ctx, path, nil)
	if err == nil {
		log.Printf("secret %s/%s exists: nothing to do", cfg.namespace, cfg.secret)
		return nil
	}
	if !kube.IsNotFound(err) {
		return fmt.Errorf("reading secret %s/%s: %w", cfg.namespace, cfg.secret, err)
	}
	var hosts []string
	for _, h := range strings.Split(cfg.hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			hosts = append(hosts, h)
		}
	}
	if len(hosts) == 0 {
		return errors.New("--host is required: the serving certificate's names, comma-separated")
	}
	b, err := certs.Generate(hosts, now)
	if err != nil {
		return fmt.Errorf("making certificates: %w", err)
	}
	s := secret{
		APIVersion: "v1", Kind: "Secret",
		Metadata: map[string]any{"name": cfg.secret, "namespace": cfg.namespace},
		Data:     map[string][]byte{cfg.caKey: b.CA, cfg.certKey: b.Cert, cfg.keyKey: b.Key},
	}
	err = c.Do(ctx, http.MethodPost, kube.Namespaced("/api/v1", cfg.namespace, "secrets", ""), s, nil)
	switch {
	case kube.IsConflict(err):
		log.Printf("secret %s/%s was created meanwhile: nothing to do", cfg.namespace, cfg.secret)
		return nil
	case err != nil:
		return fmt.Errorf("creating secret %s/%s: %w", cfg.namespace, cfg.secret, err)
	}
	log.Printf("created secret %s/%s: CA and serving certificate for %s", cfg.namespace, cfg.secret, strings.Join(hosts, ", "))
	return nil
}

func patch(ctx context.Context, c *kube.Client, cfg config) error {
	if cfg.webhook == "" {
		return errors.New("--webhook-name is required")
	}
	if cfg.failurePolicy != "" && cfg.failurePolicy != "Fail" && cfg.failurePolicy != "Ignore" {
		return fmt.Errorf("--patch-failure-policy=%s: use Fail or Ignore", cfg.failurePolicy)
	}
	if !cfg.patchValidating && !cfg.patchMutating {
		return errors.New("nothing to patch: --patch-validating and --patch-mutating are both false")
	}
	var s secret
	if err := c.Get(ctx, kube.Namespaced("/api/v1", cfg.namespace, "secrets", cfg.secret), &s); err != nil {
		return fmt.Errorf("reading secret %s/%s (has the create job run?): %w", cfg.namespace, cfg.secret, err)
	}
	ca := s.Data[cfg.caKey]
	if len(ca) == 0 {
		return fmt.Errorf("secret %s/%s has no %q key", cfg.namespace, cfg.secret, cfg.caKey)
	}
	kinds := []string{}
	if cfg.patchValidating {
		kinds = append(kinds, "validatingwebhookconfigurations")
	}
	if cfg.patchMutating {
		kinds = append(kinds, "mutatingwebhookconfigurations")
	}
	for _, kind := range kinds {
		if err := patchConfiguration(ctx, c, kind, cfg.webhook, ca, cfg.failurePolicy); err != nil {
			return err
		}
	}
	return nil
}

// patchConfiguration sets caBundle (and failurePolicy) on each webhook of one
// configuration with get + update (the addon's RBAC grants no patch), retried
// when the object changed in between.
func patchConfiguration(ctx context.Context, c *kube.Client, kind, name string, ca []byte, policy string) error {
	path := "/apis/admissionregistration.k8s.io/v1/" + kind + "/" + name
	bundle := base64.StdEncoding.EncodeToString(ca)
	for attempt := 1; ; attempt++ {
		var obj map[string]any // whole object, so the update keeps every field
		if err := c.Get(ctx, path, &obj); err != nil {
			return fmt.Errorf("reading %s %s: %w", kind, name, err)
		}
		hooks, _ := obj["webhooks"].([]any)
		if len(hooks) == 0 {
			return fmt.Errorf("%s %s has no webhooks to patch", kind, name)
		}
		changed := false
		for _, h := range hooks {
			hook, ok := h.(map[string]any)
			if !ok {
				return fmt.Errorf("%s %s: unexpected webhook entry %v", kind, name, h)
			}
			cc, _ := hook["clientConfig"].(map[string]any)
			if cc == nil {
				cc = map[string]any{}
				hook["clientConfig"] = cc
			}
			if cc["caBundle"] != bundle {
				cc["caBundle"], changed = bundle, true
			}
			if policy != "" && hook["failurePolicy"] != policy {
				hook["failurePolicy"], changed = policy, true
			}
		}
		if !changed {
			log.Printf("%s %s is patched already: nothing to do", kind, name)
			return nil
		}
		err := c.Do(ctx, http.MethodPut, path, obj, nil)
		if err == nil {
			log.Printf("patched %s %s: caBundle set on %d webhook(s)%s", kind, name, len(hooks), policyNote(policy))
			return nil
		}
		if !kube.IsConflict(err) || attempt == 5 {
			return fmt.Errorf("updating %s %s: %w", kind, name, err)
		}
	}
}

func policyNote(policy string) string {
	if policy == "" {
		return ""
	}
	return ", failurePolicy " + policy
}

package main

import (
	"fmt"
	"strconv"
	"strings"
)

// options are the ingress-nginx controller flags this stand-in honours, plus its own.
type options struct {
	ControllerClass        string
	IngressClass           string
	IngressClassByName     bool
	WatchWithoutClass      bool
	PublishService         string
	PublishStatusAddress   string
	UpdateStatus           bool
	WatchNamespace         string
	WatchNamespaceSelector string
	DefaultBackendService  string
	DisableSvcExternalName bool
	HTTPPort, HTTPSPort    int
	HealthzHost            string
	HealthzPort            int
	WebhookAddr            string
	WebhookCert            string
	WebhookKey             string
	Verbosity              int

	// The adapter's own (not ingress-nginx flags).
	TraefikBinary string   // --traefik-binary
	PingAddr      string   // --traefik-ping-address: traefik's internal ping entry point
	TraefikArgs   []string // --traefik-arg (repeatable): passed to traefik as they are
}

func defaults() options {
	return options{
		ControllerClass: "k8s.io/ingress-nginx",
		IngressClass:    "nginx",
		UpdateStatus:    true,
		HTTPPort:        80,
		HTTPSPort:       443,
		HealthzPort:     10254,
		Verbosity:       1,
		TraefikBinary:   "/usr/local/bin/traefik",
		PingAddr:        "127.0.0.1:10246",
	}
}

type flagKind int

const (
	kindString flagKind = iota
	kindBool
	kindInt
)

type flagDef struct {
	kind flagKind
	set  func(o *options, s string, b bool, n int)
}

func str(f func(o *options, s string)) flagDef {
	return flagDef{kindString, func(o *options, s string, _ bool, _ int) { f(o, s) }}
}
func boolean(f func(o *options, b bool)) flagDef {
	return flagDef{kindBool, func(o *options, _ string, b bool, _ int) { f(o, b) }}
}
func integer(f func(o *options, n int)) flagDef {
	return flagDef{kindInt, func(o *options, _ string, _ bool, n int) { f(o, n) }}
}

// The flags mapped onto Traefik or served by the adapter.
var known = map[string]flagDef{
	"controller-class":               str(func(o *options, s string) { o.ControllerClass = s }),
	"ingress-class":                  str(func(o *options, s string) { o.IngressClass = s }),
	"ingress-class-by-name":          boolean(func(o *options, b bool) { o.IngressClassByName = b }),
	"watch-ingress-without-class":    boolean(func(o *options, b bool) { o.WatchWithoutClass = b }),
	"publish-service":                str(func(o *options, s string) { o.PublishService = s }),
	"publish-status-address":         str(func(o *options, s string) { o.PublishStatusAddress = s }),
	"update-status":                  boolean(func(o *options, b bool) { o.UpdateStatus = b }),
	"watch-namespace":                str(func(o *options, s string) { o.WatchNamespace = s }),
	"watch-namespace-selector":       str(func(o *options, s string) { o.WatchNamespaceSelector = s }),
	"default-backend-service":        str(func(o *options, s string) { o.DefaultBackendService = s }),
	"disable-svc-external-name":      boolean(func(o *options, b bool) { o.DisableSvcExternalName = b }),
	"http-port":                      integer(func(o *options, n int) { o.HTTPPort = n }),
	"https-port":                     integer(func(o *options, n int) { o.HTTPSPort = n }),
	"healthz-host":                   str(func(o *options, s string) { o.HealthzHost = s }),
	"healthz-port":                   integer(func(o *options, n int) { o.HealthzPort = n }),
	"validating-webhook":             str(func(o *options, s string) { o.WebhookAddr = s }),
	"validating-webhook-certificate": str(func(o *options, s string) { o.WebhookCert = s }),
	"validating-webhook-key":         str(func(o *options, s string) { o.WebhookKey = s }),
	"v":                              integer(func(o *options, n int) { o.Verbosity = n }),
	"traefik-binary":                 str(func(o *options, s string) { o.TraefikBinary = s }),
	"traefik-ping-address":           str(func(o *options, s string) { o.PingAddr = s }),
	"traefik-arg":                    str(func(o *options, s string) { o.TraefikArgs = append(o.TraefikArgs, s) }),
}

// ingress-nginx flags that are understood but have no Traefik counterpart here.
var inapplicable = map[string]string{
	"election-id":                      "Traefik elects no leader: every replica serves and writes the same status",
	"configmap":                        "nginx settings from a ConfigMap do not apply to Traefik",
	"tcp-services-configmap":           "TCP services from a ConfigMap are not supported by this stand-in",
	"udp-services-configmap":           "UDP services from a ConfigMap are not supported by this stand-in",
	"default-ssl-certificate":          "not supported: hosts without a TLS secret get Traefik's default certificate",
	"enable-ssl-passthrough":           "Traefik reads the ssl-passthrough annotation by itself",
	"report-node-internal-ip-address":  "the status address is the pod's node IP already",
	"enable-metrics":                   "no metrics endpoint in this stand-in",
	"shutdown-grace-period":            "Traefik drains by itself on SIGTERM",
	"post-shutdown-grace-period":       "Traefik drains by itself on SIGTERM",
	"annotations-prefix":               "Traefik reads nginx.ingress.kubernetes.io/ annotations only",
	"enable-annotation-validation":     "the admission webhook always validates annotation values",
	"validating-webhook-allow-missing": "not supported",
}

// parseFlags reads ingress-nginx style arguments (--name=value, --name value,
// --bool, --bool=false). It never fails: anything it cannot use is reported
// in notes and skipped, so the controller starts whatever the manifest passes.
func parseFlags(args []string) (o options, notes []string) {
	o = defaults()
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if !strings.HasPrefix(arg, "-") || arg == "-" || arg == "--" {
			notes = append(notes, fmt.Sprintf("ignoring argument %q: not a flag", arg))
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		def, ok := known[name]
		if !ok {
			// Take a following non-flag argument as this flag's value.
			if !hasValue && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				value, hasValue = args[i], true
			}
			shown := "--" + name
			if hasValue {
				shown += "=" + value
			}
			if why, ok := inapplicable[name]; ok {
				notes = append(notes, fmt.Sprintf("ignoring %s: %s", shown, why))
			} else {
				notes = append(notes, fmt.Sprintf("ignoring %s: not an ingress-nginx flag this stand-in knows", shown))
			}
			continue
		}
		if def.kind == kindBool {
			b := true
			if hasValue {
				parsed, err := strconv.ParseBool(value)
				if err != nil {
					notes = append(notes, fmt.Sprintf("ignoring --%s=%s: not a boolean", name, value))
					continue
				}
				b = parsed
			}
			def.set(&o, "", b, 0)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				notes = append(notes, fmt.Sprintf("ignoring --%s: it needs a value", name))
				continue
			}
			i++
			value = args[i]
		}
		if def.kind == kindInt {
			n, err := strconv.Atoi(value)
			if err != nil {
				notes = append(notes, fmt.Sprintf("ignoring --%s=%s: not an integer", name, value))
				continue
			}
			def.set(&o, "", false, n)
			continue
		}
		def.set(&o, value, false, 0)
	}
	return o, notes
}

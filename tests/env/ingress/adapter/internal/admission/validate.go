package admission

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

const (
	annotationPrefix = "nginx.ingress.kubernetes.io/"
	classAnnotation  = "kubernetes.io/ingress.class"
	canaryAnnotation = annotationPrefix + "canary"
)

// Class says which Ingresses the controller serves, from its ingress-nginx flags.
type Class struct {
	Controller        string // --controller-class: IngressClasses whose spec.controller is this
	Name              string // --ingress-class: the kubernetes.io/ingress.class annotation value
	ByName            bool   // --ingress-class-by-name: an IngressClass named Name counts too
	WatchWithoutClass bool   // --watch-ingress-without-class
}

// Lister reads what the checks compare against (the API server, in a pod).
type Lister interface {
	IngressClasses(ctx context.Context) ([]IngressClass, error)
	Ingresses(ctx context.Context) ([]Ingress, error)
}

// Validator decides on Ingresses of its Class.
type Validator struct {
	Class  Class
	Lister Lister
}

// decision is the outcome of the checks: a denial has a message.
type decision struct {
	allowed  bool
	code     int32
	message  string
	warnings []string
}

func deny(code int32, format string, args ...any) decision {
	return decision{code: code, message: fmt.Sprintf(format, args...)}
}

// ourClasses returns the names of the IngressClasses this controller serves.
func (c Class) ourClasses(classes []IngressClass) map[string]bool {
	ours := map[string]bool{}
	for _, ic := range classes {
		if ic.Spec.Controller == c.Controller || (c.ByName && ic.Metadata.Name == c.Name) {
			ours[ic.Metadata.Name] = true
		}
	}
	return ours
}

// serves tells whether ing belongs to this controller, as ingress-nginx
// decides it: spec.ingressClassName first, then the legacy annotation, then
// --watch-ingress-without-class.
func (c Class) serves(ing *Ingress, ours map[string]bool) bool {
	if n := ing.Spec.IngressClassName; n != nil && *n != "" {
		return ours[*n]
	}
	if v, ok := ing.Metadata.Annotations[classAnnotation]; ok {
		return v == c.Name
	}
	return c.WatchWithoutClass
}

// Exact and Prefix paths: ingress-nginx's strict-validate-path-type (on by
// default) allows letters, digits, "/", "_" and "-" after a leading "/".
var strictPath = regexp.MustCompile(`^/[A-Za-z0-9/_-]*$`)

// ImplementationSpecific paths: ingress-nginx's path character set plus its
// default additional (regex) characters.
var specificPath = regexp.MustCompile(`^/[A-Za-z0-9._~/^%$\[\](){}*+?-]*$`)

// checkPaths returns one message per invalid pathType/path combination.
func checkPaths(ing *Ingress) []string {
	var bad []string
	for ri, rule := range ing.Spec.Rules {
		if rule.HTTP == nil {
			continue
		}
		for pi, p := range rule.HTTP.Paths {
			where := fmt.Sprintf("spec.rules[%d].http.paths[%d]", ri, pi)
			if p.PathType == nil {
				bad = append(bad, where+": pathType is required (Exact, Prefix or ImplementationSpecific)")
				continue
			}
			switch *p.PathType {
			case "Exact", "Prefix":
				if !strictPath.MatchString(p.Path) {
					bad = append(bad, fmt.Sprintf("path %q cannot be used with pathType %s: such a path starts with \"/\" and holds only letters, digits, \"/\", \"_\" and \"-\" (use ImplementationSpecific for others)", p.Path, *p.PathType))
				}
			case "ImplementationSpecific":
				if p.Path != "" && !specificPath.MatchString(p.Path) {
					bad = append(bad, fmt.Sprintf("path %q cannot be used with pathType ImplementationSpecific: such a path starts with \"/\" and holds only letters, digits and -._~/^%%$[](){}*+?", p.Path))
				}
			default:
				bad = append(bad, fmt.Sprintf("%s: pathType %q is not one of Exact, Prefix, ImplementationSpecific", where, *p.PathType))
			}
		}
	}
	return bad
}

// The nginx annotations Traefik v3.6's kubernetesingressnginx provider reads,
// with the kind of value it parses (anything else it ignores).
var supported = map[string]string{
	"auth-type": "string", "auth-secret": "string", "auth-realm": "string", "auth-secret-type": "string",
	"auth-url": "string", "auth-response-headers": "string",
	"force-ssl-redirect": "bool", "ssl-redirect": "bool", "ssl-passthrough": "bool", "use-regex": "bool",
	"affinity": "string", "session-cookie-name": "string", "session-cookie-secure": "bool",
	"session-cookie-path": "string", "session-cookie-domain": "string", "session-cookie-samesite": "string",
	"session-cookie-max-age": "int", "service-upstream": "bool", "backend-protocol": "string",
	"proxy-ssl-secret": "string", "proxy-ssl-verify": "string", "proxy-ssl-name": "string",
	"proxy-ssl-server-name": "string", "enable-cors": "bool", "cors-allow-credentials": "bool",
	"cors-expose-headers": "string", "cors-allow-headers": "string", "cors-allow-methods": "string",
	"cors-allow-origin": "string", "cors-max-age": "int",
}

// checkAnnotations returns the errors (values the controller would silently
// drop, snippets) and warnings (annotations it ignores) of ing's nginx annotations.
func checkAnnotations(ing *Ingress) (errs, warnings []string) {
	keys := make([]string, 0, len(ing.Metadata.Annotations))
	for k := range ing.Metadata.Annotations {
		if strings.HasPrefix(k, annotationPrefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		name, v := strings.TrimPrefix(k, annotationPrefix), ing.Metadata.Annotations[k]
		if strings.HasSuffix(name, "-snippet") {
			errs = append(errs, fmt.Sprintf("%s annotation cannot be used: snippet directives are disabled (allow-snippet-annotations is false), and this Traefik-based controller cannot apply nginx snippets", k))
			continue
		}
		switch supported[name] {
		case "bool":
			if _, err := strconv.ParseBool(v); err != nil {
				errs = append(errs, fmt.Sprintf("annotation %s: %q is not a boolean (use \"true\" or \"false\")", k, v))
			}
		case "int":
			if _, err := strconv.Atoi(v); err != nil {
				errs = append(errs, fmt.Sprintf("annotation %s: %q is not an integer", k, v))
			}
		case "":
			warnings = append(warnings, fmt.Sprintf("annotation %s is ignored: this ingress-nginx stand-in (Traefik v3.6 kubernetesingressnginx provider) does not support it", k))
		}
	}
	return errs, warnings
}

type route struct{ host, path string }

// routes lists the host+path pairs ing serves ("" host: any host; "" path: "/").
func routes(ing *Ingress) []route {
	var rs []route
	for _, rule := range ing.Spec.Rules {
		if rule.HTTP == nil {
			continue
		}
		for _, p := range rule.HTTP.Paths {
			path := p.Path
			if path == "" {
				path = "/"
			}
			rs = append(rs, route{rule.Host, path})
		}
	}
	return rs
}

func hostLabel(h string) string {
	if h == "" {
		return `"" (any host)`
	}
	return strconv.Quote(h)
}

// conflicts returns a message for each host+path of ing that another live
// Ingress of this controller serves already, as ingress-nginx refuses them.
func (v *Validator) conflicts(ing *Ingress, existing []Ingress, ours map[string]bool) []string {
	mine := routes(ing)
	if len(mine) == 0 {
		return nil
	}
	var msgs []string
	for i := range existing {
		other := &existing[i]
		if other.Metadata.Namespace == ing.Metadata.Namespace && other.Metadata.Name == ing.Metadata.Name {
			continue // the Ingress being updated
		}
		if other.Metadata.DeletionTimestamp != nil || !v.Class.serves(other, ours) {
			continue
		}
		theirs := map[route]bool{}
		for _, r := range routes(other) {
			theirs[r] = true
		}
		for _, r := range mine {
			if !theirs[r] {
				continue
			}
			msg := fmt.Sprintf("host %s and path %q is already defined in ingress %s/%s", hostLabel(r.host), r.path, other.Metadata.Namespace, other.Metadata.Name)
			if ing.Metadata.Annotations[canaryAnnotation] == "true" || other.Metadata.Annotations[canaryAnnotation] == "true" {
				msg += " (canary Ingresses are not supported by this Traefik-based controller)"
			}
			msgs = append(msgs, msg)
			theirs[r] = false // report each pair once
		}
	}
	return msgs
}

// review runs the checks on ing (namespace and name already filled in).
func (v *Validator) review(ctx context.Context, ing *Ingress) decision {
	// The IngressClasses matter for ing itself only when it names one.
	var ours map[string]bool
	listClasses := func() (map[string]bool, error) {
		classes, err := v.Lister.IngressClasses(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing IngressClasses: %w", err)
		}
		return v.Class.ourClasses(classes), nil
	}
	if n := ing.Spec.IngressClassName; n != nil && *n != "" {
		var err error
		if ours, err = listClasses(); err != nil {
			return deny(500, "cannot tell whether this Ingress is for controller class %s: %v", v.Class.Controller, err)
		}
	}
	if !v.Class.serves(ing, ours) {
		return decision{allowed: true}
	}
	errs := checkPaths(ing)
	if len(errs) > 0 {
		errs[0] = "ingress contains invalid paths: " + errs[0]
	}
	annErrs, warnings := checkAnnotations(ing)
	errs = append(errs, annErrs...)
	if len(errs) > 0 {
		d := deny(400, "%s", strings.Join(errs, "; "))
		d.warnings = warnings
		return d
	}
	if ours == nil {
		var err error
		if ours, err = listClasses(); err != nil {
			return deny(500, "cannot check this Ingress's hosts and paths against the others: %v", err)
		}
	}
	existing, err := v.Lister.Ingresses(ctx)
	if err != nil {
		return deny(500, "cannot check this Ingress's hosts and paths against the others: listing Ingresses: %v", err)
	}
	if msgs := v.conflicts(ing, existing, ours); len(msgs) > 0 {
		d := deny(400, "%s", strings.Join(msgs, "; "))
		d.warnings = warnings
		return d
	}
	return decision{allowed: true, warnings: warnings}
}

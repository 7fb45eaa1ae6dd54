package admission

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

var addonClass = Class{Controller: "k8s.io/ingress-nginx", Name: "nginx", WatchWithoutClass: true}

func nginxClass() IngressClass {
	var ic IngressClass
	ic.Metadata.Name = "nginx"
	ic.Spec.Controller = "k8s.io/ingress-nginx"
	return ic
}

func otherClass() IngressClass {
	var ic IngressClass
	ic.Metadata.Name = "other"
	ic.Spec.Controller = "example.com/other"
	return ic
}

// ingress builds an Ingress from "host path pathType" triples.
func ingress(ns, name string, class *string, ann map[string]string, routes ...string) Ingress {
	ing := Ingress{Metadata: ObjectMeta{Namespace: ns, Name: name, Annotations: ann}}
	ing.Spec.IngressClassName = class
	for _, r := range routes {
		f := strings.Fields(r) // host path pathType; "-" host is no host
		host := f[0]
		if host == "-" {
			host = ""
		}
		pt := f[2]
		ing.Spec.Rules = append(ing.Spec.Rules, IngressRule{Host: host, HTTP: &HTTPRuleValue{Paths: []HTTPPath{{Path: f[1], PathType: &pt}}}})
	}
	return ing
}

func ptr(s string) *string { return &s }

type fakeLister struct {
	classes   []IngressClass
	ingresses []Ingress
	err       error
}

func (f fakeLister) IngressClasses(context.Context) ([]IngressClass, error) { return f.classes, f.err }
func (f fakeLister) Ingresses(context.Context) ([]Ingress, error)           { return f.ingresses, f.err }

func TestServes(t *testing.T) {
	ours := addonClass.ourClasses([]IngressClass{nginxClass(), otherClass()})
	cases := []struct {
		name string
		ing  Ingress
		c    Class
		want bool
	}{
		{"class nginx", ingress("a", "x", ptr("nginx"), nil), addonClass, true},
		{"class of another controller", ingress("a", "x", ptr("other"), nil), addonClass, false},
		{"class that does not exist", ingress("a", "x", ptr("missing"), nil), addonClass, false},
		{"annotation nginx", ingress("a", "x", nil, map[string]string{classAnnotation: "nginx"}), addonClass, true},
		{"annotation other", ingress("a", "x", nil, map[string]string{classAnnotation: "traefik"}), addonClass, false},
		{"no class, watch without class", ingress("a", "x", nil, nil), addonClass, true},
		{"no class, not watched", ingress("a", "x", nil, nil), Class{Controller: "k8s.io/ingress-nginx", Name: "nginx"}, false},
	}
	for _, tc := range cases {
		if got := tc.c.serves(&tc.ing, ours); got != tc.want {
			t.Errorf("%s: serves = %v, want %v", tc.name, got, tc.want)
		}
	}
	byName := Class{Controller: "k8s.io/ingress-nginx", Name: "other", ByName: true}
	if !byName.ourClasses([]IngressClass{otherClass()})["other"] {
		t.Error("--ingress-class-by-name: the class named like --ingress-class is ours")
	}
}

func TestCheckPaths(t *testing.T) {
	good := []string{"- / Prefix", "- /api Prefix", "- /a_b-c/d Exact", "- /static/app.js ImplementationSpecific", "- /v1/(.*) ImplementationSpecific"}
	for _, r := range good {
		ing := ingress("a", "x", nil, nil, r)
		if bad := checkPaths(&ing); len(bad) != 0 {
			t.Errorf("%q: unexpected %v", r, bad)
		}
	}
	bad := map[string]string{
		"- /p.js Exact":                     `path "/p.js" cannot be used with pathType Exact`,
		"- /api(/|$)(.*) Prefix":            `cannot be used with pathType Prefix`,
		"- api Prefix":                      `path "api" cannot be used with pathType Prefix`,
		"- /a;b ImplementationSpecific":     `cannot be used with pathType ImplementationSpecific`,
		"- /a`b` ImplementationSpecific":    `cannot be used with pathType ImplementationSpecific`,
		"- /x Sometimes":                    `pathType "Sometimes" is not one of`,
		"- relative ImplementationSpecific": `cannot be used with pathType ImplementationSpecific`,
	}
	for r, want := range bad {
		ing := ingress("a", "x", nil, nil, r)
		got := checkPaths(&ing)
		if len(got) != 1 || !strings.Contains(got[0], want) {
			t.Errorf("%q: got %v, want %q", r, got, want)
		}
	}
	missing := ingress("a", "x", nil, nil, "- / Prefix")
	missing.Spec.Rules[0].HTTP.Paths[0].PathType = nil
	if got := checkPaths(&missing); len(got) != 1 || !strings.Contains(got[0], "pathType is required") {
		t.Errorf("missing pathType: %v", got)
	}
}

func TestCheckAnnotations(t *testing.T) {
	ing := ingress("a", "x", nil, map[string]string{
		annotationPrefix + "ssl-redirect":          "false",
		annotationPrefix + "force-ssl-redirect":    "maybe",
		annotationPrefix + "cors-max-age":          "1h",
		annotationPrefix + "configuration-snippet": "more_set_headers x;",
		annotationPrefix + "rewrite-target":        "/$2",
		"example.com/unrelated":                    "anything",
	})
	errs, warnings := checkAnnotations(&ing)
	joined := strings.Join(errs, "\n")
	for _, want := range []string{`force-ssl-redirect: "maybe" is not a boolean`, `cors-max-age: "1h" is not an integer`, "configuration-snippet annotation cannot be used"} {
		if !strings.Contains(joined, want) {
			t.Errorf("errors %q lack %q", joined, want)
		}
	}
	if len(errs) != 3 {
		t.Errorf("errors: %v", errs)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "rewrite-target is ignored") {
		t.Errorf("warnings: %v", warnings)
	}
}

func TestReviewConflicts(t *testing.T) {
	existing := []Ingress{
		ingress("todo", "app", ptr("nginx"), nil, "todo.local / Prefix", "todo.local /api Prefix"),
		ingress("other", "foreign", ptr("other"), nil, "foreign.local / Prefix"),
		ingress("todo", "any-host", nil, nil, "- /metrics Prefix"),
	}
	gone := ingress("old", "leaving", ptr("nginx"), nil, "leaving.local / Prefix")
	gone.Metadata.DeletionTimestamp = ptr("2025-01-01T00:00:00Z")
	existing = append(existing, gone)
	v := &Validator{Class: addonClass, Lister: fakeLister{classes: []IngressClass{nginxClass(), otherClass()}, ingresses: existing}}
	cases := []struct {
		name string
		ing  Ingress
		want string // "" allowed, else part of the denial
	}{
		{"same host and path elsewhere", ingress("dev", "copy", ptr("nginx"), nil, "todo.local /api Prefix"),
			`host "todo.local" and path "/api" is already defined in ingress todo/app`},
		{"same path, pathType differs", ingress("dev", "copy", ptr("nginx"), nil, "todo.local /api Exact"), "already defined in ingress todo/app"},
		{"no host on both", ingress("dev", "m", nil, nil, "- /metrics Prefix"), `host "" (any host) and path "/metrics"`},
		{"canary is named", ingress("dev", "c", ptr("nginx"), map[string]string{canaryAnnotation: "true"}, "todo.local / Prefix"), "canary Ingresses are not supported"},
		{"update of itself", ingress("todo", "app", ptr("nginx"), nil, "todo.local / Prefix", "todo.local /api Prefix"), ""},
		{"other path", ingress("dev", "new", ptr("nginx"), nil, "todo.local /docs Prefix"), ""},
		{"other host", ingress("dev", "new", ptr("nginx"), nil, "dev.local /api Prefix"), ""},
		{"host served by another class", ingress("dev", "new", ptr("nginx"), nil, "foreign.local / Prefix"), ""},
		{"Ingress being deleted", ingress("dev", "new", ptr("nginx"), nil, "leaving.local / Prefix"), ""},
		{"not ours: not checked", ingress("dev", "x", ptr("other"), nil, "todo.local /api Prefix", "- /p.js Exact"), ""},
		{"bad path", ingress("dev", "x", ptr("nginx"), nil, "new.local /p.js Exact"), "ingress contains invalid paths: path \"/p.js\""},
	}
	for _, tc := range cases {
		d := v.review(context.Background(), &tc.ing)
		switch {
		case tc.want == "" && !d.allowed:
			t.Errorf("%s: denied: %s", tc.name, d.message)
		case tc.want != "" && d.allowed:
			t.Errorf("%s: allowed, want denial with %q", tc.name, tc.want)
		case tc.want != "" && !strings.Contains(d.message, tc.want):
			t.Errorf("%s: message %q lacks %q", tc.name, d.message, tc.want)
		}
	}
}

func TestAPIErrorsDeny(t *testing.T) {
	v := &Validator{Class: addonClass, Lister: fakeLister{err: errors.New("connection refused")}}
	ing := ingress("a", "x", nil, nil, "- / Prefix")
	d := v.review(context.Background(), &ing)
	if d.allowed || d.code != 500 || !strings.Contains(d.message, "connection refused") {
		t.Fatalf("%+v", d)
	}
	// Checks that need no API answer first; an Ingress naming a class needs the API.
	bad := ingress("a", "x", nil, nil, "- /p.js Exact")
	if d := v.review(context.Background(), &bad); d.code != 400 || !strings.Contains(d.message, "invalid paths") {
		t.Fatalf("bad path with the API down: %+v", d)
	}
	named := ingress("a", "x", ptr("nginx"), nil, "- /p.js Exact")
	if d := v.review(context.Background(), &named); d.code != 500 || !strings.Contains(d.message, "cannot tell whether") {
		t.Fatalf("named class with the API down: %+v", d)
	}
}

func TestReviewRequestChecks(t *testing.T) {
	v := &Validator{Class: addonClass, Lister: fakeLister{classes: []IngressClass{nginxClass()}}}
	obj, _ := json.Marshal(ingress("", "", nil, nil, "- / Prefix"))
	cases := []struct {
		req     Request
		allowed bool
		msg     string
	}{
		{Request{UID: "1", Kind: GroupVersionKind{"networking.k8s.io", "v1", "Ingress"}, Operation: "CREATE", Namespace: "a", Name: "x", Object: obj}, true, ""},
		{Request{UID: "2", Kind: GroupVersionKind{"", "v1", "Pod"}, Operation: "CREATE", Object: obj}, false, "not /v1 Pod"},
		{Request{UID: "3", Kind: GroupVersionKind{"networking.k8s.io", "v1", "Ingress"}, Operation: "CREATE", Object: json.RawMessage(`{"spec":[]}`)}, false, "cannot decode the Ingress"},
		{Request{UID: "4", Kind: GroupVersionKind{"networking.k8s.io", "v1", "Ingress"}, Operation: "DELETE"}, true, ""},
	}
	for _, tc := range cases {
		r := v.Review(context.Background(), &tc.req)
		if r.UID != tc.req.UID || r.Allowed != tc.allowed {
			t.Errorf("%s: %+v", tc.req.UID, r)
			continue
		}
		if !tc.allowed && (r.Status == nil || !strings.Contains(r.Status.Message, tc.msg) || r.Status.Code != 400) {
			t.Errorf("%s: status %+v, want %q", tc.req.UID, r.Status, tc.msg)
		}
	}
}

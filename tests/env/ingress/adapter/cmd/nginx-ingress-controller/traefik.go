package main

import (
	"strconv"
)

// traefikArgs maps the options onto Traefik v3.6's static configuration flags.
func traefikArgs(o options) []string {
	const p = "--providers.kubernetesingressnginx"
	level := "INFO"
	if o.Verbosity >= 5 {
		level = "DEBUG"
	}
	args := []string{
		"--global.checknewversion=false",
		"--global.sendanonymoususage=false",
		"--log.level=" + level,
		"--log.nocolor=true", // plain lines in kubectl logs
		// Ingress routers attach to the entry points marked asDefault: web and
		// websecure, never the internal one below.
		"--entrypoints.web.address=:" + strconv.Itoa(o.HTTPPort),
		"--entrypoints.web.asdefault=true",
		"--entrypoints.websecure.address=:" + strconv.Itoa(o.HTTPSPort),
		"--entrypoints.websecure.asdefault=true",
		"--entrypoints.traefik.address=" + o.PingAddr,
		"--ping=true",
		"--ping.entrypoint=traefik",
		p + "=true",
		p + ".controllerclass=" + o.ControllerClass,
		p + ".ingressclass=" + o.IngressClass,
		p + ".watchingresswithoutclass=" + strconv.FormatBool(o.WatchWithoutClass),
	}
	if o.IngressClassByName {
		args = append(args, p+".ingressclassbyname=true")
	}
	if o.PublishService != "" {
		args = append(args, p+".publishservice="+o.PublishService)
	} else if o.PublishStatusAddress != "" {
		args = append(args, p+".publishstatusaddress="+o.PublishStatusAddress)
	}
	if o.WatchNamespace != "" {
		args = append(args, p+".watchnamespace="+o.WatchNamespace)
	}
	if o.WatchNamespaceSelector != "" {
		args = append(args, p+".watchnamespaceselector="+o.WatchNamespaceSelector)
	}
	if o.DefaultBackendService != "" {
		args = append(args, p+".defaultbackendservice="+o.DefaultBackendService)
	}
	if o.DisableSvcExternalName {
		args = append(args, p+".disablesvcexternalname=true")
	}
	return append(args, o.TraefikArgs...)
}

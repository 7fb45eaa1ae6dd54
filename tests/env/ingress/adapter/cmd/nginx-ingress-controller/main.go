// Command nginx-ingress-controller stands in for ingress-nginx's controller
// binary in minikube's ingress addon: it takes the flags the addon's
// Deployment passes, runs Traefik (kubernetesingressnginx provider) as its
// child, answers the kubelet's probes on /healthz and serves the validating
// admission webhook. Invoked as /wait-shutdown (the Deployment's preStop
// hook) it stops the running controller and waits for it.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"localdev.kube/ingress-adapter/internal/admission"
	"localdev.kube/ingress-adapter/internal/kube"
)

func main() {
	log.SetPrefix("adapter: ")
	if filepath.Base(os.Args[0]) == "wait-shutdown" {
		os.Exit(waitShutdown())
	}
	o, notes := parseFlags(os.Args[1:])
	for _, n := range notes {
		log.Print(n)
	}
	os.Exit(run(o))
}

func run(o options) int {
	client, apiErr := kube.InCluster()
	if apiErr != nil {
		log.Printf("no Kubernetes API access (%v): the webhook denies what it cannot check, and the Ingress status address stays unset", apiErr)
	}
	if o.UpdateStatus && o.PublishService == "" && o.PublishStatusAddress == "" && client != nil {
		// ingress-nginx without --publish-service reports the node's address.
		if ip, err := nodeIP(client); err != nil {
			log.Printf("not setting the Ingress status address: %v", err)
		} else {
			o.PublishStatusAddress = ip
		}
	}

	healthzLn, err := net.Listen("tcp", net.JoinHostPort(o.HealthzHost, strconv.Itoa(o.HealthzPort)))
	if err != nil {
		log.Printf("cannot serve /healthz: %v", err)
		return 1
	}
	var webhookLn net.Listener
	if o.WebhookAddr != "" {
		if webhookLn, err = net.Listen("tcp", o.WebhookAddr); err != nil {
			log.Printf("cannot serve the admission webhook: %v", err)
			return 1
		}
	}

	cmd := exec.Command(o.TraefikBinary, traefikArgs(o)...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	// Signals go to traefik through the adapter only, not to its process group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT)
	if err := cmd.Start(); err != nil {
		log.Printf("cannot start traefik: %v", err)
		return 1
	}
	log.Printf("started traefik (pid %d): %s %s", cmd.Process.Pid, o.TraefikBinary, strings.Join(cmd.Args[1:], " "))
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	healthz := &http.Server{Handler: healthzHandler("http://" + o.PingAddr + "/ping"), ReadHeaderTimeout: 5 * time.Second}
	go func() { serve("/healthz", healthz.Serve(healthzLn)) }()
	servers := []*http.Server{healthz}
	if webhookLn != nil {
		loader := &certLoader{certFile: o.WebhookCert, keyFile: o.WebhookKey}
		if _, err := loader.GetCertificate(nil); err != nil {
			log.Printf("admission webhook: %v (tried again on each connection)", err)
		}
		v := &admission.Validator{
			Class: admission.Class{
				Controller: o.ControllerClass, Name: o.IngressClass,
				ByName: o.IngressClassByName, WatchWithoutClass: o.WatchWithoutClass,
			},
			Lister: admission.APILister{Client: client, Err: apiErr},
		}
		webhook := &http.Server{
			Handler:           v,
			TLSConfig:         &tls.Config{GetCertificate: loader.GetCertificate, MinVersion: tls.VersionTLS12},
			ReadHeaderTimeout: 5 * time.Second,
		}
		go func() { serve("the admission webhook", webhook.ServeTLS(webhookLn, "", "")) }()
		servers = append(servers, webhook)
		log.Printf("admission webhook on %s (certificate %s)", webhookLn.Addr(), o.WebhookCert)
	}
	log.Printf("/healthz on %s answers 200 while traefik's ping (%s) does", healthzLn.Addr(), o.PingAddr)

	for {
		select {
		case s := <-signals:
			log.Printf("received %s: passing it to traefik", s)
			_ = cmd.Process.Signal(s)
		case err := <-exited:
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			for _, srv := range servers {
				_ = srv.Shutdown(ctx)
			}
			cancel()
			return exitCode(err)
		}
	}
}

// serve is called with a server's result: it logs why the server stopped.
func serve(what string, err error) {
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Printf("serving %s: %v", what, err)
	}
}

func exitCode(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		log.Print("traefik exited: stopping")
		return 0
	case errors.As(err, &ee):
		code := ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal())
		}
		log.Printf("traefik exited (%v): stopping with code %d", err, code)
		return code
	default:
		log.Printf("waiting for traefik: %v", err)
		return 1
	}
}

// healthzHandler answers 200 only while traefik's ping at pingURL answers 200.
func healthzHandler(pingURL string) http.Handler {
	client := &http.Client{
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}, // loopback: never via a proxy
		Timeout:   800 * time.Millisecond,                               // the probes give up after 1 s
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, pingURL, nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		resp, err := client.Do(req)
		if err != nil {
			http.Error(w, "traefik is not answering its ping: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			http.Error(w, fmt.Sprintf("traefik's ping answered %d", resp.StatusCode), http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
}

// certLoader serves the webhook's key pair, reloading it when the mounted
// Secret's files change (the kubelet swaps them in place).
type certLoader struct {
	certFile, keyFile string
	mu                sync.Mutex
	cert              *tls.Certificate
	stamp             string
}

func (l *certLoader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	stamp := ""
	for _, f := range []string{l.certFile, l.keyFile} {
		fi, err := os.Stat(f)
		if err != nil {
			return l.cached(fmt.Errorf("no webhook key pair: %w", err))
		}
		stamp += fi.ModTime().String() + strconv.FormatInt(fi.Size(), 10)
	}
	if l.cert != nil && stamp == l.stamp {
		return l.cert, nil
	}
	cert, err := tls.LoadX509KeyPair(l.certFile, l.keyFile)
	if err != nil {
		return l.cached(fmt.Errorf("loading the webhook key pair: %w", err))
	}
	l.cert, l.stamp = &cert, stamp
	return l.cert, nil
}

// cached falls back to the last good key pair while the files are being replaced.
func (l *certLoader) cached(err error) (*tls.Certificate, error) {
	if l.cert != nil {
		return l.cert, nil
	}
	return nil, err
}

// nodeIP asks the API for the address of the node this pod runs on.
func nodeIP(c *kube.Client) (string, error) {
	name, ns := os.Getenv("POD_NAME"), os.Getenv("POD_NAMESPACE")
	if name == "" || ns == "" {
		return "", errors.New("POD_NAME and POD_NAMESPACE are not set")
	}
	var pod struct {
		Status struct {
			HostIP string `json:"hostIP"`
		} `json:"status"`
	}
	var err error
	for i := 0; i < 5; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err = c.Get(ctx, kube.Namespaced("/api/v1", ns, "pods", name), &pod)
		cancel()
		if err == nil && pod.Status.HostIP != "" {
			return pod.Status.HostIP, nil
		}
		if err == nil {
			err = errors.New("the pod has no hostIP yet")
		}
		time.Sleep(time.Second)
	}
	return "", fmt.Errorf("reading pod %s/%s: %w", ns, name, err)
}

// waitShutdown sends SIGTERM to the running controller and waits until it is gone.
func waitShutdown() int {
	pid, err := findController("/proc", os.Getpid())
	if err != nil {
		log.Printf("wait-shutdown: %v", err)
		return 1
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		log.Printf("wait-shutdown: signalling pid %d: %v", pid, err)
		return 1
	}
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if syscall.Kill(pid, 0) != nil {
			return 0
		}
	}
	log.Printf("wait-shutdown: pid %d still runs", pid)
	return 1
}

// findController returns the pid (other than self) whose argv[0] is nginx-ingress-controller.
func findController(proc string, self int) (int, error) {
	entries, err := os.ReadDir(proc)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join(proc, e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		argv0, _, _ := strings.Cut(string(cmdline), "\x00")
		if filepath.Base(argv0) == "nginx-ingress-controller" {
			return pid, nil
		}
	}
	return 0, errors.New("no nginx-ingress-controller process found")
}

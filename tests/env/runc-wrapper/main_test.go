package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Bounding set masks: every capability up to CAP_CHECKPOINT_RESTORE (40),
// and that without CAP_SYS_RESOURCE (24), as on the machine this is for.
const (
	fullMask          = uint64(1)<<41 - 1
	noSysResourceMask = fullMask &^ (1 << 24)
)

// testLimits: no CAP_SYS_RESOURCE, oom_score_adj -500 (dockerd's own), hard
// RLIMIT_NOFILE 20000.
var testLimits = limits{
	capBounding: noSysResourceMask,
	oomScoreAdj: -500,
	hardLimit: func(resource string) (uint64, error) {
		switch resource {
		case "RLIMIT_NOFILE":
			return 20000, nil
		case "RLIMIT_CORE", "RLIMIT_NPROC":
			return ^uint64(0), nil // unlimited
		}
		return 0, fmt.Errorf("unknown rlimit type %q", resource)
	},
}

func TestParseArgs(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want invocation
	}{
		{"containerd create",
			[]string{"--root", "/run/docker/runtime-runc/moby", "--log", "/b/log.json", "--log-format", "json",
				"create", "--bundle", "/b", "--pid-file", "/b/init.pid", "--console-socket", "/tmp/s", "id1"},
			invocation{sub: "create", edit: "/b/config.json", logFile: "/b/log.json", logFormat: "json"}},
		{"bool global flag, = forms, short bundle",
			[]string{"--systemd-cgroup", "--root=/r", "-debug", "run", "-d", "-b=/x", "id"},
			invocation{sub: "run", edit: "/x/config.json"}},
		{"bundle after the container id",
			[]string{"create", "id", "-b", "/late"},
			invocation{sub: "create", edit: "/late/config.json"}},
		{"default bundle is the working directory",
			[]string{"run", "--detach", "id"},
			invocation{sub: "run", edit: "config.json"}},
		{"exec with a process file",
			[]string{"--root", "/r", "exec", "--process", "/tmp/p.json", "--detach", "--pid-file", "/tmp/pid", "id"},
			invocation{sub: "exec", edit: "/tmp/p.json", isProcess: true}},
		{"exec -p=",
			[]string{"exec", "-t", "-p=/tmp/q.json", "id"},
			invocation{sub: "exec", edit: "/tmp/q.json", isProcess: true}},
		{"exec flags end at the container id",
			[]string{"exec", "-e", "A=1", "id", "ps", "-p", "1"},
			invocation{sub: "exec", isProcess: true}},
		{"a global value flag named like a subcommand",
			[]string{"--root", "create", "state", "id"},
			invocation{sub: "state"}},
		{"other subcommands pass through",
			[]string{"--root", "/r", "delete", "--force", "id"},
			invocation{sub: "delete"}},
		{"no subcommand", []string{"--version"}, invocation{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseArgs(c.args)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("parseArgs(%q)\n got %+v\nwant %+v", c.args, got, c.want)
			}
		})
	}
	if _, err := parseArgs([]string{"create", "--bundle"}); err == nil {
		t.Error("a value flag without its value: want an error")
	}
}

func decode(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%v in %s", err, data)
	}
	return m
}

const privilegedConfig = `{
  "ociVersion": "1.0.2-dev",
  "process": {
    "user": {"uid": 0, "gid": 0},
    "args": ["/sbin/init"],
    "capabilities": {
      "bounding": ["CAP_CHOWN", "CAP_SYS_RESOURCE", "CAP_SYS_ADMIN"],
      "effective": ["CAP_SYS_RESOURCE", "CAP_CHOWN"],
      "permitted": ["CAP_CHOWN", "CAP_SYS_RESOURCE"],
      "inheritable": ["CAP_SYS_RESOURCE"],
      "ambient": ["CAP_SYS_RESOURCE"]
    },
    "rlimits": [
      {"type": "RLIMIT_NOFILE", "hard": 1048576, "soft": 1048576},
      {"type": "RLIMIT_CORE", "hard": 18446744073709551615, "soft": 18446744073709551615}
    ],
    "oomScoreAdj": -998,
    "x-unknown": {"kept": true}
  },
  "root": {"path": "rootfs"},
  "linux": {"maskedPaths": ["/proc/kcore"], "x-future": [1, 2]},
  "annotations": {"a": "<b>&"}
}`

func TestEditConfig(t *testing.T) {
	out, changed, err := editJSON([]byte(privilegedConfig), false, testLimits)
	if err != nil || !changed {
		t.Fatalf("changed=%v err=%v", changed, err)
	}
	got, want := decode(t, out), decode(t, []byte(privilegedConfig))
	p := want["process"].(map[string]any)
	p["capabilities"] = map[string]any{
		"bounding":    []any{"CAP_CHOWN", "CAP_SYS_ADMIN"},
		"effective":   []any{"CAP_CHOWN"},
		"permitted":   []any{"CAP_CHOWN"},
		"inheritable": []any{},
		"ambient":     []any{},
	}
	p["rlimits"] = []any{
		map[string]any{"type": "RLIMIT_NOFILE", "hard": 20000.0, "soft": 20000.0},
		map[string]any{"type": "RLIMIT_CORE", "hard": 18446744073709551615.0, "soft": 18446744073709551615.0},
	}
	p["oomScoreAdj"] = -500.0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("edited config\n got %v\nwant %v", got, want)
	}
	// Unlimited stays exact: no float rounding on the way through.
	var exact struct {
		Process struct{ Rlimits []struct{ Hard uint64 } }
	}
	if err := json.Unmarshal(out, &exact); err != nil || exact.Process.Rlimits[1].Hard != ^uint64(0) {
		t.Errorf("RLIMIT_CORE hard = %d (%v), want %d", exact.Process.Rlimits[1].Hard, err, ^uint64(0))
	}
}

func TestEditUnchanged(t *testing.T) {
	for name, doc := range map[string]string{
		"unprivileged": `{"process": {"capabilities": {"bounding": ["CAP_CHOWN"]}, "oomScoreAdj": 0,
			"rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]}, "root": {}}`,
		"no process": `{"ociVersion": "1.0.2"}`,
		"null sets":  `{"process": {"capabilities": {"ambient": null}, "rlimits": null}}`,
	} {
		out, changed, err := editJSON([]byte(doc), false, testLimits)
		if err != nil || changed || string(out) != doc {
			t.Errorf("%s: changed=%v err=%v", name, changed, err)
		}
	}
}

func TestEditProcessFile(t *testing.T) {
	doc := `{"args": ["sh"], "cwd": "/", "capabilities": {"bounding": ["CAP_SYS_RESOURCE", "CAP_KILL"]},
		"rlimits": [{"type": "RLIMIT_NOFILE", "hard": 30000, "soft": 1024}], "oomScoreAdj": -999}`
	out, changed, err := editJSON([]byte(doc), true, testLimits)
	if err != nil || !changed {
		t.Fatalf("changed=%v err=%v", changed, err)
	}
	got := decode(t, out)
	want := map[string]any{
		"args": []any{"sh"}, "cwd": "/", "capabilities": map[string]any{"bounding": []any{"CAP_KILL"}},
		"rlimits":     []any{map[string]any{"type": "RLIMIT_NOFILE", "hard": 20000.0, "soft": 1024.0}},
		"oomScoreAdj": -500.0,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("edited process\n got %v\nwant %v", got, want)
	}
}

func TestEditErrors(t *testing.T) {
	for name, doc := range map[string]string{
		"not JSON":           `{"process": `,
		"unknown rlimit":     `{"process": {"rlimits": [{"type": "RLIMIT_BOGUS", "hard": 1, "soft": 1}]}}`,
		"capabilities shape": `{"process": {"capabilities": {"bounding": "CAP_KILL"}}}`,
	} {
		if _, _, err := editJSON([]byte(doc), false, testLimits); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestEditFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	if err := os.WriteFile(path, []byte(privilegedConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := editFile(path, false, testLimits); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v (%v), want 0600", info.Mode(), err)
	}
	first, _ := os.ReadFile(path)
	// A second pass finds nothing to change and leaves the file alone.
	before, _ := os.Stat(path)
	if err := editFile(path, false, testLimits); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(path)
	second, _ := os.ReadFile(path)
	if !os.SameFile(before, after) || string(first) != string(second) {
		t.Error("an unchanged config was rewritten")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left files behind: %v", entries)
	}
	if err := editFile(filepath.Join(dir, "missing.json"), false, testLimits); err == nil {
		t.Error("a missing file: want an error")
	}
}

func TestCapNames(t *testing.T) {
	if len(capNames) != 41 || capNames[0] != "CAP_CHOWN" || capNames[24] != "CAP_SYS_RESOURCE" ||
		capNames[40] != "CAP_CHECKPOINT_RESTORE" {
		t.Errorf("capNames: %d names, [0]=%s [24]=%s [40]=%s", len(capNames), capNames[0], capNames[24], capNames[40])
	}
	if len(capBits) != len(capNames) {
		t.Errorf("capNames has duplicates: %d distinct of %d", len(capBits), len(capNames))
	}
}

func TestParseCapBnd(t *testing.T) {
	status := "Name:\tldk-runc\nUmask:\t0022\nCapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\n" +
		"CapEff:\t000001fffeffffff\nCapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\n"
	for name, c := range map[string]struct {
		status string
		want   uint64
	}{
		"no CAP_SYS_RESOURCE":         {status, noSysResourceMask},
		"full":                        {"CapBnd:\t000001ffffffffff\n", fullMask},
		"empty set, no final newline": {"CapBnd:\t0000000000000000", 0},
		"bits past 40":                {"CapBnd:\tffffffffffffffff\n", ^uint64(0)},
	} {
		got, err := parseCapBnd([]byte(c.status))
		if err != nil || got != c.want {
			t.Errorf("%s: got %#x (%v), want %#x", name, got, err, c.want)
		}
	}
	for name, bad := range map[string]string{
		"no CapBnd line": strings.Replace(status, "CapBnd", "CapXyz", 1),
		"not hex":        "CapBnd:\tzz\n",
		"empty value":    "CapBnd:\t\n",
		"too wide":       "CapBnd:\t1ffffffffffffffff\n",
	} {
		if got, err := parseCapBnd([]byte(bad)); err == nil {
			t.Errorf("%s: got %#x, want an error", name, got)
		}
	}
}

// capsDoc is a config whose process asks for list in every capability set.
func capsDoc(t *testing.T, list []string) string {
	t.Helper()
	l, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`{"process": {"args": ["sh"], "capabilities": {"bounding": %s, "effective": %s, `+
		`"inheritable": %s, "permitted": %s, "ambient": %s}}, "root": {"path": "rootfs"}}`, l, l, l, l, l)
}

func TestEditCapabilities(t *testing.T) {
	// Every known capability, and one this wrapper does not know.
	all := append(slices.Clone(capNames), "CAP_FROM_THE_FUTURE")
	without := func(drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(all), func(c string) bool { return slices.Contains(drop, c) })
	}
	cases := []struct {
		name string
		mask uint64
		want []string // nil: the document is left as it is
	}{
		{"a full mask changes nothing", fullMask, nil},
		{"bits past 40 change nothing", ^uint64(0), nil},
		{"without bit 24 only CAP_SYS_RESOURCE goes", noSysResourceMask, without("CAP_SYS_RESOURCE")},
		{"without several bits those go",
			fullMask &^ (1<<0 | 1<<21 | 1<<24 | 1<<38 | 1<<40),
			without("CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_SYS_RESOURCE", "CAP_PERFMON", "CAP_CHECKPOINT_RESTORE")},
		{"a pre-5.8 kernel (bits 0-37)", uint64(1)<<38 - 1,
			without("CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE")},
		{"an empty mask keeps only unknown names", 0, []string{"CAP_FROM_THE_FUTURE"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := capsDoc(t, all)
			lim := testLimits
			lim.capBounding = c.mask
			out, changed, err := editJSON([]byte(doc), false, lim)
			if err != nil {
				t.Fatal(err)
			}
			if c.want == nil {
				if changed || string(out) != doc {
					t.Errorf("changed=%v, document\n got %s\nwant %s", changed, out, doc)
				}
				return
			}
			if !changed {
				t.Fatal("changed=false, want true")
			}
			if got, want := decode(t, out), decode(t, []byte(capsDoc(t, c.want))); !reflect.DeepEqual(got, want) {
				t.Errorf("edited config\n got %v\nwant %v", got, want)
			}
		})
	}
}

func TestEditFullMaskKeepsCapabilities(t *testing.T) {
	// The privileged config under a full bounding set: only oomScoreAdj and
	// rlimits are clamped, the capability sets come through untouched.
	lim := testLimits
	lim.capBounding = fullMask
	out, changed, err := editJSON([]byte(privilegedConfig), false, lim)
	if err != nil || !changed {
		t.Fatalf("changed=%v err=%v", changed, err)
	}
	got := decode(t, out)["process"].(map[string]any)["capabilities"]
	want := decode(t, []byte(privilegedConfig))["process"].(map[string]any)["capabilities"]
	if !reflect.DeepEqual(got, want) {
		t.Errorf("capabilities\n got %v\nwant %v", got, want)
	}
}

// Command ldk-runc is an OCI runtime wrapper around runc for machines whose
// capability bounding set lacks some capabilities (here: CAP_SYS_RESOURCE).
// There `docker run --privileged` (minikube's node container, and the
// privileged pods inside it) fails with "unable to apply caps", because runc
// is asked for every capability and cannot have the missing ones. Without
// CAP_SYS_RESOURCE runc also cannot lower oom_score_adj below its own value
// nor raise a hard rlimit above its own.
//
// So before handing over to the real runc with the same arguments, it edits
// what runc is about to apply:
//   - create/run: the bundle's config.json (--bundle/-b, default cwd);
//   - exec: the process file (--process/-p);
//
// removing from every capability set (bounding, effective, inheritable,
// permitted, ambient) exactly the capabilities that are not in this process's
// own bounding set (CapBnd in /proc/self/status; names this wrapper does not
// know are kept), raising oomScoreAdj to at least this process's own, and
// lowering every rlimit to at most this process's own hard limit. Where the
// bounding set is full and the limits allow it, nothing changes and the file
// is not rewritten. Every other subcommand passes straight through.
//
// The real runc is $LDK_REAL_RUNC, or else the first of realRuncCandidates
// that is not this binary (in the node image the wrapper replaces
// /usr/sbin/runc, and dpkg-divert moves Debian's runc to /usr/sbin/runc.real).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// capNames maps capability bit numbers to their names (linux/capability.h).
var capNames = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", // 0-4
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", // 5-9
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", // 10-14
	"CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", // 15-19
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", // 20-24
	"CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", // 25-29
	"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", // 30-34
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", // 35-39
	"CAP_CHECKPOINT_RESTORE", // 40
}

// capBits is capNames inverted: a capability's name to its bit number.
var capBits = func() map[string]uint {
	m := make(map[string]uint, len(capNames))
	for i, n := range capNames {
		m[n] = uint(i)
	}
	return m
}()

// parseCapBnd reads the bounding set mask (the CapBnd line, in hex) from the
// text of /proc/<pid>/status.
func parseCapBnd(status []byte) (uint64, error) {
	for _, line := range strings.Split(string(status), "\n") {
		rest, ok := strings.CutPrefix(line, "CapBnd:")
		if !ok {
			continue
		}
		mask, err := strconv.ParseUint(strings.TrimSpace(rest), 16, 64)
		if err != nil {
			return 0, fmt.Errorf("CapBnd: %w", err)
		}
		return mask, nil
	}
	return 0, fmt.Errorf("no CapBnd line")
}

// capAllowed tells whether the capability name may stay in a spec under the
// bounding set mask: when its bit is in the mask, or when the name is not one
// this wrapper knows (left for runc to judge).
func capAllowed(name string, mask uint64) bool {
	bit, known := capBits[name]
	return !known || mask&(1<<bit) != 0
}

var realRuncCandidates = []string{"/usr/sbin/runc.real", "/usr/sbin/runc", "/usr/bin/runc"}

// Flags taking a value, by subcommand ("" = runc's global flags); any other
// flag is taken to be boolean. Names are without dashes: Go's flag package,
// which runc's CLI library uses, accepts -name and --name alike.
var valueFlags = map[string]map[string]bool{
	"":       set("root", "log", "log-format", "criu", "rootless"),
	"create": set("bundle", "b", "console-socket", "pidfd-socket", "pid-file", "preserve-fds"),
	"run":    set("bundle", "b", "console-socket", "pidfd-socket", "pid-file", "preserve-fds"),
	"exec": set("console-socket", "pidfd-socket", "cwd", "env", "e", "user", "u", "additional-gids", "g",
		"process", "p", "pid-file", "process-label", "apparmor", "cap", "c", "preserve-fds", "cgroup"),
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// invocation is what the wrapper needs to know about a runc command line.
type invocation struct {
	sub       string // the subcommand, "" when there is none
	edit      string // the JSON file to edit: config.json or the process file; "" for none
	isProcess bool   // edit holds a bare process object, not a whole config
	logFile   string // runc's --log, where the caller looks for the error
	logFormat string // runc's --log-format
}

// splitFlag tells whether arg is a flag and splits "--name=value".
func splitFlag(arg string) (name, value string, hasValue, isFlag bool) {
	if len(arg) < 2 || arg[0] != '-' || arg == "--" {
		return "", "", false, false
	}
	name = strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	if i := strings.IndexByte(name, '='); i >= 0 {
		return name[:i], name[i+1:], true, true
	}
	return name, "", false, true
}

// scanFlags reads the flags of args (the known value flags in values take the
// next argument unless given as name=value) into found, until the first
// positional argument when stopAtArg, else until "--". It returns the index
// where it stopped.
func scanFlags(args []string, values map[string]bool, stopAtArg bool, found map[string]string) (int, error) {
	i := 0
	for ; i < len(args); i++ {
		if args[i] == "--" {
			return i + 1, nil
		}
		name, value, hasValue, isFlag := splitFlag(args[i])
		if !isFlag {
			if stopAtArg {
				return i, nil
			}
			continue
		}
		if values[name] && !hasValue {
			if i+1 >= len(args) {
				return i, fmt.Errorf("flag %s needs a value", args[i])
			}
			i++
			value = args[i]
		}
		found[name] = value
	}
	return i, nil
}

// parseArgs finds the subcommand after runc's global flags and, for the
// subcommands whose JSON it edits, that file.
func parseArgs(args []string) (invocation, error) {
	var inv invocation
	global := map[string]string{}
	i, err := scanFlags(args, valueFlags[""], true, global)
	if err != nil {
		return inv, err
	}
	inv.logFile, inv.logFormat = global["log"], global["log-format"]
	if i >= len(args) {
		return inv, nil
	}
	inv.sub = args[i]
	rest := args[i+1:]
	found := map[string]string{}
	switch inv.sub {
	case "create", "run":
		// runc lets create/run flags follow the container id too.
		if _, err := scanFlags(rest, valueFlags[inv.sub], false, found); err != nil {
			return inv, fmt.Errorf("runc %s: %w", inv.sub, err)
		}
		bundle := found["bundle"]
		if b, ok := found["b"]; ok {
			bundle = b
		}
		inv.edit = filepath.Join(bundle, "config.json")
	case "exec":
		// exec's flags end at the container id: what follows is the command.
		if _, err := scanFlags(rest, valueFlags["exec"], true, found); err != nil {
			return inv, fmt.Errorf("runc exec: %w", err)
		}
		inv.edit = found["process"]
		if p, ok := found["p"]; ok {
			inv.edit = p
		}
		inv.isProcess = true
	}
	return inv, nil
}

// limits are this process's own bounds: runc cannot grant a capability
// outside its bounding set, and without CAP_SYS_RESOURCE cannot go past its
// oom_score_adj and hard rlimits.
type limits struct {
	capBounding uint64 // the bounding set mask, bit n = capNames[n]
	oomScoreAdj int
	hardLimit   func(resource string) (uint64, error)
}

// rlimit numbers on Linux (asm-generic; amd64 and arm64 use them).
var rlimitNumbers = map[string]int{
	"RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3, "RLIMIT_CORE": 4,
	"RLIMIT_RSS": 5, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7, "RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9,
	"RLIMIT_LOCKS": 10, "RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13,
	"RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
}

func ownLimits() (limits, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return limits{}, err
	}
	capBnd, err := parseCapBnd(status)
	if err != nil {
		return limits{}, fmt.Errorf("/proc/self/status: %w", err)
	}
	raw, err := os.ReadFile("/proc/self/oom_score_adj")
	if err != nil {
		return limits{}, err
	}
	adj, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return limits{}, fmt.Errorf("/proc/self/oom_score_adj: %w", err)
	}
	hard := func(resource string) (uint64, error) {
		n, ok := rlimitNumbers[resource]
		if !ok {
			return 0, fmt.Errorf("unknown rlimit type %q", resource)
		}
		var rl syscall.Rlimit
		if err := syscall.Getrlimit(n, &rl); err != nil {
			return 0, fmt.Errorf("getrlimit %s: %w", resource, err)
		}
		return rl.Max, nil
	}
	return limits{capBounding: capBnd, oomScoreAdj: adj, hardLimit: hard}, nil
}

// object is a JSON object whose members are kept as they came, so fields
// this wrapper does not know survive a rewrite.
type object map[string]json.RawMessage

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

func marshal(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// editProcess applies the edits to an OCI process object in place and
// reports whether anything changed.
func editProcess(proc object, lim limits) (bool, error) {
	changed := false

	if raw, ok := proc["capabilities"]; ok && !isNull(raw) {
		var caps object
		if err := json.Unmarshal(raw, &caps); err != nil {
			return false, fmt.Errorf("process.capabilities: %w", err)
		}
		capsChanged := false
		for set, rawList := range caps {
			if isNull(rawList) {
				continue
			}
			var list []string
			if err := json.Unmarshal(rawList, &list); err != nil {
				return false, fmt.Errorf("process.capabilities.%s: %w", set, err)
			}
			kept := make([]string, 0, len(list))
			for _, c := range list {
				if capAllowed(c, lim.capBounding) {
					kept = append(kept, c)
				}
			}
			if len(kept) != len(list) {
				var err error
				if caps[set], err = marshal(kept); err != nil {
					return false, err
				}
				capsChanged = true
			}
		}
		if capsChanged {
			var err error
			if proc["capabilities"], err = marshal(caps); err != nil {
				return false, err
			}
			changed = true
		}
	}

	if raw, ok := proc["oomScoreAdj"]; ok && !isNull(raw) {
		var adj int
		if err := json.Unmarshal(raw, &adj); err != nil {
			return false, fmt.Errorf("process.oomScoreAdj: %w", err)
		}
		if adj < lim.oomScoreAdj {
			proc["oomScoreAdj"] = json.RawMessage(strconv.Itoa(lim.oomScoreAdj))
			changed = true
		}
	}

	if raw, ok := proc["rlimits"]; ok && !isNull(raw) {
		var rlimits []object
		if err := json.Unmarshal(raw, &rlimits); err != nil {
			return false, fmt.Errorf("process.rlimits: %w", err)
		}
		rlChanged := false
		for i, rl := range rlimits {
			var typ string
			if err := json.Unmarshal(rl["type"], &typ); err != nil {
				return false, fmt.Errorf("process.rlimits[%d].type: %w", i, err)
			}
			ceiling, err := lim.hardLimit(typ)
			if err != nil {
				return false, fmt.Errorf("process.rlimits[%d]: %w", i, err)
			}
			for _, field := range []string{"hard", "soft"} {
				var v uint64
				if err := json.Unmarshal(rl[field], &v); err != nil {
					return false, fmt.Errorf("process.rlimits[%d].%s (%s): %w", i, field, typ, err)
				}
				if v > ceiling {
					rl[field] = json.RawMessage(strconv.FormatUint(ceiling, 10))
					rlChanged = true
				}
			}
		}
		if rlChanged {
			var err error
			if proc["rlimits"], err = marshal(rlimits); err != nil {
				return false, err
			}
			changed = true
		}
	}
	return changed, nil
}

// editJSON applies the edits to a config (its "process" member) or to a bare
// process object, returning the new document and whether it changed.
func editJSON(data []byte, isProcess bool, lim limits) ([]byte, bool, error) {
	var doc object
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, false, err
	}
	proc := doc
	if !isProcess {
		raw, ok := doc["process"]
		if !ok || isNull(raw) {
			return data, false, nil
		}
		proc = object{}
		if err := json.Unmarshal(raw, &proc); err != nil {
			return nil, false, fmt.Errorf("process: %w", err)
		}
	}
	changed, err := editProcess(proc, lim)
	if err != nil || !changed {
		return data, false, err
	}
	if !isProcess {
		if doc["process"], err = marshal(proc); err != nil {
			return nil, false, err
		}
	}
	out, err := marshal(doc)
	return out, err == nil, err
}

// editFile rewrites path (same mode, via rename) when the edits change it.
func editFile(path string, isProcess bool, lim limits) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, changed, err := editJSON(data, isProcess, lim)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if !changed {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ldk-runc-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// findRealRunc picks the runc to hand over to, never this binary itself.
func findRealRunc() (string, error) {
	self, err := os.Stat("/proc/self/exe")
	if err != nil {
		return "", err
	}
	candidates := realRuncCandidates
	if env := os.Getenv("LDK_REAL_RUNC"); env != "" {
		candidates = []string{env}
	}
	for _, c := range candidates {
		info, err := os.Stat(c)
		if err != nil || info.IsDir() || os.SameFile(self, info) {
			continue
		}
		return c, nil
	}
	return "", fmt.Errorf("no real runc found (tried %s, skipping this wrapper itself); install runc or set LDK_REAL_RUNC",
		strings.Join(candidates, ", "))
}

// fail reports err on stderr and, like runc itself, in runc's --log file,
// which is where containerd and Docker look for the reason of a failure.
func fail(inv invocation, err error) {
	msg := "ldk-runc: " + err.Error()
	fmt.Fprintln(os.Stderr, msg)
	if inv.logFile != "" {
		if f, ferr := os.OpenFile(inv.logFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); ferr == nil {
			now := time.Now().Format(time.RFC3339Nano)
			if inv.logFormat == "json" {
				line, _ := marshal(map[string]string{"level": "error", "msg": msg, "time": now})
				fmt.Fprintf(f, "%s\n", line)
			} else {
				fmt.Fprintf(f, "time=%q level=error msg=%q\n", now, msg)
			}
			f.Close()
		}
	}
	os.Exit(1)
}

func main() {
	args := os.Args[1:]
	inv, err := parseArgs(args)
	if err != nil {
		fail(inv, err)
	}
	real, err := findRealRunc()
	if err != nil {
		fail(inv, err)
	}
	if inv.edit != "" {
		lim, err := ownLimits()
		if err != nil {
			fail(inv, fmt.Errorf("reading this process's limits: %w", err))
		}
		if err := editFile(inv.edit, inv.isProcess, lim); err != nil {
			fail(inv, fmt.Errorf("runc %s: editing %w", inv.sub, err))
		}
	}
	err = syscall.Exec(real, append([]string{real}, args...), os.Environ())
	fail(inv, fmt.Errorf("exec %s: %w", real, err))
}

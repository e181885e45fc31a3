package main

// End-to-end tests of the real binary. TestMain builds it once per `go test` run;
// each test starts an in-process sandbox (fetch/sandbox) on a loopback port and runs
// the binary against it with --base-url, as a user would, then reads back every
// file it wrote.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// peBin is the path of the profile-export binary built by TestMain.
var peBin string

func TestMain(m *testing.M) { os.Exit(e2eMain(m)) }

func e2eMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "profile-export-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	peBin = filepath.Join(dir, "profile-export")
	args := []string{"build", "-o", peBin}
	if os.Getenv("E2E_RACE") != "" {
		// E2E_RACE=1 builds the binary with the race detector; a race then makes it
		// exit with status 66 (see GORACE in cleanEnv), failing the test.
		args = append(args, "-race")
	}
	build := exec.Command(goTool(), append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building the binary:", err)
		return 1
	}
	return m.Run()
}

// goTool finds the go command that runs these tests.
func goTool() string {
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// cleanEnv is the environment of the binary: the test's own, minus any variable
// that would configure profile-export behind the test's back, plus extra.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PROFILE_EXPORT_") || strings.HasPrefix(kv, "TARGET_") {
			continue
		}
		env = append(env, kv)
	}
	if os.Getenv("E2E_RACE") != "" {
		env = append(env, "GORACE=exitcode=66 halt_on_error=1")
	}
	return append(env, extra...)
}

// syncBuffer is a bytes.Buffer safe to read while the process writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

// proc is a running profile-export.
type proc struct {
	t              *testing.T
	cmd            *exec.Cmd
	args           []string
	stdout, stderr syncBuffer
	done           chan struct{}
	code           int // exit code; -1 when killed by a signal
	signaled       bool
}

// procTimeout bounds any single run of the binary in these tests.
const procTimeout = 60 * time.Second

// start runs the binary with args and env (added to cleanEnv) in the background.
func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	return startWithStdin(t, nil, env, args...)
}

// startWithStdin is start with stdin read from r (nil: the null device).
func startWithStdin(t *testing.T, r io.Reader, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, args: args, done: make(chan struct{})}
	p.cmd = exec.Command(peBin, args...)
	p.cmd.Env = cleanEnv(env...)
	p.cmd.Stdin = r
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting profile-export: %v", err)
	}
	go func() {
		defer close(p.done)
		err := p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				p.signaled = true
			}
		}
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait waits for the process to exit, killing it and failing the test after d.
func (p *proc) wait(d time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(d):
		_ = p.cmd.Process.Kill()
		<-p.done
		p.t.Fatalf("profile-export %s did not exit within %s\nstderr:\n%s", strings.Join(p.args, " "), d, p.stderr.String())
		return -1
	}
}

// exited reports whether the process has exited.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *proc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil && !p.exited() {
		p.t.Fatalf("sending %v: %v", sig, err)
	}
}

// run runs the binary to its end and returns it; env is added to cleanEnv.
func run(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := start(t, env, args...)
	p.wait(procTimeout)
	return p
}

// expectCode fails the test unless the process exited with want.
func (p *proc) expectCode(want int) {
	p.t.Helper()
	if p.code != want {
		p.t.Fatalf("profile-export %s: exit code %d, want %d\nstderr:\n%s", strings.Join(p.args, " "), p.code, want, p.stderr.String())
	}
}

// waitFor polls cond every few milliseconds until it holds, failing after d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out after %s waiting for %s", d, what)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// exportArgs are the arguments of an export against a sandbox at url, with
// unlimited rate; more are appended.
func exportArgs(in, out, url string, more ...string) []string {
	return append([]string{"export", "-i", in, "-o", out, "--base-url", url, "--rate", "0"}, more...)
}

// joinOut joins dir and name, keeping a trailing "/" (which asks for directory mode).
func joinOut(dir, name string) string {
	p := filepath.Join(dir, name)
	if strings.HasSuffix(name, "/") {
		p += "/"
	}
	return p
}

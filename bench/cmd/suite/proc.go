package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// usage is what one finished process cost, from wait4's rusage: the process alone
// (its threads included), not the suite nor the other processes of the run.
type usage struct {
	Wall     time.Duration
	User     time.Duration
	Sys      time.Duration
	MaxRSS   int64 // peak resident set size, bytes
	ExitCode int
	Output   string // the end of what it wrote on stdout and stderr
}

// CPU is user plus system time.
func (u usage) CPU() time.Duration { return u.User + u.Sys }

// run runs name with args to completion and measures it. Its output is kept (the
// last 16 KiB) for parsing and error messages, and also appended to logPath when set. A non-zero
// exit is not an error: callers decide which exit codes they accept.
func run(ctx context.Context, logPath, name string, args ...string) (usage, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = 5 * time.Second
	tail := &tailBuffer{max: 16 << 10}
	var out io.Writer = tail
	if logPath != "" {
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return usage{}, err
		}
		defer f.Close()
		fmt.Fprintf(f, "\n$ %s %s\n", filepath.Base(name), strings.Join(args, " "))
		out = io.MultiWriter(tail, f)
	}
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	err := cmd.Run()
	u := usage{Wall: time.Since(start), Output: tail.String()}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return u, fmt.Errorf("running %s: %w", filepath.Base(name), err)
	}
	fillUsage(&u, cmd.ProcessState)
	return u, nil
}

func fillUsage(u *usage, ps *os.ProcessState) {
	u.ExitCode = ps.ExitCode()
	u.User, u.Sys = ps.UserTime(), ps.SystemTime()
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		u.MaxRSS = int64(ru.Maxrss) * 1024 // Linux reports KiB
	}
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	buf bytes.Buffer
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf.Write(p)
	if extra := t.buf.Len() - t.max; extra > 0 {
		t.buf.Next(extra)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return strings.TrimSpace(t.buf.String()) }

// sandboxProc is a simulated API running as a separate process, as a real API is:
// its CPU is not the client's, and the two only meet over loopback TCP.
type sandboxProc struct {
	URL  string
	cmd  *exec.Cmd
	done chan error
}

// startSandbox runs "BIN sandbox --listen 127.0.0.1:PORT extra..." and waits until
// it answers its health check.
func startSandbox(ctx context.Context, bin, logPath string, extra ...string) (*sandboxProc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	args := append([]string{"sandbox", "--listen", addr}, extra...)
	cmd := exec.Command(bin, args...)
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	defer log.Close() // the child keeps its own descriptor
	fmt.Fprintf(log, "\n$ %s %s\n", filepath.Base(bin), strings.Join(args, " "))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the sandbox: %w", err)
	}
	s := &sandboxProc{URL: "http://" + addr, cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := s.health(ctx); err == nil {
			return s, nil
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("the sandbox exited at start (%v); see %s", err, logPath)
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("the sandbox did not answer on %s within 10s; see %s", addr, logPath)
		}
	}
}

func (s *sandboxProc) health(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/_sandbox/health", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: HTTP %d", resp.StatusCode)
	}
	return nil
}

// sandboxStats is the part of GET /_sandbox/stats the suite reads.
type sandboxStats struct {
	Requests     int64            `json:"requests"`
	ByStatus     map[string]int64 `json:"byStatus"`
	MaxPerSecond int64            `json:"maxPerSecond"`
	First        time.Time        `json:"first"`
	Last         time.Time        `json:"last"`
}

func (s *sandboxProc) stats(ctx context.Context) (sandboxStats, error) {
	var st sandboxStats
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/_sandbox/stats", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return st, fmt.Errorf("sandbox stats: %w", err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return st, fmt.Errorf("sandbox stats: %w", err)
	}
	return st, nil
}

// stop ends the sandbox with SIGTERM (SIGKILL if it lingers) and waits for it.
func (s *sandboxProc) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// freePort asks the kernel for a free loopback port. Another process could take it
// before the sandbox binds it; startSandbox then fails clearly rather than measuring
// the wrong server.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

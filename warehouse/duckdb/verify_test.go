package duckdb

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/profile-export/profile-export/job"
)

// verifyScript runs ../verify-export.sh with args and returns its exit status
// and what it printed.
func verifyScript(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("..", "verify-export.sh"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", append([]string{script}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	t.Fatalf("running verify-export.sh: %v", err)
	return 0, "", ""
}

// TestVerifyExportScript checks the shell check a loader runs before loading:
// it passes a finished export, refuses damaged ones with status 1 naming the
// file, says "not finished" with status 75, waits for _SUCCESS when asked, and
// waits for every shard.
func TestVerifyExportScript(t *testing.T) {
	for _, tool := range []string{"sh", "jq", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("verify-export.sh needs %s, not found here (scripts/test-warehouse installs jq)", tool)
		}
	}
	base := t.TempDir()
	in := writeInput(t, base, 300, 7)
	export := filepath.Join(base, "export")
	mustExport(t, in, export+"/", 60)
	m := readManifest(t, filepath.Join(export, "_manifest.json"))
	if len(m.Parts) < 2 || len(m.Rejects) == 0 {
		t.Fatalf("the export has %d parts and %d rejects files; the test wants more", len(m.Parts), len(m.Rejects))
	}

	t.Run("finished", func(t *testing.T) {
		code, stdout, stderr := verifyScript(t, nil, export)
		if code != 0 || !strings.Contains(stdout, "matches its manifest") {
			t.Fatalf("status %d, stdout %q, stderr %q; want 0", code, stdout, stderr)
		}
	})

	for _, tc := range []struct {
		name     string
		damage   func(dir string) error
		wantCode int
		wantErr  string
	}{
		{"changed part", func(dir string) error {
			f, err := os.OpenFile(filepath.Join(dir, m.Parts[1].Name), os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			if _, err := f.WriteAt([]byte{0xff}, 100); err != nil {
				return err
			}
			return f.Close()
		}, 1, m.Parts[1].Name + ": FAILED"},
		{"missing rejects", func(dir string) error {
			return os.Remove(filepath.Join(dir, m.Rejects[0].Name))
		}, 1, m.Rejects[0].Name},
		{"rejects line dropped", func(dir string) error {
			p := filepath.Join(dir, m.Rejects[0].Name)
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			lines := bytes.SplitAfter(b, []byte("\n"))
			return os.WriteFile(p, bytes.Join(lines[1:], nil), 0o600)
		}, 1, m.Rejects[0].Name + " has "},
		{"stray part", func(dir string) error {
			b, err := os.ReadFile(filepath.Join(dir, m.Parts[0].Name))
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "part-00999.parquet"), b, 0o600)
		}, 1, "part-00999.parquet is in"},
		{"unfinished", func(dir string) error {
			return os.Remove(filepath.Join(dir, "_SUCCESS"))
		}, 75, "not finished: no _SUCCESS"},
		{"no manifest yet", func(dir string) error {
			if err := os.Remove(filepath.Join(dir, "_SUCCESS")); err != nil {
				return err
			}
			return os.Remove(filepath.Join(dir, "_manifest.json"))
		}, 75, "not finished: no _manifest.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "export")
			copyDir(t, export, dir)
			if err := tc.damage(dir); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := verifyScript(t, nil, dir)
			if code != tc.wantCode || !strings.Contains(stderr, tc.wantErr) {
				t.Fatalf("status %d, stdout %q, stderr %q; want %d and %q", code, stdout, stderr, tc.wantCode, tc.wantErr)
			}
		})
	}

	t.Run("waits for _SUCCESS", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "export")
		copyDir(t, export, dir)
		if err := os.Remove(filepath.Join(dir, "_SUCCESS")); err != nil {
			t.Fatal(err)
		}
		timer := time.AfterFunc(300*time.Millisecond, func() {
			os.WriteFile(filepath.Join(dir, "_SUCCESS"), nil, 0o600)
		})
		defer timer.Stop()
		code, stdout, stderr := verifyScript(t, []string{"POLL=1"}, dir, "30")
		if code != 0 {
			t.Fatalf("status %d, stdout %q, stderr %q; want 0 once _SUCCESS appeared", code, stdout, stderr)
		}
	})

	t.Run("waits for every shard", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "export")
		shard := func(k int) {
			t.Helper()
			sum, err := exportTo(t, in, dir+"/", 60, nil, func(c *job.Config) { c.Shard = job.Shard{Index: k, Count: 2} })
			if err != nil || !sum.Completed {
				t.Fatalf("shard %d/2: %v", k, err)
			}
		}
		shard(1)
		code, _, stderr := verifyScript(t, nil, dir)
		if code != 75 || !strings.Contains(stderr, "1 of 2 shards have finished") {
			t.Fatalf("one shard of two: status %d, stderr %q; want 75", code, stderr)
		}
		shard(0)
		code, stdout, stderr := verifyScript(t, nil, dir)
		if code != 0 {
			t.Fatalf("both shards: status %d, stdout %q, stderr %q; want 0", code, stdout, stderr)
		}

		// An unsharded export copied in beside them (as an older binary
		// allowed): damaged, not "not finished".
		copyDir(t, export, dir)
		code, stdout, stderr = verifyScript(t, nil, dir)
		if code != 1 || !strings.Contains(stderr, "mixes exports: its manifests are of exports with different shard counts (1, 2)") {
			t.Fatalf("shards and an unsharded export: status %d, stdout %q, stderr %q; want 1", code, stdout, stderr)
		}
	})
}

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// verifyExport runs warehouse/verify-export.sh on dir, as the README tells a
// loader to, and returns its exit status and what it printed. env is added to the
// test's environment.
func verifyExport(t *testing.T, dir string, env ...string) (int, string) {
	t.Helper()
	for _, tool := range []string{"sh", "jq", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("verify-export.sh needs %s, not found here", tool)
		}
	}
	script, err := filepath.Abs(filepath.Join("warehouse", "verify-export.sh"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", script, dir)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String()
	}
	t.Fatalf("running verify-export.sh: %v", err)
	return 0, ""
}

// rawManifest is what a loader reads of a manifest, the "path" of a file included.
type rawManifest struct {
	Parts   []map[string]any `json:"parts"`
	Rejects []map[string]any `json:"rejects"`
}

func readRawManifest(t *testing.T, path string) rawManifest {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m rawManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// rejectsParts returns the rejects-* files of dir.
func rejectsParts(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "rejects-*"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// A directory export whose --rejects names another directory is verifiable with
// the README's verify-export.sh: the manifest says where its rejects parts are, the
// script checks them there, and a damaged rejects part is refused.
func TestE2EVerifyExportWithRejectsElsewhere(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{Seed: 5})
	rows := genRows(400, 9)
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, rows)

	for _, tc := range []struct {
		name     string
		out, rej func(base string) string // the --output and --rejects values
		more     []string
	}{
		{name: "sibling directories",
			out: func(b string) string { return filepath.Join(b, "dd1") + "/" },
			rej: func(b string) string { return filepath.Join(b, "dd1rej") + "/" }},
		{name: "rejects without a slash, jsonl",
			out:  func(b string) string { return filepath.Join(b, "exports", "dd1") + "/" },
			rej:  func(b string) string { return filepath.Join(b, "rejects", "dd1") },
			more: []string{"--format", "jsonl"}},
		{name: "rejects inside the export",
			out: func(b string) string { return filepath.Join(b, "dd1") + "/" },
			rej: func(b string) string { return filepath.Join(b, "dd1", "rejects") + "/" }},
		{name: "file URLs",
			out: func(b string) string { return "file://" + filepath.Join(b, "dd1") + "/" },
			rej: func(b string) string { return "file://" + filepath.Join(b, "dd1rej") + "/" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			out, rej := tc.out(base), tc.rej(base)
			outDir := strings.TrimPrefix(strings.TrimSuffix(out, "/"), "file://")
			rejDir := strings.TrimPrefix(strings.TrimSuffix(rej, "/"), "file://")
			args := exportArgs(in, out, sb.URL, append([]string{"--rejects", rej, "--rows-per-file", "100"}, tc.more...)...)
			p := run(t, nil, args...)
			p.expectCode(job.ExitOK)
			if !strings.Contains(p.stderr.String(), "wrote "+outDir) || !strings.Contains(p.stderr.String(), rejDir) {
				t.Errorf("the final message does not name both %s and %s:\n%s", outDir, rejDir, p.stderr.String())
			}
			rejs := rejectsParts(t, rejDir)
			if len(rejs) < 2 {
				t.Fatalf("%s holds %d rejects parts; the test wants several", rejDir, len(rejs))
			}
			if filepath.Dir(rejs[0]) != outDir {
				if got := rejectsParts(t, outDir); len(got) != 0 {
					t.Fatalf("rejects parts in the export directory too: %q", got)
				}
			}

			if code, msg := verifyExport(t, outDir); code != 0 {
				t.Fatalf("verify-export.sh %s: status %d, want 0:\n%s", outDir, code, msg)
			}

			// Copied elsewhere together, the export still verifies.
			moved := filepath.Join(t.TempDir(), "copy")
			if err := os.Rename(base, moved); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Rename(moved, base) })
			movedOut := filepath.Join(moved, strings.TrimPrefix(outDir, base))
			movedRej := filepath.Join(moved, strings.TrimPrefix(rejDir, base))
			if code, msg := verifyExport(t, movedOut); code != 0 {
				t.Fatalf("verify-export.sh on the moved export: status %d, want 0:\n%s", code, msg)
			}

			// A changed rejects part is refused, naming it.
			victim := filepath.Join(movedRej, filepath.Base(rejs[1]))
			b, err := os.ReadFile(victim)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 0x20
			if err := os.WriteFile(victim, b, 0o600); err != nil {
				t.Fatal(err)
			}
			code, msg := verifyExport(t, movedOut)
			if code != 1 || !strings.Contains(msg, filepath.Base(victim)) || !strings.Contains(msg, "do not load it") {
				t.Fatalf("verify-export.sh with a changed rejects part: status %d, want 1 naming %s:\n%s", code, filepath.Base(victim), msg)
			}
			b[len(b)/2] ^= 0x20
			if err := os.WriteFile(victim, b, 0o600); err != nil {
				t.Fatal(err)
			}

			// So are a missing rejects part and a stray one beside them.
			if err := os.Rename(victim, victim+".bak"); err != nil {
				t.Fatal(err)
			}
			if code, msg := verifyExport(t, movedOut); code != 1 || !strings.Contains(msg, filepath.Base(victim)) {
				t.Fatalf("verify-export.sh with a missing rejects part: status %d, want 1:\n%s", code, msg)
			}
			if err := os.Rename(victim+".bak", victim); err != nil {
				t.Fatal(err)
			}
			stray := filepath.Join(movedRej, "rejects-00999.jsonl")
			if err := os.WriteFile(stray, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if code, msg := verifyExport(t, movedOut); code != 1 || !strings.Contains(msg, "rejects-00999.jsonl") {
				t.Fatalf("verify-export.sh with a stray rejects part: status %d, want 1:\n%s", code, msg)
			}
		})
	}
}

// The shards of a sharded export sharing one directory and one rejects directory
// elsewhere verify together.
func TestE2EVerifyShardedExportWithRejectsElsewhere(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{Seed: 6})
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(400, 10))
	base := t.TempDir()
	out, rej := filepath.Join(base, "out")+"/", filepath.Join(base, "rej")+"/"
	for k := range 2 {
		run(t, nil, exportArgs(in, out, sb.URL, "--rejects", rej, "--rows-per-file", "100", "--shard", []string{"0/2", "1/2"}[k])...).
			expectCode(job.ExitOK)
	}
	if n := len(rejectsParts(t, rej)); n < 2 {
		t.Fatalf("%s holds %d rejects parts; the test wants several", rej, n)
	}
	if code, msg := verifyExport(t, out); code != 0 {
		t.Fatalf("verify-export.sh: status %d, want 0:\n%s", code, msg)
	}

	// Rejects parts listed by a bucket URL are checked in a local copy named by
	// REJECTS_DIR; without it the script cannot check them and says so.
	copied := filepath.Join(t.TempDir(), "copy")
	if err := os.Rename(rej, copied); err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"-s000", "-s001"} {
		p := filepath.Join(out, "_manifest"+tag+".json")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, f := range m["rejects"].([]any) {
			f := f.(map[string]any)
			f["path"] = "s3://lake/rejects/" + f["name"].(string)
		}
		if b, err = json.Marshal(m); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if code, msg := verifyExport(t, out); code != 64 || !strings.Contains(msg, "REJECTS_DIR") {
		t.Fatalf("verify-export.sh with rejects in a bucket: status %d, want 64 asking for REJECTS_DIR:\n%s", code, msg)
	}
	if code, msg := verifyExport(t, out, "REJECTS_DIR="+copied); code != 0 {
		t.Fatalf("verify-export.sh with REJECTS_DIR: status %d, want 0:\n%s", code, msg)
	}
	if err := os.Rename(copied, rej); err != nil {
		t.Fatal(err)
	}
	if code, msg := verifyExport(t, out, "REJECTS_DIR="+rej); code != 0 {
		t.Fatalf("verify-export.sh with REJECTS_DIR: status %d, want 0:\n%s", code, msg)
	}
	if err := os.Remove(rejectsParts(t, rej)[0]); err != nil {
		t.Fatal(err)
	}
	if code, msg := verifyExport(t, out, "REJECTS_DIR="+rej); code != 1 {
		t.Fatalf("verify-export.sh with a rejects part gone: status %d, want 1:\n%s", code, msg)
	}
}

// With the rejects beside the parts (the usual case), the manifest is as it
// always was: bare names, no "path".
func TestE2EManifestUnchangedWithRejectsBeside(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{Seed: 7})
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(300, 11))
	base := t.TempDir()
	out := filepath.Join(base, "out") + "/"
	for _, more := range [][]string{nil, {"--rejects", filepath.Join(base, "out"), "--overwrite"}} {
		p := run(t, nil, exportArgs(in, out, sb.URL, append([]string{"--rows-per-file", "100"}, more...)...)...)
		p.expectCode(job.ExitOK)
		if strings.Contains(p.stderr.String(), " and ") {
			t.Errorf("the final message names a second place:\n%s", p.stderr.String())
		}
		m := readRawManifest(t, filepath.Join(base, "out", "_manifest.json"))
		if len(m.Rejects) == 0 {
			t.Fatal("no rejects in the manifest; the test wants some")
		}
		for _, f := range append(m.Parts, m.Rejects...) {
			if _, ok := f["path"]; ok || strings.Contains(f["name"].(string), "/") {
				t.Errorf("manifest entry %v: want a bare name and no path", f)
			}
		}
		if code, msg := verifyExport(t, out); code != 0 {
			t.Fatalf("verify-export.sh: status %d, want 0:\n%s", code, msg)
		}
	}
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// An input file that cannot be used stops the job with exit 2 and a message naming
// the problem, before any request, and without creating any file or directory.
func TestE2EUnusableInput(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	for _, tc := range []struct {
		name, content string
		want          []string // in the message
	}{
		{name: "empty", content: "", want: []string{"empty", "header"}},
		{name: "blank", content: "\n  \n", want: []string{"no header", "only blank lines"}},
		{name: "no-header", content: "111492025094307-353046,tntId\n222492025094307-353046,tntId\n", want: []string{`no "id" column`, "header"}},
		{name: "no-id-column", content: "visitor,type\n111492025094307-353046,tntId\n", want: []string{`no "id" column`, `"visitor"`}},
		{name: "no-type-column", content: "id,kind\n111492025094307-353046,tntId\n", want: []string{`no "type" column`, "--type"}},
		{name: "duplicate-id-column", content: "id,type,id\n1-2,tntId,3-4\n", want: []string{`"id" column appears 2 times`}},
		{name: "semicolons", content: "id;type\n111492025094307-353046;tntId\n", want: []string{"--delimiter", "';'"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := filepath.Join(t.TempDir(), "ids.csv")
			if err := os.WriteFile(in, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, out := range []string{"new/profiles.parquet", "newdir/"} {
				root := t.TempDir()
				before := sb.Stats().Requests
				p := run(t, nil, exportArgs(in, joinOut(root, out), sb.URL)...)
				p.expectCode(job.ExitUsage)
				for _, w := range tc.want {
					if !strings.Contains(p.stderr.String(), w) {
						t.Errorf("-o %s: the message does not say %q:\n%s", out, w, p.stderr.String())
					}
				}
				if n := sb.Stats().Requests - before; n != 0 {
					t.Errorf("-o %s: %d requests sent for an unusable input", out, n)
				}
				checkDirHolds(t, root) // nothing: no output, no staging directory, no new directory
			}
		})
	}
}

// Bad settings are refused (exit 2) before any request, creating nothing either.
func TestE2EBadSettingsCreateNothing(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(20, 3))
	for _, tc := range []struct {
		name, out string
		extra     []string
		want      string
	}{
		{name: "missing-ca-file", out: "new/p.parquet", extra: []string{"--ca-file", "/nonexistent/ca.pem"}, want: "ca.pem"},
		{name: "missing-ca-file-dir", out: "newdir/", extra: []string{"--ca-file", "/nonexistent/ca.pem"}, want: "ca.pem"},
		{name: "unknown-extension", out: "new/p.csv", want: "--format"},
		{name: "gzip-parquet", out: "new/p.parquet.gz", want: "gzip"},
		{name: "bad-format", out: "newdir/", extra: []string{"--format", "xml"}, want: "xml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			p := run(t, nil, exportArgs(in, joinOut(root, tc.out), sb.URL, tc.extra...)...)
			p.expectCode(job.ExitUsage)
			if !strings.Contains(p.stderr.String(), tc.want) {
				t.Errorf("the message does not say %q:\n%s", tc.want, p.stderr.String())
			}
			checkDirHolds(t, root)
		})
	}
	if n := sb.Stats().Requests; n != 0 {
		t.Errorf("%d requests sent by refused runs", n)
	}
}

// An input with a header and no row is a successful, empty export: a valid Parquet
// file without rows and an empty rejects file.
func TestE2EHeaderOnlyInput(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	in := filepath.Join(t.TempDir(), "ids.csv")
	if err := os.WriteFile(in, []byte("id,type\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "profiles.parquet")
	run(t, nil, exportArgs(in, out, sb.URL)...).expectCode(job.ExitOK)
	if got := readSingle(t, out); len(got) != 0 {
		t.Errorf("%d rows out of an empty input", len(got))
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatalf("the empty Parquet file does not open: %v", err)
	}
	if pf.NumRows() != 0 || !hasColumn(pf, "profile") {
		t.Errorf("empty Parquet file: %d rows, schema %v", pf.NumRows(), pf.Schema())
	}
	if b, err := os.ReadFile(rejectsPathOf(out)); err != nil || len(b) != 0 {
		t.Errorf("rejects file of an empty input: %q, %v", b, err)
	}

	dir := filepath.Join(t.TempDir(), "d") + "/"
	run(t, nil, exportArgs(in, dir, sb.URL)...).expectCode(job.ExitOK)
	if got := readDir(t, dir); len(got) != 0 {
		t.Errorf("%d rows out of an empty input", len(got))
	}
	if sb.Stats().Requests != 0 {
		t.Errorf("requests sent for an empty input")
	}
}

func hasColumn(f *parquet.File, name string) bool {
	for _, c := range f.Schema().Fields() {
		if c.Name() == name {
			return true
		}
	}
	return false
}

// An unfinished run is never overwritten or resumed by mistake: without --resume or
// --restart the job refuses (exit 2, naming both), --resume refuses another input,
// and the state survives the refusals and is resumed. A finished output is never
// replaced without --overwrite.
func TestE2EStateSafety(t *testing.T) {
	t.Parallel()
	cfg := sandbox.Config{Seed: 51}
	slowCfg := cfg
	slowCfg.Faults.Latency = 20 * time.Millisecond
	slow := sandbox.StartTest(t, slowCfg)
	fast := sandbox.StartTest(t, cfg)
	rows := genRows(800, 51)
	inDir := t.TempDir()
	in := filepath.Join(inDir, "ids.csv")
	writeCSV(t, in, rows)
	other := filepath.Join(inDir, "other.csv")
	writeCSV(t, other, genRows(800, 52))

	for _, outName := range []string{"profiles.parquet", "out/"} {
		t.Run(strings.TrimSuffix(outName, "/"), func(t *testing.T) {
			out := joinOut(t.TempDir(), outName)
			dirMode := strings.HasSuffix(outName, "/")
			stop := func() {
				t.Helper()
				p := run(t, nil, exportArgs(in, out, slow.URL, "-c", "2", "--max-duration", "300ms", "--checkpoint-interval", "50ms", "--restart")...)
				p.expectCode(job.ExitStopped)
			}
			stop()
			requests := fast.Stats().Requests

			p := run(t, nil, exportArgs(in, out, fast.URL)...)
			p.expectCode(job.ExitUsage)
			if msg := p.stderr.String(); !strings.Contains(msg, "--resume") || !strings.Contains(msg, "--restart") {
				t.Errorf("a leftover state without --resume: the message names neither --resume nor --restart:\n%s", msg)
			}
			p = run(t, nil, exportArgs(other, out, fast.URL, "--resume")...)
			p.expectCode(job.ExitUsage)
			if !strings.Contains(p.stderr.String(), "different input") {
				t.Errorf("--resume with another input: the message does not say so:\n%s", p.stderr.String())
			}
			// The same path with other content is another input too.
			orig, _ := os.ReadFile(in)
			changed := filepath.Join(t.TempDir(), "ids.csv")
			if err := os.WriteFile(changed, append(bytes.Clone(orig), "999-999,tntId\n"...), 0o644); err != nil {
				t.Fatal(err)
			}
			p = run(t, nil, exportArgs(changed, out, fast.URL, "--resume")...)
			p.expectCode(job.ExitUsage)
			if n := fast.Stats().Requests - requests; n != 0 {
				t.Errorf("refused runs sent %d requests", n)
			}

			// The refusals left the state as it was: --resume completes the export.
			run(t, nil, exportArgs(in, out, fast.URL, "--resume")...).expectCode(job.ExitOK)
			var first map[int64]record
			if dirMode {
				first = readDir(t, out)
			} else {
				first = readSingle(t, out)
			}
			checkExactlyOnce(t, rows, first, expectation{cfg: cfg})

			// A finished output is not replaced without --overwrite, even by --resume.
			snapshot := readTree(t, filepath.Dir(filepath.Clean(out)))
			for _, extra := range [][]string{nil, {"--resume"}} {
				p = run(t, nil, exportArgs(in, out, fast.URL, extra...)...)
				p.expectCode(job.ExitUsage)
				if !strings.Contains(p.stderr.String(), "--overwrite") {
					t.Errorf("existing output: the message does not name --overwrite:\n%s", p.stderr.String())
				}
			}
			if after := readTree(t, filepath.Dir(filepath.Clean(out))); !equalTrees(snapshot, after) {
				t.Errorf("a refused run changed the finished output: %s", treeDiff(snapshot, after))
			}
			run(t, nil, exportArgs(in, out, fast.URL, "--overwrite")...).expectCode(job.ExitOK)

			// --restart discards an unfinished run and starts over, exactly once.
			if err := os.RemoveAll(out); err != nil {
				t.Fatal(err)
			}
			if !dirMode {
				_ = os.Remove(rejectsPathOf(out))
			}
			stop()
			run(t, nil, exportArgs(in, out, fast.URL, "--restart")...).expectCode(job.ExitOK)
			var again map[int64]record
			if dirMode {
				again = readDir(t, out)
			} else {
				again = readSingle(t, out)
			}
			checkExactlyOnce(t, rows, again, expectation{cfg: cfg})
		})
	}
}

// readTree returns the contents of every file under dir, by path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		m[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// treeDiff names the files that differ between a and b.
func treeDiff(a, b map[string]string) string {
	var d []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			d = append(d, "removed "+k)
		} else if w != v {
			d = append(d, "changed "+k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, "added "+k)
		}
	}
	return strings.Join(d, ", ")
}

func equalTrees(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

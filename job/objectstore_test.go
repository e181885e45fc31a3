package job

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/writer"
	"github.com/profile-export/profile-export/writer/s3test"
)

// bucketObjects lists every object of the bucket "lake" below prefix.
func bucketObjects(t *testing.T, query, prefix string) (*writer.BlobStore, []string) {
	t.Helper()
	bs, err := writer.NewBlobStore(context.Background(), "s3://lake?"+query, prefix, writer.BlobOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bs.Close() })
	names, err := bs.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return bs, names
}

// linesOf reads JSON Lines objects and returns their "line" and "reason" fields,
// failing on a line seen twice across calls.
func linesOf(t *testing.T, r io.Reader, seen map[int64]string, what string) {
	t.Helper()
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v struct {
			Line   int64  `json:"line"`
			Reason string `json:"reason"`
		}
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		kind := "profile"
		if v.Reason != "" {
			kind = v.Reason
		}
		if prev, dup := seen[v.Line]; dup {
			t.Fatalf("line %d twice: %s and %s", v.Line, prev, kind)
		}
		seen[v.Line] = kind
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestObjectStorageTemplatedDirectoryInterruptedAndResumed exports to an S3 prefix
// named by a path template, stops the run half-way, resumes it with the same
// template, and checks the partition holds every row exactly once, with a manifest
// and _SUCCESS written last.
func TestObjectStorageTemplatedDirectoryInterruptedAndResumed(t *testing.T) {
	query := s3test.Start(t)
	srv := sandbox.StartTest(t, sandbox.Config{Faults: sandbox.Faults{Latency: 2 * time.Millisecond}})
	input := writeIDs(t, 1500)
	output := "s3://lake/target_profiles/dt={{.Date}}/run={{.RunID}}/?" + query
	cfg := Config{
		Input: input, Output: output, Format: writer.JSONL, Rate: -1, Concurrency: 4,
		RowsPerFile: 100, Grace: time.Second, Fetch: fetch.Config{BaseURL: srv.URL},
	}

	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(300*time.Millisecond, func() { cancel(errors.New("test stop")) })
	sum, err := Run(ctx, cfg)
	var stopped *StoppedError
	if !errors.As(err, &stopped) {
		t.Fatalf("interrupted run: err = %v, want a StoppedError", err)
	}
	if sum.Rows == 0 || sum.Rows >= 1500 {
		t.Fatalf("interrupted run committed %d rows; the test wants it stopped half-way", sum.Rows)
	}
	_, names := bucketObjects(t, query, "target_profiles/")
	var statePrefix string
	for _, n := range names {
		if path.Base(n) == "_state.json" {
			statePrefix = strings.TrimSuffix(n, "_state.json")
		}
		if path.Base(n) == "_SUCCESS" {
			t.Fatalf("an interrupted run wrote %s", n)
		}
	}
	if !strings.HasPrefix(statePrefix, "dt="+time.Now().UTC().Format("2006-01-02")+"/run=") {
		t.Fatalf("state not in the expanded partition: objects %q", names)
	}

	cfg.Resume = true
	sum, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("resumed run: %v", err)
	}
	if !sum.Resumed || sum.Skipped == 0 {
		t.Errorf("resumed run did not continue the first one: %+v", sum)
	}
	bs, names := bucketObjects(t, query, "target_profiles/")
	seen := map[int64]string{}
	var manifest Manifest
	for _, n := range names {
		if !strings.HasPrefix(n, statePrefix) {
			t.Fatalf("the resumed run wrote outside the first run's partition: %s (want %s…)", n, statePrefix)
		}
		rc, err := bs.Open(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		base := path.Base(n)
		switch {
		case strings.HasSuffix(base, ".jsonl"):
			linesOf(t, rc, seen, n)
		case base == "_manifest.json":
			if err := json.NewDecoder(rc).Decode(&manifest); err != nil {
				t.Fatal(err)
			}
		case base == "_SUCCESS":
		default:
			t.Errorf("unexpected object %s left in the partition", n)
		}
		rc.Close()
	}
	if len(seen) != 1500 {
		t.Fatalf("the partition accounts for %d lines, want 1500", len(seen))
	}
	if manifest.Counts.Rows != 1500 || len(manifest.Parts) == 0 {
		t.Fatalf("manifest counts %d rows in %d parts", manifest.Counts.Rows, len(manifest.Parts))
	}
	for _, p := range manifest.Parts {
		st, err := bs.Stat(context.Background(), statePrefix+p.Name)
		if err != nil || st.Size != p.Bytes {
			t.Errorf("manifest lists %s of %d bytes; the bucket has %+v, %v", p.Name, p.Bytes, st, err)
		}
	}
}

// TestObjectStorageSingleFile writes one gzip JSON Lines object and its rejects to
// S3: the parts are staged under a hidden prefix and assembled into the final
// objects, and the staging prefix is gone at the end.
func TestObjectStorageSingleFile(t *testing.T) {
	query := s3test.Start(t)
	srv := sandbox.StartTest(t, sandbox.Config{})
	input := writeIDs(t, 700)
	cfg := Config{
		Input: input, Output: "s3://lake/exports/profiles.jsonl.gz?" + query, Rate: -1, RowsPerFile: 100,
		Fetch: fetch.Config{BaseURL: srv.URL},
	}
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	bs, names := bucketObjects(t, query, "exports/")
	if strings.Join(names, ",") != "profiles.jsonl.gz,profiles.rejects.jsonl" {
		t.Fatalf("objects %q, want the profiles and the rejects only", names)
	}
	seen := map[int64]string{}
	rc, err := bs.Open(context.Background(), "profiles.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzipReader(rc)
	if err != nil {
		t.Fatal(err)
	}
	linesOf(t, zr, seen, "profiles")
	rc.Close()
	rc, err = bs.Open(context.Background(), "profiles.rejects.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	linesOf(t, rc, seen, "rejects")
	rc.Close()
	if len(seen) != 700 {
		t.Fatalf("outputs account for %d lines, want 700", len(seen))
	}
	// An existing object is not replaced without --overwrite.
	if _, err := Run(context.Background(), cfg); ExitCode(nil, err) != ExitUsage {
		t.Fatalf("second run without --overwrite: %v, want a usage error", err)
	}
}

func gzipReader(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }

// TestObjectStorageRejectsElsewhere exports a directory whose --rejects names
// another place, in object storage or not: the manifest gives each rejects part's
// URL (without the query, which configures the client) when either place is in
// object storage, the part is there with the bytes listed, none is left in the
// output's prefix, and the summary names both places.
func TestObjectStorageRejectsElsewhere(t *testing.T) {
	query := s3test.Start(t)
	srv := sandbox.StartTest(t, sandbox.Config{})
	input := writeIDs(t, 500)
	local := t.TempDir()
	for _, tc := range []struct {
		name, output, rejects string
		wantAt                string // the rejects parts' path in the manifest, before their name
		readManifest          func(t *testing.T) []byte
		rejectsStore          func(t *testing.T) writer.Store
	}{
		{name: "bucket to bucket",
			output: "s3://lake/exports/a/?" + query, rejects: "s3://lake/rejects/a?" + query,
			wantAt: "s3://lake/rejects/a/"},
		{name: "directory to bucket",
			output: local + "/b/", rejects: "s3://lake/rejects/b/?" + query,
			wantAt: "s3://lake/rejects/b/"},
		{name: "bucket to directory",
			output: "s3://lake/exports/c/?" + query, rejects: local + "/c-rejects/",
			wantAt: "file://" + filepath.ToSlash(local) + "/c-rejects/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{
				Input: input, Output: tc.output, Rejects: tc.rejects, Format: writer.JSONL, Rate: -1,
				RowsPerFile: 100, Fetch: fetch.Config{BaseURL: srv.URL},
			}
			sum, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			l, err := newLayout(&cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := l.open(ctx); err != nil {
				t.Fatal(err)
			}
			defer l.close()
			if want := []string{l.outDir.String(), l.rejectsDir.String()}; strings.Join(sum.Outputs, " ") != strings.Join(want, " ") ||
				strings.Contains(strings.Join(sum.Outputs, " "), "?") {
				t.Errorf("summary outputs %q, want %q", sum.Outputs, want)
			}
			rc, err := l.out.Open(ctx, "_manifest.json")
			if err != nil {
				t.Fatal(err)
			}
			var m Manifest
			err = json.NewDecoder(rc).Decode(&m)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Rejects) == 0 {
				t.Fatal("no rejects in the manifest; the test wants some")
			}
			for _, f := range m.Rejects {
				if f.Path != tc.wantAt+f.Name {
					t.Errorf("manifest gives %s at %q, want %q", f.Name, f.Path, tc.wantAt+f.Name)
				}
				st, err := l.rejects.Stat(ctx, f.Name)
				if err != nil || st.Size != f.Bytes {
					t.Errorf("manifest lists %s of %d bytes; the rejects place has %+v, %v", f.Name, f.Bytes, st, err)
				}
				if _, err := l.out.Stat(ctx, f.Name); err == nil {
					t.Errorf("%s is in the output's place too", f.Name)
				}
			}
			for _, f := range m.Parts {
				if f.Path != "" {
					t.Errorf("manifest gives the part %s a path %q", f.Name, f.Path)
				}
			}
		})
	}
}

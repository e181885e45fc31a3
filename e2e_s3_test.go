package main

import (
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
	"github.com/profile-export/profile-export/writer"
	"github.com/profile-export/profile-export/writer/s3test"
)

// download copies every object below prefix into a new local directory, so that
// the checks of local directory outputs apply to the bucket's content as it is.
func download(t *testing.T, query, prefix string) string {
	t.Helper()
	ctx := context.Background()
	bs, err := writer.NewBlobStore(ctx, "s3://lake?"+query, prefix, writer.BlobOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer bs.Close()
	names, err := bs.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, n := range names {
		if strings.Contains(n, "/") {
			t.Fatalf("object %s below a sub-prefix of %s", n, prefix)
		}
		rc, err := bs.Open(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A run writing Parquet parts to an S3 prefix, killed with SIGKILL at random
// moments and resumed each time, ends with exactly the objects of an undisturbed
// run: every part listed in the manifest with its true size and SHA-256, every row
// once, and nothing else left in the prefix (no state, no part of a dead run).
func TestE2EKillAndResumeToS3(t *testing.T) {
	query := s3test.Start(t)
	cfg := sandbox.Config{Seed: 31}
	rows := genRows(1200, 31)
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, rows)
	flags := []string{"-c", "4", "--rows-per-file", "150", "--checkpoint-interval", "100ms", "--resume"}

	fast := sandbox.StartTest(t, cfg)
	ref := "s3://lake/ref/?" + query
	run(t, nil, exportArgs(in, ref, fast.URL, flags...)...).expectCode(job.ExitOK)

	slowCfg := cfg
	slowCfg.Faults = sandbox.Faults{Latency: 5 * time.Millisecond, Jitter: 3 * time.Millisecond}
	slow := sandbox.StartTest(t, slowCfg)
	out := "s3://lake/out/?" + query
	args := exportArgs(in, out, slow.URL, flags...)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	kills := 0
	for kills < 4 {
		p := start(t, nil, args...)
		select {
		case <-p.done:
		case <-time.After(time.Duration(100+rng.IntN(400)) * time.Millisecond):
		}
		if p.exited() {
			p.expectCode(job.ExitOK)
			break
		}
		if err := p.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-p.done
		if !p.signaled {
			p.expectCode(job.ExitOK)
			break
		}
		kills++
	}
	// Finish (or find it finished: then --resume refuses to overwrite, exit 2).
	if p := run(t, nil, args...); p.code != job.ExitOK && p.code != job.ExitUsage {
		t.Fatalf("final resume exited %d:\n%s", p.code, p.stderr.String())
	}
	if kills < 2 {
		t.Errorf("only %d kills landed before the run finished: the run is too fast for this test", kills)
	}
	got, want := readDir(t, download(t, query, "out/")), readDir(t, download(t, query, "ref/"))
	checkExactlyOnce(t, rows, got, expectation{cfg: cfg})
	sameOutcomes(t, got, want)
}

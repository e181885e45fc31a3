package job_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/job"
)

// The producer reads a row ahead for every worker. A stop must not fetch those:
// they were never in flight. Here every worker's request is held by the server
// until the run is stopped; then only those requests may have reached the
// server, the run is resumable, and --resume does the rest exactly once.
func TestStopDoesNotFetchRowsReadAhead(t *testing.T) {
	t.Parallel()
	const (
		workers = 4
		n       = 200
	)
	var (
		requests atomic.Int64
		seen     sync.Map // path → times requested
		hold     = make(chan struct{})
		held     = make(chan struct{}, 2*n)
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		c, _ := seen.LoadOrStore(r.URL.Path, new(atomic.Int64))
		c.(*atomic.Int64).Add(1)
		held <- struct{}{}
		<-hold
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"visitorId":%q,"profileAttributes":{}}`, r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	// Released at the end in any case, so that srv.Close does not wait forever.
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(hold) }) }
	t.Cleanup(release)

	dir := t.TempDir()
	in := filepath.Join(dir, "ids.csv")
	var b strings.Builder
	b.WriteString("id,type\n")
	for i := range n {
		fmt.Fprintf(&b, "crm-%04d,thirdPartyId\n", i)
	}
	if err := os.WriteFile(in, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "profiles.jsonl")
	cfg := job.Config{
		Input: in, Output: out, Concurrency: workers, Rate: -1,
		Fetch: fetch.Config{BaseURL: srv.URL, Retries: -1},
	}

	ctx, stop := context.WithCancelCause(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := job.Run(ctx, cfg)
		done <- err
	}()
	for range workers {
		select {
		case <-held:
		case <-time.After(30 * time.Second):
			t.Fatal("the workers' requests never arrived")
		}
	}
	// Every worker is now waiting for an answer, and the producer has filled
	// the read-ahead; give it time to, so that a wrong implementation would
	// have rows to fetch after the stop.
	time.Sleep(100 * time.Millisecond)
	stop(errors.New("stopped by the test"))
	time.Sleep(100 * time.Millisecond) // the stop reaches the workers before their answers
	release()
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the stopped run did not end")
	}
	var stopped *job.StoppedError
	if !errors.As(err, &stopped) {
		t.Fatalf("stopped run: %v, want a StoppedError", err)
	}
	if got := requests.Load(); got != workers {
		t.Fatalf("%d requests reached the server; only the %d in flight when the run stopped may", got, workers)
	}

	cfg.Resume = true
	sum, err := job.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if sum.Profiles != n {
		t.Fatalf("resumed run: %d profiles of %d rows", sum.Profiles, n)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := 0
	ids := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines++
		var id string
		if _, err := fmt.Sscanf(sc.Text()[strings.Index(sc.Text(), `"id":`):], `"id":%q`, &id); err != nil {
			t.Fatalf("line %d: %v: %s", lines, err, sc.Text())
		}
		if ids[id] {
			t.Fatalf("%s written twice", id)
		}
		ids[id] = true
	}
	if lines != n {
		t.Fatalf("%d profiles in the output, want %d", lines, n)
	}
	// A row is requested twice only if the stopped run had it in flight.
	twice := 0
	seen.Range(func(_, v any) bool {
		if v.(*atomic.Int64).Load() > 1 {
			twice++
		}
		return true
	})
	if twice > workers {
		t.Fatalf("%d IDs were requested twice; at most the %d in flight at the stop may be", twice, workers)
	}
}

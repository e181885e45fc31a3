package job_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
	"github.com/profile-export/profile-export/row"
)

// faultsRow is one input row of TestFaultsEveryRowExactlyOnce.
type faultsRow struct {
	typ row.Type
	id  string
}

// Under 30% of injected faults of every kind (429, 500, 502, 503, resets, hangs past
// the timeout, truncated and HTML answers), with enough retries, every row ends
// exactly once in the outputs with the server's exact answer; the summary counts
// what the files hold; and a row is failed only when its retries truly ran out.
func TestFaultsEveryRowExactlyOnce(t *testing.T) {
	t.Parallel()
	const n = 20_000
	cfg := sandbox.Config{Seed: 91, Faults: sandbox.Faults{
		Rate429: 0.05, RetryAfter: time.Second,
		Rate500: 0.04, Rate502: 0.04, Rate503: 0.04,
		RateReset: 0.04, RateHang: 0.01, RateTruncated: 0.04, RateHTML: 0.04,
	}}
	sb := sandbox.StartTest(t, cfg)

	rows := make(map[int64]faultsRow, n)
	var b strings.Builder
	b.WriteString("id,type\n")
	for i := range n {
		r := faultsRow{}
		switch i % 3 {
		case 0:
			r = faultsRow{row.TntID, fmt.Sprintf("%015d-%06d", 220000000000000+i*7919, i)}
		case 1:
			r = faultsRow{row.ECID, fmt.Sprintf("%038d", 9_000_000_000+i*104729)}
		default:
			r = faultsRow{row.ThirdPartyID, fmt.Sprintf("crm/%d ?#é", i)}
		}
		rows[int64(i+2)] = r
		fmt.Fprintf(&b, "%q,%s\n", r.id, r.typ)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "ids.csv")
	if err := os.WriteFile(in, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "profiles.jsonl")

	const retries = 8
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sum, err := job.Run(ctx, job.Config{
		Input:       in,
		Output:      out,
		Concurrency: 32,
		Rate:        -1,
		RowsPerFile: 2000,
		Fetch: fetch.Config{
			BaseURL: sb.URL,
			Retries: retries,
			Timeout: 300 * time.Millisecond, // ends the hangs
			// Short waits keep the test fast; the sandbox's Retry-After of 1 s is
			// honoured up to this cap.
			BackoffBase:   time.Millisecond,
			BackoffMax:    20 * time.Millisecond,
			MaxRetryAfter: 20 * time.Millisecond,
		},
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if code := job.ExitCode(sum, err); code != job.ExitOK && code != job.ExitFailed {
		t.Errorf("exit code %d", code)
	}

	// Every kind of fault was served.
	st := sb.Stats()
	for _, k := range []sandbox.FaultKind{sandbox.Fault429, sandbox.Fault500, sandbox.Fault502, sandbox.Fault503,
		sandbox.FaultReset, sandbox.FaultHang, sandbox.FaultTruncated, sandbox.FaultHTML} {
		if st.ByFault[k] == 0 {
			t.Errorf("no %s fault was served: %v", k, st.ByFault)
		}
	}
	t.Logf("%d requests, faults %v; summary: %s", st.Requests, st.ByFault, sum.Line())

	got := map[int64]string{} // line → "profile" or the reason
	kinds := map[string]int64{}
	check := func(line int64, kind, id, typ string) (faultsRow, bool) {
		want, ok := rows[line]
		switch {
		case !ok:
			t.Errorf("line %d is not in the input", line)
		case got[line] != "":
			t.Errorf("line %d is in the outputs twice: %s and %s", line, got[line], kind)
			ok = false
		case id != want.id || typ != string(want.typ):
			t.Errorf("line %d: %s %q, want %s %q", line, typ, id, want.typ, want.id)
		}
		got[line] = kind
		kinds[kind]++
		return want, ok
	}
	faultsEachLine(t, out, func(line []byte) {
		var p struct {
			Line    int64           `json:"line"`
			ID      string          `json:"id"`
			Type    string          `json:"type"`
			Profile json.RawMessage `json:"profile"`
		}
		if err := json.Unmarshal(line, &p); err != nil {
			t.Fatalf("profiles: %v: %s", err, line)
		}
		if want, ok := check(p.Line, "profile", p.ID, p.Type); ok {
			body, found := cfg.Profile(want.typ, want.id)
			if !found || string(p.Profile) != string(body) {
				t.Errorf("line %d: profile differs from the server's answer (exists: %v)", p.Line, found)
			}
		}
	})
	faultsEachLine(t, filepath.Join(dir, "profiles.rejects.jsonl"), func(line []byte) {
		var r row.Reject
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("rejects: %v: %s", err, line)
		}
		want, ok := check(r.Line, string(r.Reason), r.ID, r.Type)
		if !ok {
			return
		}
		switch r.Reason {
		case row.NotFound:
			if _, found := cfg.Profile(want.typ, want.id); found || r.Status != 404 {
				t.Errorf("line %d: not_found (status %d) but the profile exists: %v", r.Line, r.Status, found)
			}
		case row.Failed:
			if r.Attempts != retries+1 {
				t.Errorf("line %d failed after %d attempts, not %d: %s", r.Line, r.Attempts, retries+1, r.Message)
			}
		default:
			t.Errorf("line %d rejected as %s: %s", r.Line, r.Reason, r.Message)
		}
	})
	if len(got) != n {
		t.Errorf("%d of the %d rows are in the outputs", len(got), n)
	}
	if sum.Rows != n || sum.Profiles != kinds["profile"] {
		t.Errorf("summary counts rows=%d profiles=%d; the files hold %d rows, %d profiles", sum.Rows, sum.Profiles, len(got), kinds["profile"])
	}
	for reason, c := range sum.Rejects {
		if kinds[string(reason)] != c {
			t.Errorf("summary counts %d %s; the files hold %d", c, reason, kinds[string(reason)])
		}
	}
	if kinds[string(row.NotFound)] != sum.Rejects[row.NotFound] || kinds[string(row.Failed)] != sum.Rejects[row.Failed] {
		t.Errorf("summary rejects %v; the files hold %v", sum.Rejects, kinds)
	}
	if sum.Retries == 0 || sum.Requests <= n {
		t.Errorf("summary: %d requests, %d retries under 30%% faults", sum.Requests, sum.Retries)
	}
}

// faultsEachLine calls fn for each line of the file at path.
func faultsEachLine(t *testing.T, path string, fn func([]byte)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fn(sc.Bytes())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

package job_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/job"
	"github.com/profile-export/profile-export/row"
)

// A row whose answers are all cut mid-body (status 200 sent, then the connection
// reset) is retried, then rejected as failed with no status — as rows that got no
// answer are — and a message saying the answer was cut. The summary counts those
// requests under "none", the metrics' word, not under "200" or "0".
func TestCutAnswersRejectedWithoutStatus(t *testing.T) {
	t.Parallel()
	const body = `{"client":"acme","visitorId":"v","profileAttributes":{}}`
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if !strings.HasSuffix(r.URL.Path, "/cut") {
			fmt.Fprint(w, body)
			return
		}
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:10])
		buf.Flush()
		conn.(*net.TCPConn).SetLinger(0) // close sends RST
		conn.Close()
	}))
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	in := filepath.Join(dir, "ids.csv")
	if err := os.WriteFile(in, []byte("id,type\nok,thirdPartyId\ncut,thirdPartyId\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const retries = 2
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sum, err := job.Run(ctx, job.Config{
		Input: in, Output: filepath.Join(dir, "p.jsonl"), Rate: -1,
		Fetch: fetch.Config{BaseURL: srv.URL, Retries: retries, BackoffBase: time.Millisecond, BackoffMax: 2 * time.Millisecond},
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if code := job.ExitCode(sum, err); code != job.ExitFailed {
		t.Errorf("exit code %d, want %d", code, job.ExitFailed)
	}

	f, err := os.Open(filepath.Join(dir, "p.rejects.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []map[string]any
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%v: %s", err, sc.Bytes())
		}
		lines = append(lines, m)
	}
	if len(lines) != 1 {
		t.Fatalf("%d rejects, want the cut row only: %v", len(lines), lines)
	}
	rej := lines[0]
	if rej["line"] != 3.0 || rej["reason"] != string(row.Failed) || rej["attempts"] != float64(retries+1) {
		t.Errorf("reject %v: want line 3 failed after %d attempts", rej, retries+1)
	}
	if st, ok := rej["status"]; ok {
		t.Errorf("reject has status %v; an answer cut off is no answer", st)
	}
	if msg, _ := rej["message"].(string); !strings.Contains(msg, "cut off mid-body") {
		t.Errorf("message %q does not say the answer was cut", msg)
	}

	b, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	var js struct {
		Statuses map[string]int64 `json:"statuses"`
	}
	if err := json.Unmarshal(b, &js); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"200": 1, job.NoStatus: retries + 1}
	if fmt.Sprint(js.Statuses) != fmt.Sprint(want) || requests.Load() != retries+2 {
		t.Errorf("summary statuses %v after %d requests, want %v", js.Statuses, requests.Load(), want)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// slowSandbox answers in a few milliseconds, so that a run of a few dozen rows
// lasts long enough for several progress updates.
func slowSandbox(t *testing.T) *sandbox.Server {
	return sandbox.StartTest(t, sandbox.Config{Faults: sandbox.Faults{Latency: 5 * time.Millisecond}})
}

// Not on a terminal, progress is a log line every --progress-interval, in the
// log format asked, before the summary line.
func TestProgressLogLines(t *testing.T) {
	t.Parallel()
	sb := slowSandbox(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "ids.csv")
	writeCSV(t, in, genRows(120, 7))
	p := run(t, nil, exportArgs(in, filepath.Join(dir, "p.jsonl"), sb.URL,
		"--concurrency", "2", "--progress-interval", "50ms", "--log-format", "json")...)
	p.expectCode(job.ExitOK)

	stderr := p.stderr.String()
	summaryAt := strings.Index(stderr, `"msg":"summary"`) // a JSON record too
	if summaryAt < 0 {
		t.Fatalf("no summary line:\n%s", stderr)
	}
	summaryAt = strings.LastIndex(stderr[:summaryAt], "\n") + 1
	var lines []map[string]any
	for _, l := range strings.Split(stderr[:summaryAt], "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(l), &rec) == nil && rec["msg"] == "progress" {
			lines = append(lines, rec)
		}
	}
	if len(lines) < 2 {
		t.Fatalf("%d progress lines, want several:\n%s", len(lines), stderr)
	}
	last := lines[len(lines)-1]
	for _, k := range []string{"rows", "rows_per_s", "profiles", "rejects", "failed", "in_flight", "requests", "retries", "elapsed", "percent"} {
		if _, ok := last[k]; !ok {
			t.Errorf("progress line lacks %s: %v", k, last)
		}
	}
	if last["rows"] != 120.0 || last["profiles"].(float64)+last["rejects"].(float64) != 120 {
		t.Errorf("the last progress line is not the final count: %v", last)
	}
	if strings.Contains(stderr[summaryAt:], `"msg":"progress"`) {
		t.Error("a progress line after the summary line")
	}

	// --progress none: no line at all.
	p = run(t, nil, exportArgs(in, filepath.Join(dir, "q.jsonl"), sb.URL, "--progress", "none", "--progress-interval", "20ms")...)
	p.expectCode(job.ExitOK)
	if strings.Contains(p.stderr.String(), "progress") {
		t.Errorf("--progress none printed progress:\n%s", p.stderr.String())
	}
}

// The bar (forced here, stderr being a pipe) is drawn in place and cleared before
// the summary line, which starts at the beginning of a clean line.
func TestProgressBarClearedBeforeSummary(t *testing.T) {
	t.Parallel()
	sb := slowSandbox(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "ids.csv")
	writeCSV(t, in, genRows(120, 8))
	p := run(t, nil, exportArgs(in, filepath.Join(dir, "p.jsonl"), sb.URL, "--concurrency", "2", "--progress", "bar")...)
	p.expectCode(job.ExitOK)
	stderr := p.stderr.String()
	summaryAt := strings.Index(stderr, "profile-export: rows=")
	if summaryAt < 0 {
		t.Fatalf("no summary line:\n%q", stderr)
	}
	before := stderr[:summaryAt]
	if !strings.Contains(before, "%") || !strings.Contains(before, "profiles ") || !strings.Contains(before, "rejects ") {
		t.Errorf("no bar drawn:\n%q", before)
	}
	// Cleared: the bar's last line is overwritten with spaces and the cursor sent
	// back to its start.
	if lastCR := strings.LastIndex(before, "\r"); lastCR != len(before)-1 || strings.TrimSpace(before[strings.LastIndex(before[:lastCR], "\r")+1:lastCR]) != "" {
		t.Errorf("the bar is not cleared before the summary; stderr ends %q", before[max(0, len(before)-200):])
	}
}

// pushed is one push the fake Pushgateway got.
type pushed struct {
	method, path string
	families     map[string]*dto.MetricFamily
}

// fakeGateway is a loopback Pushgateway recording what it is sent.
func fakeGateway(t *testing.T) (*httptest.Server, func() []pushed) {
	var mu sync.Mutex
	var got []pushed
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		parser := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
		if err != nil {
			t.Errorf("not the text format: %v\n%s", err, body)
		}
		if u, pw, ok := r.BasicAuth(); !ok || u != "ops" || pw != "pw-123" {
			t.Errorf("basic auth %q %q %v", u, pw, ok)
		}
		mu.Lock()
		got = append(got, pushed{r.Method, r.URL.Path, fams})
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv, func() []pushed {
		mu.Lock()
		defer mu.Unlock()
		return append([]pushed(nil), got...)
	}
}

func gauge(p pushed, name, label, value string) (float64, bool) {
	for _, m := range p.families[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if label == "" || (l.GetName() == label && l.GetValue() == value) {
				if m.Gauge != nil {
					return m.GetGauge().GetValue(), true
				}
				return m.GetCounter().GetValue(), true
			}
		}
		if label == "" && len(m.GetLabel()) == 0 {
			if m.Gauge != nil {
				return m.GetGauge().GetValue(), true
			}
			return m.GetCounter().GetValue(), true
		}
	}
	return 0, false
}

// --pushgateway pushes the run's metrics while it goes on and at the end, grouped
// by job and shard, the final counts equal to the summary's; the gateway's
// password is written nowhere.
func TestPushgateway(t *testing.T) {
	t.Parallel()
	sb := slowSandbox(t)
	gw, pushes := fakeGateway(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "ids.csv")
	writeCSV(t, in, genRows(200, 9))
	out := filepath.Join(dir, "out") + "/"
	gwURL := strings.Replace(gw.URL, "http://", "http://ops:pw-123@", 1)
	p := run(t, nil, exportArgs(in, out, sb.URL, "--concurrency", "2", "--shard", "1/2", "--progress", "none",
		"--progress-interval", "30ms", "--pushgateway", gwURL, "--pushgateway-job", "nightly",
		"--pushgateway-label", "env=test", "--summary", filepath.Join(dir, "sum.json"))...)
	p.expectCode(job.ExitOK)

	all := pushes()
	if len(all) < 2 {
		t.Fatalf("%d pushes, want periodic ones and a final one", len(all))
	}
	for _, ps := range all {
		// /metrics/job/nightly, then the other labels in any order.
		rest, ok := strings.CutPrefix(ps.path, "/metrics/job/nightly/")
		labels := strings.Split(rest, "/")
		slices.Sort(labels)
		if ps.method != http.MethodPost || !ok || strings.Join(labels, " ") != "1 env shard test" ||
			!(strings.Contains(rest, "env/test") && strings.Contains(rest, "shard/1")) {
			t.Errorf("push %s %s, want POST /metrics/job/nightly with env=test and shard=1", ps.method, ps.path)
		}
	}
	final := all[len(all)-1]
	var sum struct {
		Profiles int64            `json:"profiles"`
		Rejects  map[string]int64 `json:"rejects"`
		Requests int64            `json:"requests"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "sum.json"))
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if v, _ := gauge(final, "profile_export_rows", "outcome", "profile"); v != float64(sum.Profiles) || sum.Profiles == 0 {
		t.Errorf("pushed profiles %v, summary %d", v, sum.Profiles)
	}
	for _, reason := range []string{"not_found", "invalid_row"} {
		if v, _ := gauge(final, "profile_export_rows", "outcome", reason); v != float64(sum.Rejects[reason]) {
			t.Errorf("pushed %s %v, summary %d", reason, v, sum.Rejects[reason])
		}
	}
	if v, _ := gauge(final, "profile_export_requests_total", "status", "200"); v != float64(sum.Profiles) {
		t.Errorf("pushed 200s %v, want %d", v, sum.Profiles)
	}
	if v, ok := gauge(final, "profile_export_exit_code", "", ""); !ok || v != 0 {
		t.Errorf("exit code %v %v", v, ok)
	}
	if _, ok := gauge(final, "profile_export_last_success_timestamp_seconds", "", ""); !ok {
		t.Error("a completed run pushed no last success time")
	}
	if _, ok := gauge(all[0], "profile_export_last_success_timestamp_seconds", "", ""); ok {
		t.Error("a last success time pushed before the run ended")
	}

	// The password is in no file and no message.
	if strings.Contains(p.stderr.String(), "pw-123") {
		t.Error("the gateway's password is in the messages")
	}
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && bytes.Contains(b, []byte("pw-123")) {
			t.Errorf("%s holds the gateway's password", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A gateway that is down costs no data: the export completes, with a warning.
func TestPushgatewayDown(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	down := httptest.NewServer(http.NotFoundHandler())
	url := down.URL
	down.Close()
	dir := t.TempDir()
	in := filepath.Join(dir, "ids.csv")
	writeCSV(t, in, genRows(20, 10))
	p := run(t, nil, exportArgs(in, filepath.Join(dir, "p.jsonl"), sb.URL, "--pushgateway", url)...)
	p.expectCode(job.ExitOK)
	if !strings.Contains(p.stderr.String(), "push of metrics failed") {
		t.Errorf("no warning about the failed push:\n%s", p.stderr.String())
	}
}

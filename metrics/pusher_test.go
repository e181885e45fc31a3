package metrics

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/job"
	"github.com/profile-export/profile-export/row"
)

// received is one request the fake Pushgateway received.
type received struct {
	method, path, contentType string
	user, pass                string
	families                  map[string]*dto.MetricFamily
}

// gateway is a loopback Pushgateway that parses what it is sent.
type gateway struct {
	t      *testing.T
	srv    *httptest.Server
	status int
	mu     sync.Mutex
	pushes []received
	got    chan struct{}
}

func newGateway(t *testing.T) *gateway {
	g := &gateway{t: t, status: http.StatusOK, got: make(chan struct{}, 100)}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p := received{method: r.Method, path: r.URL.EscapedPath(), contentType: r.Header.Get("Content-Type")}
		p.user, p.pass, _ = r.BasicAuth()
		parser := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
		if err != nil {
			t.Errorf("pushed body is not the Prometheus text format: %v\n%s", err, body)
		}
		p.families = fams
		g.mu.Lock()
		g.pushes = append(g.pushes, p)
		status := g.status
		g.mu.Unlock()
		if status != http.StatusOK {
			http.Error(w, strings.Repeat("x", 100_000), status)
		}
		select {
		case g.got <- struct{}{}:
		default:
		}
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gateway) last() received {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.pushes) == 0 {
		g.t.Fatal("nothing was pushed")
	}
	return g.pushes[len(g.pushes)-1]
}

// value returns the value of the metric name with the given label pair (or the
// only metric of name), and whether it was pushed.
func value(p received, name string, label ...string) (float64, bool) {
	fam, ok := p.families[name]
	if !ok {
		return 0, false
	}
	for _, m := range fam.GetMetric() {
		match := len(label) == 0
		for _, l := range m.GetLabel() {
			if len(label) == 2 && l.GetName() == label[0] && l.GetValue() == label[1] {
				match = true
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		}
	}
	return 0, false
}

func TestPeriodicAndFinalPushes(t *testing.T) {
	g := newGateway(t)
	p, err := New(Config{URL: g.srv.URL, Grouping: map[string]string{"shard": "2"}, Interval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	p.ObserveAttempt(fetch.Attempt{Status: 200})
	p.ObserveAttempt(fetch.Attempt{Status: 503, Retry: true})
	p.ObserveAttempt(fetch.Attempt{Status: 0, Retry: true})
	p.Observe(job.Snapshot{Done: 7, Profiles: 5, Rejects: 2, Failed: 1, InFlight: 4, Retries: 2,
		InputRead: 250, InputSize: 1000, Elapsed: 3 * time.Second})
	p.Start(context.Background())
	select {
	case <-g.got:
	case <-time.After(10 * time.Second):
		t.Fatal("no periodic push")
	}

	live := g.last()
	if live.method != http.MethodPost {
		t.Errorf("method = %s, want POST (so that the last success of an earlier run survives)", live.method)
	}
	if live.path != "/metrics/job/profile-export/shard/2" {
		t.Errorf("path = %s", live.path)
	}
	if !strings.HasPrefix(live.contentType, "text/plain") {
		t.Errorf("content type = %s, want the text format", live.contentType)
	}
	for _, c := range []struct {
		name  string
		label []string
		want  float64
	}{
		{"profile_export_rows", []string{"outcome", "profile"}, 5},
		{"profile_export_rows", []string{"outcome", "failed"}, 1},
		{"profile_export_requests_total", []string{"status", "200"}, 1},
		{"profile_export_requests_total", []string{"status", "503"}, 1},
		{"profile_export_requests_total", []string{"status", "none"}, 1},
		{"profile_export_retries_total", nil, 2},
		{"profile_export_in_flight_requests", nil, 4},
		{"profile_export_duration_seconds", nil, 3},
		{"profile_export_input_read_ratio", nil, 0.25},
	} {
		if got, ok := value(live, c.name, c.label...); !ok || got != c.want {
			t.Errorf("live %s%v = %v (pushed %v), want %v", c.name, c.label, got, ok, c.want)
		}
	}
	for _, name := range []string{"profile_export_last_success_timestamp_seconds", "profile_export_exit_code"} {
		if _, ok := live.families[name]; ok {
			t.Errorf("%s pushed while the run goes on", name)
		}
	}

	sum := &job.Summary{
		Counts: job.Counts{Rows: 20, Profiles: 12, Rejects: map[row.Reason]int64{
			row.NotFound: 4, row.InvalidRow: 2, row.Failed: 1, row.Duplicate: 1}},
		Requests: 22, Retries: 3, Statuses: map[int]int64{200: 12, 404: 4, 503: 5, 0: 1},
		Elapsed: 90 * time.Second, Completed: true,
	}
	before := time.Now()
	if err := p.Finish(context.Background(), sum, job.ExitFailed); err != nil {
		t.Fatal(err)
	}
	final := g.last()
	for _, c := range []struct {
		name  string
		label []string
		want  float64
	}{
		{"profile_export_rows", []string{"outcome", "profile"}, 12},
		{"profile_export_rows", []string{"outcome", "not_found"}, 4},
		{"profile_export_rows", []string{"outcome", "invalid_row"}, 2},
		{"profile_export_rows", []string{"outcome", "failed"}, 1},
		{"profile_export_rows", []string{"outcome", "duplicate"}, 1},
		{"profile_export_requests_total", []string{"status", "200"}, 12},
		{"profile_export_requests_total", []string{"status", "404"}, 4},
		{"profile_export_requests_total", []string{"status", "503"}, 5},
		{"profile_export_requests_total", []string{"status", "none"}, 1},
		{"profile_export_retries_total", nil, 3},
		{"profile_export_in_flight_requests", nil, 0},
		{"profile_export_duration_seconds", nil, 90},
		{"profile_export_exit_code", nil, 3},
		{"profile_export_input_read_ratio", nil, 1},
	} {
		if got, ok := value(final, c.name, c.label...); !ok || got != c.want {
			t.Errorf("final %s%v = %v (pushed %v), want %v", c.name, c.label, got, ok, c.want)
		}
	}
	ts, ok := value(final, "profile_export_last_success_timestamp_seconds")
	if !ok || ts < float64(before.Unix()) || ts > float64(time.Now().Unix()+1) {
		t.Errorf("last success = %v (pushed %v), want the time of the final push", ts, ok)
	}

	// No periodic push comes after the final one.
	g.mu.Lock()
	n := len(g.pushes)
	g.mu.Unlock()
	time.Sleep(50 * time.Millisecond)
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.pushes) != n {
		t.Errorf("%d pushes after Finish", len(g.pushes)-n)
	}
}

func TestStoppedRunPushesNoSuccess(t *testing.T) {
	g := newGateway(t)
	p, err := New(Config{URL: g.srv.URL, Job: "nightly export"})
	if err != nil {
		t.Fatal(err)
	}
	sum := &job.Summary{Counts: job.Counts{Rows: 3, Profiles: 3}, Completed: false}
	if err := p.Finish(context.Background(), sum, job.ExitStopped); err != nil {
		t.Fatal(err)
	}
	last := g.last()
	if _, ok := last.families["profile_export_last_success_timestamp_seconds"]; ok {
		t.Error("a run that stopped early pushed a last success time")
	}
	if got, _ := value(last, "profile_export_exit_code"); got != job.ExitStopped {
		t.Errorf("exit code = %v, want %d", got, job.ExitStopped)
	}
	if got, ok := value(last, "profile_export_rows", "outcome", "not_found"); !ok || got != 0 {
		t.Errorf("every outcome is pushed at the end, zeros included: not_found = %v, %v", got, ok)
	}
	if !strings.HasPrefix(last.path, "/metrics/job") || !strings.Contains(last.path, "nightly") {
		t.Errorf("job name not in the path: %s", last.path)
	}

	// A run that failed before it started still pushes its exit code.
	if err := p.Finish(context.Background(), nil, job.ExitUsage); err != nil {
		t.Fatal(err)
	}
	if got, _ := value(g.last(), "profile_export_exit_code"); got != job.ExitUsage {
		t.Errorf("exit code = %v, want %d", got, job.ExitUsage)
	}
}

func TestCredentialsAreSentNotShown(t *testing.T) {
	g := newGateway(t)
	u := strings.Replace(g.srv.URL, "http://", "http://ops:s3cret-pw@", 1)
	logs := &syncBuffer{}
	p, err := New(Config{URL: u, Interval: 5 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(p.URL(), "s3cret") {
		t.Errorf("URL() shows the password: %s", p.URL())
	}
	if err := p.Push(context.Background()); err != nil {
		t.Fatal(err)
	}
	if last := g.last(); last.user != "ops" || last.pass != "s3cret-pw" {
		t.Errorf("basic auth = %q %q, want the URL's user and password", last.user, last.pass)
	}

	// A gateway that refuses: the error and the logged warning name the gateway
	// but neither the password nor the whole of a huge answer.
	g.mu.Lock()
	g.status = http.StatusInternalServerError
	g.mu.Unlock()
	err = p.Push(context.Background())
	if err == nil {
		t.Fatal("a 500 answer was not reported")
	}
	if strings.Contains(err.Error(), "s3cret") || len(err.Error()) > maxErrorBody+500 {
		t.Errorf("error shows the password or the whole answer (%d bytes)", len(err.Error()))
	}
	p.Start(context.Background())
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), "pushing metrics failed") && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	_ = p.Finish(context.Background(), nil, 1)
	if !strings.Contains(logs.String(), "pushing metrics failed") || strings.Contains(logs.String(), "s3cret") {
		t.Errorf("periodic failure not logged as a warning, or logged with the password:\n%.300s", logs.String())
	}

	if _, err := New(Config{URL: "ftp://ops:s3cret-pw@host"}); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("bad URL: err = %v", err)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestPushHonoursContext(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	p, err := New(Config{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := p.Push(ctx); err == nil {
		t.Fatal("a push to a gateway that never answers returned no error")
	}
	if ctx.Err() == nil {
		t.Error("Push returned before its context ended, without an answer")
	}
}

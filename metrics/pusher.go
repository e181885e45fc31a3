// Package metrics pushes an export's metrics to a Prometheus Pushgateway, the
// convention for batch jobs that do not live long enough to be scraped: every
// Interval while the run goes on, and once at the end.
//
// Pushes use POST, which replaces only the metric families pushed, so that
// profile_export_last_success_timestamp_seconds, pushed only by a run that
// completed the export, survives later runs that fail or stop early: an alert on
// "no success for 26 hours" keeps working.
//
// Metrics (grouped under job=Config.Job plus Config.Grouping):
//
//	profile_export_rows{outcome}                     gauge: profile, not_found, invalid_row, failed, duplicate
//	profile_export_requests_total{status}            counter: HTTP status, or none (no answer)
//	profile_export_retries_total                     counter
//	profile_export_in_flight_requests                gauge
//	profile_export_duration_seconds                  gauge: time this process ran
//	profile_export_input_read_ratio                  gauge: 0 to 1, when the input size is known
//	profile_export_exit_code                         gauge: of the last run that ended
//	profile_export_last_success_timestamp_seconds    gauge: only pushed by a completed run
//
// While running, rows carry this process's profile and failed counts (the
// snapshots the job gives know no other reasons); the final push replaces them
// with the whole export's counts by outcome, as in --summary.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"
	"github.com/prometheus/common/expfmt"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/job"
)

// Defaults for Config fields left at their zero value.
const (
	DefaultJob      = "profile-export"
	DefaultInterval = 30 * time.Second
	DefaultTimeout  = 10 * time.Second
)

// maxErrorBody bounds what is read of a Pushgateway's error answer.
const maxErrorBody = 4 << 10

// Config describes where and how often to push.
type Config struct {
	// URL is the Pushgateway's base URL, e.g. http://pushgateway:9091. A user and
	// password in it (https://user:pass@host) are sent as basic authentication and
	// never logged.
	URL string
	// Job is the job grouping label (DefaultJob).
	Job string
	// Grouping are more grouping labels, e.g. {"shard": "3"}, so that the shards of
	// one export, or several exports, do not overwrite each other's metrics.
	Grouping map[string]string
	// Interval is the time between pushes while the run goes on (DefaultInterval).
	Interval time.Duration
	// Timeout bounds one push (DefaultTimeout).
	Timeout time.Duration
	// Client makes the requests; nil means a client with Timeout.
	Client *http.Client
	// Logger receives failed pushes as warnings; nil discards them.
	Logger *slog.Logger
}

// Pusher collects a run's metrics and pushes them. Its methods are safe for
// concurrent use; Observe and ObserveAttempt are cheap enough for the hot path.
type Pusher struct {
	cfg     Config
	display string // the URL without credentials, for messages
	col     *collector
	pusher  *push.Pusher

	mu   sync.Mutex
	stop context.CancelFunc
	done chan struct{}
}

// New checks cfg and returns a Pusher; nothing is sent before Start or Finish.
func New(cfg Config) (*Pusher, error) {
	if cfg.Job == "" {
		cfg.Job = DefaultJob
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("pushgateway URL %q: want http(s)://host:port", redact(cfg.URL))
	}
	user := u.User
	u.User = nil
	p := &Pusher{cfg: cfg, display: u.String(), col: newCollector()}

	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: cfg.Timeout}
	}
	reg := prometheus.NewRegistry()
	if err := reg.Register(p.col); err != nil {
		return nil, err
	}
	p.pusher = push.New(u.String(), cfg.Job).
		Gatherer(reg).
		Client(limitedDoer{client}).
		Format(expfmt.NewFormat(expfmt.TypeTextPlain))
	if user != nil {
		pass, _ := user.Password()
		p.pusher = p.pusher.BasicAuth(user.Username(), pass)
	}
	// The labels' order in the URL path varies; the Pushgateway's group does not.
	for k, v := range cfg.Grouping {
		p.pusher = p.pusher.Grouping(k, v)
	}
	if err := p.pusher.Error(); err != nil {
		return nil, fmt.Errorf("pushgateway: %w", err)
	}
	return p, nil
}

// redact hides the password of a URL that may not even parse.
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "(unparsable URL)"
}

// URL is the Pushgateway's URL without credentials.
func (p *Pusher) URL() string { return p.display }

// Observe records a progress snapshot (job.Config.OnProgress).
func (p *Pusher) Observe(s job.Snapshot) { p.col.snapshot(s) }

// ObserveAttempt records one HTTP attempt (fetch.Config.OnAttempt), for the
// requests by status while the run goes on.
func (p *Pusher) ObserveAttempt(a fetch.Attempt) { p.col.attempt(a) }

// Start pushes every Interval until Finish or until ctx ends. A failed push is
// logged and does not stop the export: metrics must never cost the data.
func (p *Pusher) Start(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop != nil {
		return
	}
	ctx, p.stop = context.WithCancel(ctx)
	p.done = make(chan struct{})
	go func() {
		defer close(p.done)
		t := time.NewTicker(p.cfg.Interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := p.Push(ctx); err != nil && ctx.Err() == nil {
					p.cfg.Logger.Warn("pushing metrics failed; the export goes on", "pushgateway", p.display, "err", err)
				}
			}
		}
	}()
}

// Push sends the current metrics now.
func (p *Pusher) Push(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	if err := p.pusher.AddContext(ctx); err != nil {
		return fmt.Errorf("pushing metrics to %s: %w", p.display, err)
	}
	return nil
}

// Finish stops the periodic pushes and pushes the run's final metrics: the
// summary's counts, the exit code and, when the export completed, the time of this
// success. sum may be nil (the run failed before starting). Pass a context that a
// stopped run has not canceled (context.WithoutCancel): a stop is exactly when
// the final push matters.
func (p *Pusher) Finish(ctx context.Context, sum *job.Summary, exitCode int) error {
	p.mu.Lock()
	if p.stop != nil {
		p.stop()
		<-p.done // no periodic push overtakes the final one
	}
	p.mu.Unlock()
	p.col.finish(sum, exitCode, time.Now())
	return p.Push(ctx)
}

// limitedDoer bounds the answer the push package reads whole into an error message.
type limitedDoer struct{ c *http.Client }

func (d limitedDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.c.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			return nil, uerr.Err // the push package names the URL already
		}
		return nil, err
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.LimitReader(resp.Body, maxErrorBody), resp.Body}
	return resp, nil
}

package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/job"
	"github.com/profile-export/profile-export/row"
)

// Metric names, all prefixed profile_export_.
const (
	namespace = "profile_export"

	// OutcomeProfile is the outcome label of rows that yielded a profile; the other
	// outcomes are the reject reasons (row.NotFound, row.InvalidRow, …).
	OutcomeProfile = "profile"
	// StatusNone is the status label of requests that got no (complete) HTTP
	// answer (timeouts, connection errors, answers cut off): the summary's word.
	StatusNone = job.NoStatus
)

// outcomes are the rows' outcomes, all pushed at the end, zeros included, so that
// a dashboard sees every series of every run.
var outcomes = []string{OutcomeProfile, string(row.NotFound), string(row.InvalidRow), string(row.Failed), string(row.Duplicate)}

var (
	descRows = prometheus.NewDesc(namespace+"_rows", "Rows by outcome: profile or the reject reason. "+
		"While running, this process's profile and failed rows; at the end, the whole export's, resumed runs included.",
		[]string{"outcome"}, nil)
	descRequests = prometheus.NewDesc(namespace+"_requests_total", "HTTP requests to the Profile API by status (none: no answer), this process.",
		[]string{"status"}, nil)
	descRetries  = prometheus.NewDesc(namespace+"_retries_total", "Requests that were retried, this process.", nil, nil)
	descInFlight = prometheus.NewDesc(namespace+"_in_flight_requests", "Requests in flight.", nil, nil)
	descDuration = prometheus.NewDesc(namespace+"_duration_seconds", "Time this process has been running the export.", nil, nil)
	descProgress = prometheus.NewDesc(namespace+"_input_read_ratio", "Share of the input file read (0 to 1), when its size is known.", nil, nil)
	descExitCode = prometheus.NewDesc(namespace+"_exit_code", "Exit code of the last run that ended.", nil, nil)
	descSuccess  = prometheus.NewDesc(namespace+"_last_success_timestamp_seconds",
		"When the last run that completed the export ended (Unix time); not pushed by runs that stopped early.", nil, nil)
)

// values is what the next push reports.
type values struct {
	rows        map[string]int64
	statuses    map[string]int64
	retries     int64
	inFlight    int64
	duration    time.Duration
	readRatio   float64
	hasRatio    bool
	final       bool // the run ended: exit code known
	exitCode    int
	lastSuccess time.Time // zero: not pushed
}

// collector turns the current values into constant metrics at each push.
type collector struct {
	mu sync.Mutex
	v  values
}

func newCollector() *collector {
	return &collector{v: values{rows: map[string]int64{}, statuses: map[string]int64{}}}
}

func statusLabel(status int) string { return job.StatusLabel(status) }

func (c *collector) attempt(a fetch.Attempt) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.v.final {
		return
	}
	c.v.statuses[statusLabel(a.Status)]++
}

func (c *collector) snapshot(s job.Snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.v.final {
		return
	}
	c.v.rows[OutcomeProfile] = s.Profiles
	c.v.rows[string(row.Failed)] = s.Failed
	c.v.retries = s.Retries
	c.v.inFlight = s.InFlight
	c.v.duration = s.Elapsed
	if s.InputSize > 0 {
		c.v.readRatio, c.v.hasRatio = min(1, float64(s.InputRead)/float64(s.InputSize)), true
	}
}

// finish replaces the live values with the summary's. sum may be nil when the run
// failed before it started (a usage error): then only the exit code is pushed.
func (c *collector) finish(sum *job.Summary, exitCode int, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.v.final, c.v.exitCode, c.v.inFlight = true, exitCode, 0
	if sum == nil {
		c.v.rows, c.v.statuses = map[string]int64{}, map[string]int64{}
		return
	}
	c.v.rows = map[string]int64{OutcomeProfile: sum.Profiles}
	for _, o := range outcomes[1:] {
		c.v.rows[o] = sum.Rejects[row.Reason(o)]
	}
	c.v.statuses = map[string]int64{}
	for status, n := range sum.Statuses {
		c.v.statuses[statusLabel(status)] += n
	}
	c.v.retries = sum.Retries
	c.v.duration = sum.Elapsed
	if sum.Completed {
		c.v.readRatio, c.v.hasRatio = 1, true
		c.v.lastSuccess = now
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRows, descRequests, descRetries, descInFlight, descDuration, descProgress, descExitCode, descSuccess} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := &c.v
	for o, n := range v.rows {
		ch <- prometheus.MustNewConstMetric(descRows, prometheus.GaugeValue, float64(n), o)
	}
	for s, n := range v.statuses {
		ch <- prometheus.MustNewConstMetric(descRequests, prometheus.CounterValue, float64(n), s)
	}
	ch <- prometheus.MustNewConstMetric(descRetries, prometheus.CounterValue, float64(v.retries))
	ch <- prometheus.MustNewConstMetric(descInFlight, prometheus.GaugeValue, float64(v.inFlight))
	ch <- prometheus.MustNewConstMetric(descDuration, prometheus.GaugeValue, v.duration.Seconds())
	if v.hasRatio {
		ch <- prometheus.MustNewConstMetric(descProgress, prometheus.GaugeValue, v.readRatio)
	}
	if v.final {
		ch <- prometheus.MustNewConstMetric(descExitCode, prometheus.GaugeValue, float64(v.exitCode))
	}
	if !v.lastSuccess.IsZero() {
		ch <- prometheus.MustNewConstMetric(descSuccess, prometheus.GaugeValue, float64(v.lastSuccess.UnixNano())/1e9)
	}
}

package job

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/profile-export/profile-export/row"
)

// Counts are the outcomes of rows, accumulated across resumed runs.
type Counts struct {
	Rows     int64                `json:"rows"`
	Profiles int64                `json:"profiles"`
	Rejects  map[row.Reason]int64 `json:"rejects"`
}

func (c *Counts) addReject(r row.Reason) {
	if c.Rejects == nil {
		c.Rejects = map[row.Reason]int64{}
	}
	c.Rejects[r]++
	c.Rows++
}

func (c *Counts) addProfile() { c.Profiles++; c.Rows++ }

func (c *Counts) merge(o Counts) {
	c.Rows += o.Rows
	c.Profiles += o.Profiles
	for r, n := range o.Rejects {
		if c.Rejects == nil {
			c.Rejects = map[row.Reason]int64{}
		}
		c.Rejects[r] += n
	}
}

// Summary is what a run did. Counts cover the whole export, resumed runs included;
// Requests, Retries and Elapsed cover this process only.
type Summary struct {
	Counts
	Requests int64        `json:"requests"`
	Retries  int64        `json:"retries"`
	Statuses StatusCounts `json:"statuses,omitempty"`
	Resumed  bool         `json:"resumed,omitempty"`
	Skipped  int64        `json:"skipped_resumed_rows,omitempty"`
	// FilteredOut counts the lines of a rejects file given as input that --reasons
	// left out: they are not rows of this export.
	FilteredOut int64          `json:"filtered_out_lines,omitempty"`
	Latency     LatencySummary `json:"latency"`
	Elapsed     time.Duration  `json:"-"`
	ElapsedS    float64        `json:"elapsed_seconds"`
	RowsPerS    float64        `json:"rows_per_second"`
	// Completed says the export is complete: every row of the input is in the
	// outputs and the outputs are final (exit 0 or 3).
	Completed bool `json:"completed"`
	// Outputs are the final files, when they were published: also after a
	// truncated input, whose outputs are final for the rows before the cut.
	Outputs []string `json:"outputs,omitempty"`
}

// NoStatus is the word for the status of requests that got no (complete) HTTP
// answer — timeouts, refused or reset connections, answers cut off — in the
// summary's statuses and in the metrics' status label alike.
const NoStatus = "none"

// StatusLabel is how a status is written: "200", or NoStatus for 0.
func StatusLabel(status int) string {
	if status <= 0 {
		return NoStatus
	}
	return strconv.Itoa(status)
}

// StatusCounts counts requests by HTTP status, 0 for no answer. In JSON its keys
// are StatusLabel's: {"200": 885, "none": 2}.
type StatusCounts map[int]int64

// MarshalJSON writes the counts keyed by StatusLabel.
func (s StatusCounts) MarshalJSON() ([]byte, error) {
	m := make(map[string]int64, len(s))
	for status, n := range s {
		m[StatusLabel(status)] += n
	}
	return json.Marshal(m)
}

// Line renders the one-line summary printed on stderr at the end.
func (s *Summary) Line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rows=%d profiles=%d rejects=%d", s.Rows, s.Profiles, s.Rows-s.Profiles)
	reasons := make([]string, 0, len(s.Rejects))
	for r := range s.Rejects {
		reasons = append(reasons, string(r))
	}
	sort.Strings(reasons)
	if len(reasons) > 0 {
		b.WriteString(" (")
		for i, r := range reasons {
			if i > 0 {
				b.WriteString(" ")
			}
			fmt.Fprintf(&b, "%s=%d", r, s.Rejects[row.Reason(r)])
		}
		b.WriteString(")")
	}
	fmt.Fprintf(&b, " requests=%d retries=%d elapsed=%s rows/s=%.1f", s.Requests, s.Retries, s.Elapsed.Round(time.Millisecond), s.RowsPerS)
	if s.FilteredOut > 0 {
		fmt.Fprintf(&b, " filtered_out=%d", s.FilteredOut)
	}
	if s.Skipped > 0 {
		fmt.Fprintf(&b, " resumed_past=%d", s.Skipped)
	}
	return b.String()
}

// Snapshot is the live progress of a run, for progress bars and log lines.
type Snapshot struct {
	Done     int64 // rows written this process
	Profiles int64 // of them, profiles (this process)
	Rejects  int64 // rejects (this process)
	Failed   int64 // failed rejects (this process)
	// Earlier are the outcomes of the rows that earlier runs of a resumed export
	// did (zero for a new run). The summary's counts include them; so must
	// anything shown beside it.
	Earlier   EarlierCounts
	InFlight  int64
	Requests  int64
	Retries   int64
	InputRead int64 // bytes of the input consumed
	InputSize int64 // -1 when unknown
	Elapsed   time.Duration
}

// EarlierCounts are the rows, profiles, rejects and failed rejects of the earlier
// runs of a resumed export.
type EarlierCounts struct {
	Rows, Profiles, Rejects, Failed int64
}

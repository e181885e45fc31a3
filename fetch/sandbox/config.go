package sandbox

import (
	"fmt"
	"math"
	"time"
)

// Defaults applied to zero-valued Config and Faults fields.
const (
	// DefaultClientCode is the client code the sandbox answers for.
	DefaultClientCode = "sandbox"
	// DefaultNotFoundRate is the fraction of IDs that answer 404.
	DefaultNotFoundRate = 0.1
	// DefaultRetryAfter is the Retry-After of a 429 fault.
	DefaultRetryAfter = time.Second
	// DefaultHangFor bounds a hang fault; after it the request answers 504.
	DefaultHangFor = 2 * time.Minute
	// MaxIDLength is the longest ID (in characters) the sandbox accepts; longer IDs
	// answer 400, as the API documents IDs of at most 128 characters.
	MaxIDLength = 128
)

// Config describes the simulated API. The zero value is a valid configuration:
// client code "sandbox", no token, 10% of IDs missing, no faults.
type Config struct {
	// ClientCode is the Target client code the sandbox answers for (DefaultClientCode
	// when empty). It is echoed as "client" in answers and in 404 messages. A request
	// may omit ?client=; one naming another client answers 400, like a bad client
	// code would.
	ClientCode string
	// Token, when not empty, must be sent as "Authorization: Bearer <Token>" (or in
	// the older "access_token" header); otherwise the request answers 401.
	Token string
	// NotFoundRate is the fraction of IDs whose profile does not exist (404),
	// chosen by a hash of (Seed, type, ID). Zero means DefaultNotFoundRate; a
	// negative value means every ID exists; 1 means none does.
	NotFoundRate float64
	// Seed changes which IDs exist and what their profiles hold.
	Seed uint64
	// Faults is the misbehaviour to simulate; the zero value means none.
	Faults Faults
}

// Faults is the misbehaviour of a simulated server. Rates are fractions of
// requests (0..1, together at most 1), decided per attempt of each ID from a hash of
// (Seed, type, ID, attempt number), and apply to found and missing IDs alike.
type Faults struct {
	// Latency is added to every API request; Jitter varies it uniformly by ±Jitter.
	Latency, Jitter time.Duration

	// Rate429 answers 429 with a Retry-After header in seconds (RetryAfter rounded
	// up; DefaultRetryAfter when zero; no header when negative).
	Rate429    float64
	RetryAfter time.Duration

	// Rate500, Rate502 and Rate503 answer those statuses (502 with an HTML body,
	// as a gateway would; 500 and 503 with a JSON body).
	Rate500, Rate502, Rate503 float64

	// RateReset resets the connection mid-response: part of the status line or of
	// the body is written, then the TCP connection is closed with a RST.
	RateReset float64
	// RateHang never answers: the request waits until the client gives up (its
	// context ends or the connection closes), the server closes, or HangFor
	// (DefaultHangFor when zero) passes, after which it answers 504.
	RateHang float64
	HangFor  time.Duration
	// RateTruncated answers 200 with a Content-Length larger than the body actually
	// written, then closes the connection.
	RateTruncated float64
	// RateHTML answers 200 with a text/html page, as a captive proxy would.
	RateHTML float64

	// FailFirst makes the first FailFirst attempts of every ID answer 503, the next
	// ones behave normally: a deterministic "retry, then success". Attempts are
	// counted per (type, ID) in a bounded table that remembers at least the last
	// ~500k distinct IDs.
	FailFirst int
	// FailFirstShare limits FailFirst to this share of the IDs, chosen
	// deterministically from the ID; 0 means every ID.
	FailFirstShare float64
}

// normalized returns c with defaults applied, or an error when a field is out of range.
func (c Config) normalized() (Config, error) {
	if c.ClientCode == "" {
		c.ClientCode = DefaultClientCode
	}
	switch {
	case c.NotFoundRate == 0:
		c.NotFoundRate = DefaultNotFoundRate
	case c.NotFoundRate < 0:
		c.NotFoundRate = 0
	case c.NotFoundRate > 1 || math.IsNaN(c.NotFoundRate):
		return c, fmt.Errorf("sandbox: NotFoundRate %v out of range [0,1]", c.NotFoundRate)
	}
	f := &c.Faults
	if f.Latency < 0 || f.Jitter < 0 {
		return c, fmt.Errorf("sandbox: negative Latency or Jitter")
	}
	if f.RetryAfter == 0 {
		f.RetryAfter = DefaultRetryAfter
	}
	if f.HangFor <= 0 {
		f.HangFor = DefaultHangFor
	}
	if f.FailFirst < 0 {
		return c, fmt.Errorf("sandbox: negative FailFirst %d", f.FailFirst)
	}
	if f.FailFirstShare < 0 || f.FailFirstShare > 1 || math.IsNaN(f.FailFirstShare) {
		return c, fmt.Errorf("sandbox: FailFirstShare %v out of range [0,1]", f.FailFirstShare)
	}
	sum := 0.0
	for _, r := range f.rates() {
		if r < 0 || r > 1 || math.IsNaN(r) {
			return c, fmt.Errorf("sandbox: fault rate %v out of range [0,1]", r)
		}
		sum += r
	}
	if sum > 1+1e-9 {
		return c, fmt.Errorf("sandbox: fault rates add up to %v, more than 1", sum)
	}
	return c, nil
}

// rates lists the fault rates in the order faults are drawn (see faultKinds).
func (f *Faults) rates() [8]float64 {
	return [8]float64{f.Rate429, f.Rate500, f.Rate502, f.Rate503,
		f.RateReset, f.RateHang, f.RateTruncated, f.RateHTML}
}

// any reports whether some fault needs attempts to be counted.
func (f *Faults) any() bool {
	if f.FailFirst > 0 {
		return true
	}
	for _, r := range f.rates() {
		if r > 0 {
			return true
		}
	}
	return false
}

package sandbox

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/profile-export/profile-export/row"
)

func TestStatusFaults(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults Faults
		status int
		ct     string
		kind   FaultKind
	}{
		{"500", Faults{Rate500: 1}, 500, "application/json", Fault500},
		{"502", Faults{Rate502: 1}, 502, "text/html", Fault502},
		{"503", Faults{Rate503: 1}, 503, "application/json", Fault503},
		{"html", Faults{RateHTML: 1}, 200, "text/html", FaultHTML},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Faults hit missing IDs too: every ID is missing here.
			s := StartTest(t, Config{NotFoundRate: 1, Faults: tc.faults})
			c := newClient(t, 5*time.Second)
			a := get(t, c, profileURL(s.URL, row.TntID, "111492025094307-353046", ""), nil)
			if a.status != tc.status || !strings.HasPrefix(a.header.Get("Content-Type"), tc.ct) {
				t.Errorf("%d %s %s", a.status, a.header.Get("Content-Type"), a.body)
			}
			if st := s.Stats(); st.ByFault[tc.kind] != 1 || st.ByStatus[tc.status] != 1 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestFault429RetryAfter(t *testing.T) {
	for _, tc := range []struct {
		retryAfter time.Duration
		want       string
	}{
		{0, "1"}, // DefaultRetryAfter
		{1500 * time.Millisecond, "2"},
		{7 * time.Second, "7"},
		{-1, ""},
	} {
		s := StartTest(t, Config{Faults: Faults{Rate429: 1, RetryAfter: tc.retryAfter}})
		c := newClient(t, 5*time.Second)
		a := get(t, c, profileURL(s.URL, row.ECID, "46865413728298628301234567890123456789", ""), nil)
		if a.status != http.StatusTooManyRequests {
			t.Fatalf("status %d", a.status)
		}
		if got, ok := a.header["Retry-After"]; tc.want == "" && ok || tc.want != "" && (len(got) != 1 || got[0] != tc.want) {
			t.Errorf("RetryAfter %v: header %q, want %q", tc.retryAfter, got, tc.want)
		}
	}
}

func TestFaultTruncated(t *testing.T) {
	s := StartTest(t, Config{NotFoundRate: -1, Faults: Faults{RateTruncated: 1}})
	c := newClient(t, 5*time.Second)
	res, body, err := tryGet(c, profileURL(s.URL, row.ThirdPartyID, "CRM-0004211", ""), nil)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want unexpected EOF", err)
	}
	want, _ := Config{NotFoundRate: -1}.Profile(row.ThirdPartyID, "CRM-0004211")
	if res.StatusCode != 200 || res.ContentLength != int64(len(want)) || !bytes.HasPrefix(want, body) || len(body) >= len(want) {
		t.Errorf("status %d, Content-Length %d, read %d of %d bytes", res.StatusCode, res.ContentLength, len(body), len(want))
	}
}

func TestFaultReset(t *testing.T) {
	s := StartTest(t, Config{Faults: Faults{RateReset: 1}})
	c := newClient(t, 5*time.Second)
	// Both variants (cut in the headers, cut in the body) must surface as errors.
	for _, id := range idsOf(row.ThirdPartyID, 12) {
		if _, _, err := tryGet(c, profileURL(s.URL, row.ThirdPartyID, id, ""), nil); err == nil {
			t.Errorf("%s: no error from a reset connection", id)
		}
	}
	if st := s.Stats(); st.ByFault[FaultReset] < 12 || len(st.ByStatus) != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestFaultHang(t *testing.T) {
	s := StartTest(t, Config{Faults: Faults{RateHang: 1}})
	c := newClient(t, 100*time.Millisecond)
	_, _, err := tryGet(c, profileURL(s.URL, row.TntID, "111492025094307-353046", ""), nil)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a client timeout", err)
	}

	// A context cancellation ends it too, and the server notices.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, profileURL(s.URL, row.TntID, "x", ""), nil)
	if _, err := newClient(t, 0).Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if st := s.Stats(); st.ByFault[FaultHang] != 2 || len(st.ByStatus) != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestFaultHangBounded(t *testing.T) {
	s := StartTest(t, Config{Faults: Faults{RateHang: 1, HangFor: 20 * time.Millisecond}})
	a := get(t, newClient(t, 5*time.Second), profileURL(s.URL, row.TntID, "abc", ""), nil)
	if a.status != http.StatusGatewayTimeout {
		t.Errorf("after HangFor: %d %s", a.status, a.body)
	}
}

// Close must not wait for the default two-minute hang.
func TestCloseEndsHangs(t *testing.T) {
	s, err := Start("127.0.0.1:0", Config{Faults: Faults{RateHang: 1}})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, _, err := tryGet(newClient(t, 0), profileURL(s.URL, row.TntID, "abc", ""), nil)
		errc <- err
	}()
	for s.Stats().ByFault[FaultHang] == 0 {
		time.Sleep(time.Millisecond)
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for a hanging request")
	}
	if err := <-errc; err == nil {
		t.Error("client got an answer from a hang")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestFailFirst(t *testing.T) {
	cfg := Config{NotFoundRate: -1, Faults: Faults{FailFirst: 2}}
	s := StartTest(t, cfg)
	c := newClient(t, 5*time.Second)
	for _, id := range []string{"a", "b"} {
		u := profileURL(s.URL, row.ThirdPartyID, id, "")
		for attempt, want := range []int{503, 503, 200, 200} {
			if a := get(t, c, u, nil); a.status != want {
				t.Errorf("%s attempt %d: %d, want %d", id, attempt+1, a.status, want)
			}
		}
	}
	// The type is part of the identity: the tntId "a" has its own attempts.
	if a := get(t, c, profileURL(s.URL, row.TntID, "a", ""), nil); a.status != 503 {
		t.Errorf("tntId a first attempt: %d", a.status)
	}
	if st := s.Stats(); st.ByFault[FaultFailFirst] != 5 || st.ByStatus[503] != 5 || st.ByStatus[200] != 4 {
		t.Errorf("stats %+v", st)
	}
}

// FailFirstShare picks a deterministic share of the IDs: those answer 503 on
// their first attempt and 200 after, every other ID answers 200 at once.
func TestFailFirstShare(t *testing.T) {
	cfg := Config{NotFoundRate: -1, Faults: Faults{FailFirst: 1, FailFirstShare: 0.2}}
	run := func() (failed []string) {
		s := StartTest(t, cfg)
		c := newClient(t, 5*time.Second)
		for _, id := range idsOf(row.ThirdPartyID, 500) {
			u := profileURL(s.URL, row.ThirdPartyID, id, "")
			first, second := get(t, c, u, nil).status, get(t, c, u, nil).status
			switch {
			case first == 503 && second == 200:
				failed = append(failed, id)
			case first != 200 || second != 200:
				t.Fatalf("%s: %d then %d, want 503 then 200 or 200 twice", id, first, second)
			}
		}
		return failed
	}
	a, b := run(), run()
	if n := len(a); n < 70 || n > 130 {
		t.Errorf("%d of 500 IDs failed first, want about 100", n)
	}
	if !slices.Equal(a, b) {
		t.Errorf("the IDs that fail first differ between two servers with the same Config")
	}
}

// Faults are drawn per attempt: the sequence of answers for an ID is the same on
// every server with the same Config, rates are roughly honoured, and a retried ID
// eventually gets through.
func TestFaultsPerAttempt(t *testing.T) {
	cfg := Config{NotFoundRate: -1, Seed: 3, Faults: Faults{Rate500: 0.2, Rate503: 0.2, Rate429: 0.1, RetryAfter: -1}}
	seq := func() []int {
		s := StartTest(t, cfg)
		c := newClient(t, 5*time.Second)
		var statuses []int
		for _, id := range idsOf(row.TntID, 150) {
			for range 3 {
				statuses = append(statuses, get(t, c, profileURL(s.URL, row.TntID, id, ""), nil).status)
			}
		}
		return statuses
	}
	a, b := seq(), seq()
	counts := map[int]int{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("request %d: %d on one server, %d on the other", i, a[i], b[i])
		}
		counts[a[i]]++
	}
	// 450 requests: expect about 90 × 500, 90 × 503, 45 × 429, 225 × 200.
	if counts[500] < 55 || counts[500] > 125 || counts[503] < 55 || counts[503] > 125 ||
		counts[429] < 20 || counts[429] > 75 || counts[200] < 180 || counts[200] > 270 {
		t.Errorf("status counts %v", counts)
	}
	// Attempts of one ID are independent: some ID fails then succeeds.
	recovered := 0
	for i := 0; i < len(a); i += 3 {
		if a[i] != 200 && (a[i+1] == 200 || a[i+2] == 200) {
			recovered++
		}
	}
	if recovered < 50 {
		t.Errorf("only %d of 150 IDs recovered on a retry", recovered)
	}
}

func TestLatency(t *testing.T) {
	s := StartTest(t, Config{Faults: Faults{Latency: 40 * time.Millisecond, Jitter: 10 * time.Millisecond}})
	c := newClient(t, 5*time.Second)
	start := time.Now()
	get(t, c, profileURL(s.URL, row.TntID, "abc", ""), nil)
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("answered in %v, before the configured latency", d)
	}
}

func TestInvalidConfig(t *testing.T) {
	for _, cfg := range []Config{
		{NotFoundRate: 1.5},
		{Faults: Faults{Rate500: -0.1}},
		{Faults: Faults{Rate500: 0.6, Rate503: 0.6}},
		{Faults: Faults{Latency: -time.Second}},
		{Faults: Faults{FailFirst: -1}},
		{Faults: Faults{FailFirst: 1, FailFirstShare: 1.5}},
	} {
		if _, err := NewHandler(cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
		if s, err := Start("127.0.0.1:0", cfg); err == nil {
			s.Close()
			t.Errorf("%+v: Start accepted it", cfg)
		}
	}
}

func TestAttemptsBounded(t *testing.T) {
	a := newAttempts()
	// Keys below 2^58 all land in shard 0.
	if a.next(1) != 0 || a.next(1) != 1 {
		t.Fatal("attempts not counted")
	}
	for k := uint64(2); k < 2+attemptShardCap; k++ {
		a.next(k)
	}
	if n := a.next(1); n != 2 {
		t.Errorf("after one generation: attempt %d, want 2 (still remembered)", n)
	}
	for k := uint64(1 << 20); k < 1<<20+3*attemptShardCap; k++ {
		a.next(k)
	}
	if n := a.next(1); n != 0 {
		t.Errorf("after three generations: attempt %d, want 0 (forgotten)", n)
	}
	s := &a.shards[0]
	if len(s.cur) > attemptShardCap || len(s.prev) > attemptShardCap {
		t.Errorf("shard holds %d + %d keys", len(s.cur), len(s.prev))
	}
}

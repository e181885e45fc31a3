package sandbox

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/profile-export/profile-export/row"
)

func TestStatsCounts(t *testing.T) {
	cfg := Config{NotFoundRate: 0.5, Token: "tok"}
	s := StartTest(t, cfg)
	c := newClient(t, 5*time.Second)
	auth := map[string][]string{"Authorization": {"Bearer tok"}}
	var want200, want404 int64
	for _, id := range idsOf(row.ThirdPartyID, 40) {
		get(t, c, profileURL(s.URL, row.ThirdPartyID, id, ""), auth)
		if _, found := cfg.Profile(row.ThirdPartyID, id); found {
			want200++
		} else {
			want404++
		}
	}
	get(t, c, profileURL(s.URL, row.TntID, "abc", ""), nil) // 401
	get(t, c, s.URL+"/nowhere", nil)                        // 404 route
	get(t, c, s.URL+"/_sandbox/health", nil)                // not counted

	st := s.Stats()
	if st.Requests != 42 || st.ByStatus[200] != want200 || st.ByStatus[404] != want404+1 ||
		st.ByStatus[401] != 1 || len(st.ByStatus) != 3 || len(st.ByFault) != 0 {
		t.Errorf("stats %+v, want 42 requests, %d × 200, %d × 404, 1 × 401", st, want200, want404+1)
	}
	if st.MaxPerSecond < 1 || st.MaxPerSecond > 42 || st.First.IsZero() || st.Last.Before(st.First) {
		t.Errorf("rate stats %+v", st)
	}

	// The same is served as JSON.
	a := get(t, c, s.URL+"/_sandbox/stats", nil)
	var js Stats
	if err := json.Unmarshal(a.body, &js); err != nil {
		t.Fatalf("%v in %s", err, a.body)
	}
	if js.Requests != st.Requests || js.ByStatus[200] != want200 || js.ByStatus[401] != 1 || !js.First.Equal(st.First) {
		t.Errorf("JSON stats %s", a.body)
	}
}

// The rate window is checked on the recorder with made-up arrival times.
func TestStatsMaxPerSecond(t *testing.T) {
	var s stats
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration, n int) {
		for range n {
			s.request(t0.Add(d))
		}
	}
	at(0, 10)
	at(950*time.Millisecond, 5) // same second as the first 10: window holds 15
	at(1500*time.Millisecond, 7)
	at(2400*time.Millisecond, 4) // with the 7: 11 within one second
	if got := s.snapshot(t0.Add(3 * time.Second)).MaxPerSecond; got != 15 {
		t.Errorf("MaxPerSecond = %d, want 15", got)
	}
	at(10*time.Second, 20)
	if got := s.snapshot(t0.Add(10 * time.Second)).MaxPerSecond; got != 20 {
		t.Errorf("MaxPerSecond = %d, want 20", got)
	}
	// Buckets older than the history are forgotten, even when their slot is reused.
	// The 3 requests below reuse the slot of the 20.
	later := t0.Add(time.Duration(historyNanos) + 10*time.Second)
	at(time.Duration(historyNanos)+10*time.Second, 3)
	if got := s.snapshot(later).MaxPerSecond; got != 3 {
		t.Errorf("after the history: MaxPerSecond = %d, want 3", got)
	}
	if st := s.snapshot(later); st.Requests != 49 || !st.First.Equal(t0) || !st.Last.Equal(later) {
		t.Errorf("snapshot %+v", st)
	}
}

// Concurrent requests are all counted (run with -race for the data races).
func TestStatsConcurrent(t *testing.T) {
	s := StartTest(t, Config{Faults: Faults{Rate503: 0.3}})
	c := newClient(t, 5*time.Second)
	const workers, each = 4, 50
	ids := idsOf(row.TntID, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				u := profileURL(s.URL, row.TntID, ids[w*each+i], "")
				if _, _, err := tryGet(c, u, nil); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	st := s.Stats()
	var sum int64
	for _, n := range st.ByStatus {
		sum += n
	}
	if st.Requests != workers*each || sum != st.Requests || st.ByFault[Fault503] != st.ByStatus[503] {
		t.Errorf("stats %+v", st)
	}
}

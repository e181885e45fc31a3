package main

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Targets of issue 5, and the suite's own where the issue gives none.
const (
	targetCeiling    = 0.80 // rows/s of profile-export ÷ requests/s of hey
	targetLatency    = 0.97 // achieved ÷ concurrency/latency
	targetRateSpread = 0.02 // |achieved ÷ asked − 1|
	targetMemRatio   = 1.25 // peak RSS of the large run ÷ the small run's
	targetMemMiB     = 150  // peak RSS of the large run
	// targetCPU is the suite's own: "beat the hand-written script by a wide
	// margin" read as at most half its CPU per profile.
	targetCPU = 0.5

	latency    = 50 * time.Millisecond
	askedRate  = 400.0
	askedBurst = 10
	stormP     = 0.2
)

// result is one line of the table.
type result struct {
	ID, Name  string
	Value     string // what profile-export achieved
	Reference string // what it is compared with
	Ratio     float64
	Target    string
	OK        bool
	NoTarget  bool // reported only: Target says what to compare it with
}

// ceilingPairs is how many times the ceiling measures hey and profile-export, in
// alternating order (hey first, then profile-export first, ...), so that a change
// in the machine's load during the run falls on both sides; the line reports the
// pair with the median ratio. Single pairs measured 0.68 to 0.93 on one quiet
// evening of this shared 2-core machine: five pairs make one unlucky pair, either
// way, move the median less than three did.
const ceilingPairs = 5

// ceiling: no rate limit, no latency, Parquet; profile-export against hey with the
// same concurrency against the same sandbox. Every ID exists, as hey's does.
func (s *suite) ceiling(ctx context.Context) ([]result, error) {
	n := s.size.CeilingRows
	in, err := s.input(n)
	if err != nil {
		return nil, err
	}
	sb, err := startSandbox(ctx, s.bin, s.log, "--not-found-rate", "0")
	if err != nil {
		return nil, err
	}
	defer sb.stop()
	target, err := findHeyTarget(ctx, sb.URL)
	if err != nil {
		return nil, err
	}
	s.logf("  hey fetches %s: a %d-byte answer, the median of the inputs' (mean %.0f)", target.URL, target.Size, target.Mean)
	type pair struct {
		hey   heyResult
		run   exportRun
		ratio float64
	}
	var pairs []pair
	for i := range ceilingPairs {
		var p pair
		runHeyNow := func() error {
			p.hey, err = runHey(ctx, s.hey, s.log, target.URL, n, s.concurrency)
			if err == nil {
				s.logf("  hey: %d requests at %.0f/s; cpu %.2fs (user %.2f sys %.2f)", n, p.hey.PerSecond,
					p.hey.CPU().Seconds(), p.hey.User.Seconds(), p.hey.Sys.Seconds())
			}
			return err
		}
		runExportNow := func() error {
			p.run, err = s.export(ctx, sb, "ceiling", in, "parquet", []int{0}, "--rate", "0")
			return err
		}
		steps := []func() error{runHeyNow, runExportNow}
		if i%2 == 1 {
			steps[0], steps[1] = steps[1], steps[0]
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return nil, err
			}
		}
		p.ratio = p.run.RowsPerSecond() / p.hey.PerSecond
		s.logf("  pair %d: ratio %.3f", i+1, p.ratio)
		pairs = append(pairs, p)
	}
	all := make([]string, len(pairs))
	for i, p := range pairs {
		all[i] = fmt.Sprintf("%.2f", p.ratio)
	}
	slices.SortFunc(pairs, func(a, b pair) int { return cmp.Compare(a.ratio, b.ratio) })
	med := pairs[len(pairs)/2]
	// The CPU each spends per request tells, on a machine shared with other work,
	// how much of a gap is the client's own cost.
	perReq := func(u usage) float64 { return float64(u.CPU().Microseconds()) / float64(n) }
	return []result{{
		ID: "1", Name: fmt.Sprintf("Pipeline ceiling: %s rows, c=%d, Parquet, no limit; median of %d alternating pairs (%s)",
			count(n), s.concurrency, ceilingPairs, strings.Join(all, ", ")),
		Value: fmt.Sprintf("%s rows/s (%.0f µs CPU/row)", count(int(math.Round(med.run.RowsPerSecond()))), perReq(med.run.usage)),
		Reference: fmt.Sprintf("hey %s req/s (%.0f µs CPU/req; %d-byte answer, the inputs' median)",
			count(int(math.Round(med.hey.PerSecond))), perReq(med.hey.usage), target.Size),
		Ratio: med.ratio, Target: fmt.Sprintf("≥ %.2f", targetCeiling), OK: med.ratio >= targetCeiling,
	}}, nil
}

// latencyBound: every answer takes 50 ms, so c workers can do at most c/50ms rows/s.
func (s *suite) latencyBound(ctx context.Context) ([]result, error) {
	n := s.size.LatencyRows
	in, err := s.input(n)
	if err != nil {
		return nil, err
	}
	sb, err := startSandbox(ctx, s.bin, s.log, "--latency", latency.String())
	if err != nil {
		return nil, err
	}
	defer sb.stop()
	r, err := s.export(ctx, sb, "latency", in, "jsonl", []int{0}, "--rate", "0")
	if err != nil {
		return nil, err
	}
	// hey against the same server says how much of the ideal this machine allows
	// at all: the sandbox's timers and the scheduling of a busy machine add to
	// every request, whoever sends it.
	target, err := findHeyTarget(ctx, sb.URL)
	if err != nil {
		return nil, err
	}
	hey, err := runHey(ctx, s.hey, s.log, target.URL, n, s.concurrency)
	if err != nil {
		return nil, err
	}
	s.logf("  hey: %d requests at %.0f/s", n, hey.PerSecond)
	ideal := float64(s.concurrency) / latency.Seconds()
	ratio := r.RowsPerSecond() / ideal
	return []result{{
		ID: "2", Name: fmt.Sprintf("Latency-bound: %s latency, c=%d, %s rows", latency, s.concurrency, count(n)),
		Value:     fmt.Sprintf("%.0f rows/s", r.RowsPerSecond()),
		Reference: fmt.Sprintf("ideal %.0f rows/s (hey: %.0f req/s)", ideal, hey.PerSecond),
		Ratio:     ratio, Target: fmt.Sprintf("≥ %.2f", targetLatency), OK: ratio >= targetLatency,
	}}, nil
}

// rated is a run at the asked rate, shared by the rate and the retry-storm lines.
type rated struct {
	run   exportRun
	stats sandboxStats
}

// ratedRun exports rows for RateSeconds of work at askedRate against a sandbox
// started with extra flags.
func (s *suite) ratedRun(ctx context.Context, name string, accept []int, extra ...string) (rated, error) {
	n := int(askedRate * s.size.RateSeconds)
	in, err := s.input(n)
	if err != nil {
		return rated{}, err
	}
	sb, err := startSandbox(ctx, s.bin, s.log, extra...)
	if err != nil {
		return rated{}, err
	}
	defer sb.stop()
	r, err := s.export(ctx, sb, name, in, "jsonl", accept,
		"--rate", fmt.Sprint(askedRate), "--burst", fmt.Sprint(askedBurst))
	if err != nil {
		return rated{}, err
	}
	st, err := sb.stats(ctx)
	if err != nil {
		return rated{}, err
	}
	s.logf("  sandbox saw %d requests over %.2fs, at most %d in one second, statuses %v",
		st.Requests, st.Last.Sub(st.First).Seconds(), st.MaxPerSecond, st.ByStatus)
	return rated{run: r, stats: st}, nil
}

// faultFree is the fault-free run at the asked rate, made once for both lines.
func (s *suite) faultFree(ctx context.Context) (rated, error) {
	if s.rated == nil {
		r, err := s.ratedRun(ctx, "rate", []int{0})
		if err != nil {
			return r, err
		}
		s.rated = &r
	}
	return *s.rated, nil
}

// rateAccuracy: the rate the API saw (requests over the span from the first to
// the last) against the asked rate, and the busiest one-second window against
// rate + burst, which a token bucket may reach once but never exceed.
func (s *suite) rateAccuracy(ctx context.Context) ([]result, error) {
	r, err := s.faultFree(ctx)
	if err != nil {
		return nil, err
	}
	span := r.stats.Last.Sub(r.stats.First).Seconds()
	achieved := float64(r.stats.Requests) / span
	ratio := achieved / askedRate
	limit := askedRate + askedBurst
	peak := float64(r.stats.MaxPerSecond)
	return []result{{
		ID: "3a", Name: fmt.Sprintf("Rate accuracy: --rate %.0f, %.0f s of work", askedRate, s.size.RateSeconds),
		Value:     fmt.Sprintf("%.1f req/s (API side)", achieved),
		Reference: fmt.Sprintf("asked %.0f req/s", askedRate),
		Ratio:     ratio, Target: fmt.Sprintf("%.2f–%.2f", 1-targetRateSpread, 1+targetRateSpread),
		OK: ratio >= 1-targetRateSpread && ratio <= 1+targetRateSpread,
	}, {
		ID: "3b", Name: "Rate accuracy: busiest 1-second window",
		Value:     fmt.Sprintf("%.0f req", peak),
		Reference: fmt.Sprintf("rate + burst %.0f", limit),
		Ratio:     peak / limit, Target: "≤ 1.00", OK: peak <= limit,
	}}, nil
}

// memory: peak RSS of a small and a large export, per format, with no limit.
func (s *suite) memory(ctx context.Context) ([]result, error) {
	small, large := s.size.MemSmall, s.size.MemLarge
	inSmall, err := s.input(small)
	if err != nil {
		return nil, err
	}
	inLarge, err := s.input(large)
	if err != nil {
		return nil, err
	}
	sb, err := startSandbox(ctx, s.bin, s.log)
	if err != nil {
		return nil, err
	}
	defer sb.stop()
	var out []result
	for i, ext := range []string{"parquet", "jsonl"} {
		a, err := s.export(ctx, sb, "mem-small-"+ext, inSmall, ext, []int{0}, "--rate", "0")
		if err != nil {
			return nil, err
		}
		b, err := s.export(ctx, sb, "mem-large-"+ext, inLarge, ext, []int{0}, "--rate", "0")
		if err != nil {
			return nil, err
		}
		ratio := float64(b.MaxRSS) / float64(a.MaxRSS)
		out = append(out, result{
			ID: "4" + string(rune('a'+i)), Name: fmt.Sprintf("Memory flat: peak RSS, %s, %s vs %s rows", ext, count(large), count(small)),
			Value:     fmt.Sprintf("%.1f MiB (%s rows)", mib(b.MaxRSS), count(large)),
			Reference: fmt.Sprintf("%.1f MiB (%s rows)", mib(a.MaxRSS), count(small)),
			Ratio:     ratio, Target: fmt.Sprintf("≤ %.2f and < %d MiB", targetMemRatio, targetMemMiB),
			OK: ratio <= targetMemRatio && mib(b.MaxRSS) < targetMemMiB,
		})
	}
	return out, nil
}

// cpuCost: user+sys of the client process alone per 100,000 profiles, against the
// naive Python baseline doing the same fetch-and-write (JSON Lines) of the same
// input from the same sandbox with the same concurrency. Every ID exists.
func (s *suite) cpuCost(ctx context.Context) ([]result, error) {
	n := s.size.CPURows
	in, err := s.input(n)
	if err != nil {
		return nil, err
	}
	sb, err := startSandbox(ctx, s.bin, s.log, "--not-found-rate", "0")
	if err != nil {
		return nil, err
	}
	defer sb.stop()
	r, err := s.export(ctx, sb, "cpu", in, "jsonl", []int{0}, "--rate", "0")
	if err != nil {
		return nil, err
	}
	nv, err := s.naive(ctx, sb, in)
	if err != nil {
		return nil, err
	}
	if nv.Profiles != int64(n) {
		return nil, fmt.Errorf("the naive baseline fetched %d profiles of %d", nv.Profiles, n)
	}
	per := func(cpu time.Duration, rows int64) float64 { return cpu.Seconds() * 100_000 / float64(rows) }
	ours, theirs := per(r.CPU(), r.Summary.Profiles), per(nv.CPU(), nv.Profiles)
	ratio := ours / theirs
	return []result{{
		ID: "5", Name: fmt.Sprintf("CPU s per 100k profiles (user+sys, client only; %s rows, JSON Lines)", count(n)),
		Value:     fmt.Sprintf("%.2f s", ours),
		Reference: fmt.Sprintf("naive Python %.2f s (%.0f rows/s)", theirs, float64(nv.Rows)/nv.Wall.Seconds()),
		Ratio:     ratio, Target: fmt.Sprintf("≤ %.2f (own)", targetCPU), OK: ratio <= targetCPU,
	}}, nil
}

// retryStorm: a share stormP of the requests is answered 503, then success: the
// sandbox picks that share of the IDs and fails their first attempt only. rows/s
// against the fault-free run at the same rate limit.
//
// The issue sets no target. Every attempt, retries too, spends a token of the
// rate limit, and a row costs 1+p attempts on average, so rows/s cannot exceed
// 1/(1+p) of the fault-free rate: that bound is shown. The last retried rows
// also end the run up to one backoff (0.5 s, jittered) after the others.
func (s *suite) retryStorm(ctx context.Context) ([]result, error) {
	free, err := s.faultFree(ctx)
	if err != nil {
		return nil, err
	}
	storm, err := s.ratedRun(ctx, "storm", []int{0}, "--fail-first", "1", "--fail-first-share", fmt.Sprint(stormP))
	if err != nil {
		return nil, err
	}
	ratio := storm.run.RowsPerSecond() / free.run.RowsPerSecond()
	bound := 1 / (1 + stormP)
	return []result{{
		ID: "6", Name: fmt.Sprintf("Retry storm: %.0f%% of requests answered 503, then success; --rate %.0f", stormP*100, askedRate),
		Value:     fmt.Sprintf("%.1f rows/s (%d requests)", storm.run.RowsPerSecond(), storm.stats.Requests),
		Reference: fmt.Sprintf("fault-free %.1f rows/s", free.run.RowsPerSecond()),
		Ratio:     ratio, Target: fmt.Sprintf("none (bound %.2f)", bound), NoTarget: true,
	}}, nil
}

// count formats n with thousands separators: 200,000.
func count(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

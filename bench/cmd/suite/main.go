// Command suite is the engine of bench/run, the benchmark suite of profile-export.
// It generates deterministic inputs, starts the simulated Target API as a separate
// process (profile-export sandbox) for each measurement, runs profile-export, the
// load generator hey and the naive Python baseline (bench/naive.py) against it,
// and prints one markdown table with the six measurements side by side, each as a
// ratio against its target:
//
//	1  pipeline ceiling: profile-export rows/s ÷ hey requests/s (≥ 0.8)
//	2  latency-bound efficiency: 50 ms answers, c=32, ÷ 640 rows/s (≥ 0.97)
//	3  rate accuracy: --rate 400, ÷ 400 (±2%), busiest second ≤ rate + burst
//	4  memory flat: peak RSS of a large run ÷ a small one (≤ 1.25, < 150 MiB)
//	5  CPU per 100k profiles, ÷ the naive baseline's
//	6  retry storm: 20% of requests 503 then success, rows/s ÷ fault-free rows/s
//
// Ratios, not absolute numbers, are the point: the machines are small and noisy,
// and every pair is measured in the same run, one after the other.
//
// Usage (bench/run builds the binaries and passes these):
//
//	suite -bin profile-export -hey hey [-profile quick|default|full] [-only 1,4]
//	suite gen N > ids.csv
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// sizes scale the measurements.
type sizes struct {
	CeilingRows        int
	LatencyRows        int
	RateSeconds        float64 // seconds of work at askedRate (rows = rate × seconds)
	MemSmall, MemLarge int
	CPURows            int
}

// profiles: full is the sizes; default trims the large memory run so the
// whole suite stays near five minutes on two cores; quick is about one minute.
var profiles = map[string]sizes{
	"quick":   {CeilingRows: 20_000, LatencyRows: 2_000, RateSeconds: 8, MemSmall: 10_000, MemLarge: 100_000, CPURows: 5_000},
	"default": {CeilingRows: 200_000, LatencyRows: 10_000, RateSeconds: 30, MemSmall: 100_000, MemLarge: 500_000, CPURows: 20_000},
	"full":    {CeilingRows: 200_000, LatencyRows: 20_000, RateSeconds: 30, MemSmall: 100_000, MemLarge: 2_000_000, CPURows: 100_000},
}

// suite holds what the measurements share.
type suite struct {
	bin, hey, python, naiveScript string
	work, log                     string
	concurrency                   int
	size                          sizes
	progress                      io.Writer
	rated                         *rated // the fault-free rated run, once made
}

func (s *suite) logf(format string, args ...any) {
	fmt.Fprintf(s.progress, format+"\n", args...)
	if f, err := os.OpenFile(s.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
		fmt.Fprintf(f, format+"\n", args...)
		f.Close()
	}
}

// input returns the path of the n-row input, generating it once.
func (s *suite) input(n int) (string, error) {
	p := filepath.Join(s.work, "ids-"+strconv.Itoa(n)+".csv")
	return p, genFile(p, n)
}

// measurement is one numbered line (or lines) of the table.
type measurement struct {
	id  string
	run func(*suite, context.Context) ([]result, error)
}

var measurements = []measurement{
	{"1", (*suite).ceiling},
	{"2", (*suite).latencyBound},
	{"3", (*suite).rateAccuracy},
	{"4", (*suite).memory},
	{"5", (*suite).cpuCost},
	{"6", (*suite).retryStorm},
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "gen" {
		os.Exit(genMain(os.Args[2:]))
	}
	s := &suite{progress: os.Stderr}
	var profile, only, out string
	flag.StringVar(&s.bin, "bin", "", "profile-export binary (required)")
	flag.StringVar(&s.hey, "hey", "", "hey binary (required)")
	flag.StringVar(&s.python, "python", "python3", "Python 3 interpreter for the naive baseline")
	flag.StringVar(&s.naiveScript, "naive", "bench/naive.py", "the naive baseline script")
	flag.StringVar(&s.work, "work", "", "work directory for inputs, outputs and bench.log (required)")
	flag.IntVar(&s.concurrency, "c", 32, "concurrency of profile-export, hey and the baseline")
	flag.StringVar(&profile, "profile", "default", "sizes: quick (~1 min), default (~5 min) or full (the issue's sizes, ~10 min)")
	flag.StringVar(&only, "only", "", "comma-separated measurements to run, e.g. 1,4 (default all)")
	flag.StringVar(&out, "o", "", "also write the table to this file")
	flag.Parse()
	size, ok := profiles[profile]
	if !ok || s.bin == "" || s.hey == "" || s.work == "" {
		flag.Usage()
		os.Exit(2)
	}
	s.size = size
	s.log = filepath.Join(s.work, "bench.log")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	var rows []result
	for _, m := range measurements {
		if only != "" && !contains(strings.Split(only, ","), m.id) {
			continue
		}
		s.logf("measurement %s...", m.id)
		rs, err := m.run(s, ctx)
		if err != nil {
			fmt.Fprintf(os.Stderr, "suite: measurement %s: %v\n", m.id, err)
			if errors.Is(err, context.Canceled) || ctx.Err() != nil {
				os.Exit(130)
			}
			os.Exit(1)
		}
		rows = append(rows, rs...)
	}
	table := render(profile, rows, time.Since(start))
	fmt.Print(table)
	if out != "" {
		if err := os.WriteFile(out, []byte(table), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "suite:", err)
			os.Exit(1)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if strings.TrimSpace(y) == x {
			return true
		}
	}
	return false
}

// render makes the markdown table, with one caption line naming the machine.
func render(profile string, rows []result, took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "profile-export bench (%s profile, %s) on %s; suite took %s\n\n",
		profile, time.Now().UTC().Format("2006-01-02 15:04 MST"), machine(), took.Round(time.Second))
	b.WriteString("| # | Measurement | profile-export | Compared with | Ratio | Target | Met |\n")
	b.WriteString("|---|---|---|---|---:|---|:---:|\n")
	for _, r := range rows {
		met := "yes"
		switch {
		case r.NoTarget:
			met = "—"
		case !r.OK:
			met = "**NO**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %.4f | %s | %s |\n", r.ID, r.Name, r.Value, r.Reference, r.Ratio, r.Target, met)
	}
	return b.String()
}

// machine describes the machine: cores, CPU model, Go version.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%d × %s, %s %s/%s", runtime.NumCPU(), model, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// genMain is "suite gen N": the n-row input on stdout.
func genMain(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: suite gen ROWS > ids.csv")
		return 2
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 0 {
		fmt.Fprintf(os.Stderr, "suite gen: %q is not a row count\n", args[0])
		return 2
	}
	if err := writeCSV(os.Stdout, n); err != nil {
		fmt.Fprintln(os.Stderr, "suite gen:", err)
		return 1
	}
	return 0
}

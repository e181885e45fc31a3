//go:build unix

package job_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// benchRows is the size of one export of BenchmarkPipeline: large enough for the
// pipeline to reach its steady state, small enough for a -benchtime of a few runs.
const benchRows = 20_000

// BenchmarkPipeline is the pipeline ceiling of bench/run in-process: whole exports
// (job.Run: read, fetch at concurrency 32 with no rate limit, encode, commit,
// assemble) against a sandbox on loopback without latency, every ID found. It is
// the one to profile:
//
//	go test -run '^$' -bench Pipeline/parquet -benchtime 5x -cpuprofile cpu.out ./job/
//	go tool pprof -top -focus 'profile-export/(job|fetch|writer|reader)\.' cpu.out
//
// The sandbox serves from the same process, so its work is in the profile and in
// allocs/row too; filter on the client's packages as above, or set
// PROFILE_EXPORT_BENCH_URL to the base URL of a sandbox run as its own process
// (profile-export sandbox --listen 127.0.0.1:8080 --not-found-rate 0), which
// leaves only the client in the profile, as in bench/run. rows/s is meaningful
// only against another run on the same machine; cpu-µs/row (user+system time of
// the whole process) is steadier when other work shares the machine.
func BenchmarkPipeline(b *testing.B) {
	for _, format := range []string{"parquet", "jsonl"} {
		b.Run(format, func(b *testing.B) { benchPipeline(b, format) })
	}
}

func benchPipeline(b *testing.B, format string) {
	base := os.Getenv("PROFILE_EXPORT_BENCH_URL")
	if base == "" {
		base = sandbox.StartTest(b, sandbox.Config{NotFoundRate: -1}).URL
	}
	dir := b.TempDir()
	input := filepath.Join(dir, "ids.csv")
	if err := writeBenchIDs(input, benchRows); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0 := cpuTime()
	rows := 0
	for i := 0; b.Loop(); i++ {
		out := filepath.Join(dir, fmt.Sprintf("run%d", i), "profiles."+format)
		sum, err := job.Run(ctx, job.Config{
			Input:       input,
			Output:      out,
			Concurrency: 32,
			Rate:        -1,
			RowsPerFile: 10 * benchRows,
			Fetch:       fetch.Config{BaseURL: base, ClientCode: sandbox.DefaultClientCode},
		})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Profiles != benchRows {
			b.Fatalf("%d profiles of %d rows", sum.Profiles, benchRows)
		}
		rows += benchRows
		b.StopTimer()
		_ = os.RemoveAll(filepath.Dir(out))
		b.StartTimer()
	}
	cpu := cpuTime() - cpu0
	runtime.ReadMemStats(&m1)
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(rows), "cpu-µs/row")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(rows), "allocs/row")
	b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/float64(rows), "B/row")
}

// cpuTime is the user+system CPU time of this process so far. On a shared machine
// it varies far less than the elapsed time, so it is the number to compare
// between two versions of the pipeline (with an external sandbox, it is the
// client's alone).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// writeBenchIDs writes n distinct IDs, a third of each type.
func writeBenchIDs(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "id,type")
	for i := range n {
		switch i % 3 {
		case 0:
			fmt.Fprintf(w, "%015d-%06d,tntId\n", 111492025094307+i, i%1_000_000)
		case 1:
			fmt.Fprintf(w, "%038d,marketingCloudVisitorId\n", 7_000_000_000+i)
		default:
			fmt.Fprintf(w, "crm-%08d,thirdPartyId\n", i)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

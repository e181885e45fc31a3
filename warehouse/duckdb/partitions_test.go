package duckdb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// TestPartitionsSQLViewsOnlyFinishedRuns makes a Hive-partitioned layout with the
// path template the README shows: two finished runs and one stopped half-way
// (resumable, its parts on disk but no manifest). partitions.sql, run verbatim,
// must show exactly the finished runs' profiles, with typed partition columns,
// and drop a run whose _SUCCESS goes away.
func TestPartitionsSQLViewsOnlyFinishedRuns(t *testing.T) {
	script := sqlFile(t, "partitions.sql")
	dir := t.TempDir()
	template := filepath.Join(dir, "lake", "target_profiles") + "/dt={{.Date}}/run={{.RunID}}/"

	a := mustExport(t, writeInput(t, dir, 400, 4), template, 80)
	b := mustExport(t, writeInput(t, dir, 250, 5), template, 80)
	runDir := map[string]string{} // run ID → its directory
	for _, sum := range []*job.Summary{a, b} {
		if len(sum.Outputs) != 1 {
			t.Fatalf("outputs %v, want the run's directory", sum.Outputs)
		}
		m := readManifest(t, filepath.Join(sum.Outputs[0], "_manifest.json"))
		runDir[m.RunID] = sum.Outputs[0]
	}

	// The third run fails one request in four without retrying and stops at 25
	// failures, leaving its committed parts behind for --resume.
	faulty := sandbox.StartTest(t, sandbox.Config{Faults: sandbox.Faults{Rate503: 0.25}})
	_, err := exportTo(t, writeInput(t, dir, 600, 6), template, 20, faulty, func(c *job.Config) {
		c.Fetch.Retries = -1
		c.MaxFailures = 25
		c.Concurrency = 1
	})
	var stopped *job.StoppedError
	if !errors.As(err, &stopped) {
		t.Fatalf("the third run: err = %v, want it stopped by --max-failures", err)
	}
	unfinishedParts, _ := filepath.Glob(filepath.Join(dir, "lake", "target_profiles", "dt=*", "run=*", "part-*.parquet"))
	var partsOfUnfinished int
	for _, p := range unfinishedParts {
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "_manifest.json")); errors.Is(err, os.ErrNotExist) {
			partsOfUnfinished++
		}
	}
	if partsOfUnfinished == 0 {
		t.Fatal("the stopped run left no part: the test would prove nothing")
	}

	t.Chdir(dir) // partitions.sql names lake/target_profiles/
	conn := openDuckDB(t)
	if err := run(conn, script); err != nil {
		t.Fatalf("partitions.sql: %v", err)
	}
	types := columnTypes(t, conn, "target_profiles_history")
	if types["dt"] != "DATE" || types["run"] != "VARCHAR" || types["attributes"] != "MAP(VARCHAR, VARCHAR)" || types["filename"] != "" {
		t.Errorf("target_profiles_history has the columns %v; want dt DATE and run VARCHAR after the profile's, and no filename", types)
	}

	perRun := func() map[string]int64 {
		rows, err := conn.QueryContext(context.Background(), "SELECT run, dt, count(*) FROM target_profiles_history GROUP BY ALL")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[string]int64{}
		for rows.Next() {
			var run string
			var dt time.Time
			var n int64
			if err := rows.Scan(&run, &dt, &n); err != nil {
				t.Fatal(err)
			}
			got[run] = n
			if d, ok := runDir[run]; ok && !strings.Contains(d, "/dt="+dt.Format("2006-01-02")+"/") {
				t.Errorf("run %s has dt %s, its directory is %s", run, dt.Format("2006-01-02"), d)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return got
	}
	got := perRun()
	if len(got) != 2 {
		t.Errorf("the view shows the runs %v, want the 2 finished ones only", got)
	}
	for id, d := range runDir {
		if want := readManifest(t, filepath.Join(d, "_manifest.json")).Counts.Profiles; got[id] != want {
			t.Errorf("run %s: %d rows in the view, its manifest counts %d profiles", id, got[id], want)
		}
	}

	// A run without _SUCCESS is not finished, manifest or not.
	if err := os.Remove(filepath.Join(b.Outputs[0], "_SUCCESS")); err != nil {
		t.Fatal(err)
	}
	got = perRun()
	if len(got) != 1 || got[readManifest(t, filepath.Join(a.Outputs[0], "_manifest.json")).RunID] != a.Profiles {
		t.Errorf("after removing a run's _SUCCESS the view shows %v, want only the other run's %d profiles", got, a.Profiles)
	}
}

package job

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/row"
	"github.com/profile-export/profile-export/writer"
)

// writeIDs writes a CSV of n rows of all three types, a few of them invalid.
func writeIDs(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,type\n")
	for i := 0; i < n; i++ {
		switch {
		case i%97 == 13:
			b.WriteString(",tntId\n") // invalid: empty ID
		case i%3 == 0:
			fmt.Fprintf(&b, "%015d-%06d,tntId\n", 111492025094307+i, i)
		case i%3 == 1:
			fmt.Fprintf(&b, "%038d,ecid\n", i)
		default:
			fmt.Fprintf(&b, "\"crm/%d ?#%%+@é\",thirdPartyId\n", i)
		}
	}
	path := filepath.Join(t.TempDir(), "ids.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// outcomesInDir reads every JSON Lines part and rejects part of a directory output
// and returns line → "profile" or the reject reason, failing on any line seen twice.
func outcomesInDir(t *testing.T, dir string) map[int64]string {
	t.Helper()
	got := map[int64]string{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var v struct {
				Line   int64  `json:"line"`
				Reason string `json:"reason"`
			}
			if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			what := "profile"
			if strings.HasPrefix(filepath.Base(f), "rejects-") {
				what = v.Reason
			}
			if prev, dup := got[v.Line]; dup {
				t.Fatalf("line %d twice: %s and %s (%s)", v.Line, prev, what, f)
			}
			got[v.Line] = what
		}
		fh.Close()
	}
	return got
}

func TestShardsTogetherEqualOneRun(t *testing.T) {
	srv := sandbox.StartTest(t, sandbox.Config{})
	input := writeIDs(t, 3000)
	base := func(out string) Config {
		return Config{
			Input: input, Output: out, Format: writer.JSONL, Rate: -1, Concurrency: 8, RowsPerFile: 500,
			Fetch: fetch.Config{BaseURL: srv.URL},
		}
	}
	single := t.TempDir() + "/single/"
	if _, err := Run(context.Background(), base(single)); err != nil {
		t.Fatalf("unsharded run: %v", err)
	}
	want := outcomesInDir(t, single)
	if len(want) != 3000 {
		t.Fatalf("unsharded run accounted for %d lines, want 3000", len(want))
	}

	const shards = 3
	shared := t.TempDir() + "/shared/"
	perShard := make([]int64, shards)
	for k := 0; k < shards; k++ {
		cfg := base(shared)
		cfg.Shard = Shard{Index: k, Count: shards}
		sum, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatalf("shard %d: %v", k, err)
		}
		perShard[k] = sum.Rows
		if _, err := os.Stat(filepath.Join(shared, fmt.Sprintf("_SUCCESS-s%03d", k))); err != nil {
			t.Errorf("shard %d left no _SUCCESS marker: %v", k, err)
		}
	}
	got := outcomesInDir(t, shared) // fails on any line written by two shards
	if len(got) != len(want) {
		t.Fatalf("shards together accounted for %d lines, one run for %d", len(got), len(want))
	}
	for line, w := range want {
		if got[line] != w {
			t.Errorf("line %d: shards gave %q, one run %q", line, got[line], w)
		}
	}
	for k, n := range perShard {
		if n < 3000/shards/2 {
			t.Errorf("shard %d took only %d of 3000 rows: the hash does not spread rows", k, n)
		}
	}
	names, _ := filepath.Glob(filepath.Join(shared, "part-s001-*.jsonl"))
	if len(names) == 0 {
		t.Errorf("no part named part-s001-*.jsonl in %s", shared)
	}
}

func TestShardRateIsAShareOfTheTotal(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		wantLimit float64
	}{
		{"unsharded", Config{Rate: 40, Burst: 8}, 40},
		{"four shards share the budget", Config{Rate: 40, Burst: 8, Shard: Shard{Index: 2, Count: 4}}, 10},
		{"unlimited", Config{Rate: -1, Shard: Shard{Index: 0, Count: 4}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := pacerFor(&tc.cfg)
			if tc.wantLimit == 0 {
				if p != nil {
					t.Fatalf("want no pacer, got limit %v", p.Limit())
				}
				return
			}
			if p == nil || p.Limit() != tc.wantLimit {
				t.Fatalf("limit = %v, want %v", p, tc.wantLimit)
			}
		})
	}
}

func TestShardOfIsStable(t *testing.T) {
	// Shards of a run may be executed by different builds (a rolling deploy, a resume
	// after an upgrade): the mapping is FNV-1a of "type NUL id", pinned here.
	tests := []struct {
		typ row.Type
		id  string
	}{
		{row.TntID, "111492025094307-353046"},
		{row.ECID, "12345678901234567890123456789012345678"},
		{row.ThirdPartyID, "crm/1"},
		{row.ThirdPartyID, "josé@exemple.fr"},
	}
	for _, tc := range tests {
		h := fnv.New64a()
		h.Write([]byte(string(tc.typ) + "\x00" + tc.id))
		want := int(h.Sum64() % 7)
		if got := shardOf(row.Row{Type: tc.typ, ID: tc.id}, 7); got != want {
			t.Errorf("shardOf(%s %q) = %d, want %d", tc.typ, tc.id, got, want)
		}
	}
}

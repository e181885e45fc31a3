package job

import "testing"

func TestStem(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"profiles.parquet", "profiles"},
		{"PROF.PARQUET", "PROF"},
		{"out.jsonl.gz", "out"},
		{"Out.JSONL.GZ", "Out"},
		{"x.NDJSON", "x"},
		{"data.csv", "data.csv"},
		{".parquet", ""},
	} {
		if got := stem(tc.in); got != tc.want {
			t.Errorf("stem(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// damagedGzip returns a gzip CSV of n thirdPartyId rows, cut to two thirds
// (truncated) or with one byte flipped in the middle (corrupt).
func damagedGzip(t *testing.T, n int) (truncated, corrupt []byte) {
	t.Helper()
	var csv bytes.Buffer
	csv.WriteString("id,type\n")
	for i := range n {
		fmt.Fprintf(&csv, "CRM-%07d,thirdPartyId\n", i)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(csv.Bytes())
	zw.Close()
	data := z.Bytes()
	corrupt = bytes.Clone(data)
	corrupt[len(corrupt)/2] ^= 0x01
	return data[:len(data)*2/3], corrupt
}

// A truncated gzip input keeps the rows read before the cut: the outputs are final
// for them and valid, and the error names the byte offset. A corrupt one (found by
// its checksum, after garbage may have been decoded) publishes nothing.
func TestE2EDamagedGzipInput(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	truncated, corrupt := damagedGzip(t, 3000)

	t.Run("truncated", func(t *testing.T) {
		dir := t.TempDir()
		in := filepath.Join(dir, "ids.csv.gz")
		os.WriteFile(in, truncated, 0o600)
		out := filepath.Join(dir, "out", "p.jsonl")
		sumPath := filepath.Join(dir, "summary.json")
		p := run(t, nil, exportArgs(in, out, sb.URL, "--summary", sumPath)...)
		p.expectCode(job.ExitError)
		if !strings.Contains(p.stderr.String(), "compressed byte") {
			t.Errorf("the error does not name the byte offset:\n%s", p.stderr.String())
		}
		if !strings.Contains(p.stderr.String(), "wrote "+out) {
			t.Errorf("stderr does not say the outputs were written:\n%s", p.stderr.String())
		}
		// The outputs are final, but the export is not complete: the rows after
		// the cut are in neither file.
		var sum struct {
			Completed *bool    `json:"completed"`
			ExitCode  int      `json:"exit_code"`
			Outputs   []string `json:"outputs"`
			Error     string   `json:"error"`
		}
		b, err := os.ReadFile(sumPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &sum); err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		if sum.Completed == nil || *sum.Completed || sum.ExitCode != job.ExitError || len(sum.Outputs) == 0 || !strings.Contains(sum.Error, "truncated") {
			t.Errorf("want completed false, exit_code 1, the outputs and the error:\n%s", b)
		}
		got := readSingle(t, out)
		if len(got) < 100 || len(got) >= 3000 {
			t.Fatalf("%d rows exported from a file cut at two thirds", len(got))
		}
		for line, rec := range got {
			if want := fmt.Sprintf("CRM-%07d", line-2); rec.ID != want {
				t.Fatalf("line %d holds ID %q, want %q", line, rec.ID, want)
			}
		}
	})
	t.Run("corrupt", func(t *testing.T) {
		dir := t.TempDir()
		in := filepath.Join(dir, "ids.csv.gz")
		os.WriteFile(in, corrupt, 0o600)
		out := filepath.Join(dir, "out", "p.jsonl")
		p := run(t, nil, exportArgs(in, out, sb.URL)...)
		p.expectCode(job.ExitUsage)
		if msg := p.stderr.String(); !strings.Contains(msg, "corrupt") || !strings.Contains(msg, "nothing was published") {
			t.Errorf("the error does not say the input is corrupt and nothing was published:\n%s", msg)
		}
		if ents, _ := os.ReadDir(filepath.Join(dir, "out")); len(ents) != 0 {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			t.Errorf("a corrupt input left %q", names)
		}
	})
}

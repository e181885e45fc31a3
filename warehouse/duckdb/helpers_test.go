package duckdb

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
	"github.com/profile-export/profile-export/writer"
)

// input is a generated CSV of IDs and what each of its lines holds.
type input struct {
	path  string
	ids   map[int64]string // line number (the header is line 1) → id
	types map[int64]string // line number → canonical type; "" for an invalid row
	rows  int
}

// writeInput writes a CSV of n rows mixing the three ID types (one by an alias),
// thirdPartyIds that need escaping, and a few invalid rows (empty ID).
func writeInput(t *testing.T, dir string, n, seed int) input {
	t.Helper()
	in := input{path: filepath.Join(dir, fmt.Sprintf("ids-%d.csv", seed)), ids: map[int64]string{}, types: map[int64]string{}, rows: n}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"id", "type"})
	for i := 0; i < n; i++ {
		line := int64(i + 2)
		var id, typ, canonical string
		switch {
		case i%53 == 17:
			id, typ = "", "tntId" // invalid: empty ID
		case i%3 == 0:
			id, typ, canonical = fmt.Sprintf("%015d-%06d", 111492025094307+seed*100000+i, i), "tntId", "tntId"
		case i%3 == 1:
			id, typ, canonical = fmt.Sprintf("%038d", seed*1000000+i), "ecid", "marketingCloudVisitorId"
		default:
			id, typ, canonical = fmt.Sprintf("crm/%d-%d ?#%%+@é", seed, i), "thirdPartyId", "thirdPartyId"
		}
		w.Write([]string{id, typ})
		in.ids[line], in.types[line] = id, canonical
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in.path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return in
}

// exportTo runs the real export in-process against a sandbox into output (a
// directory or a path template ending in "/"), Parquet, in parts of rowsPerFile
// rows. edit, if not nil, changes the configuration first.
func exportTo(t *testing.T, in input, output string, rowsPerFile int, srv *sandbox.Server, edit func(*job.Config)) (*job.Summary, error) {
	t.Helper()
	if srv == nil {
		srv = sandbox.StartTest(t, sandbox.Config{})
	}
	cfg := job.Config{
		Input: in.path, Output: output, Format: writer.Parquet,
		Rate: -1, Concurrency: 4, RowsPerFile: rowsPerFile, Grace: 5 * time.Second,
		Fetch: fetch.Config{BaseURL: srv.URL},
	}
	if edit != nil {
		edit(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	return job.Run(ctx, cfg)
}

// mustExport is exportTo for a run that must complete.
func mustExport(t *testing.T, in input, output string, rowsPerFile int) *job.Summary {
	t.Helper()
	sum, err := exportTo(t, in, output, rowsPerFile, nil, nil)
	if err != nil {
		t.Fatalf("export to %s: %v", output, err)
	}
	if !sum.Completed || sum.Rows != int64(in.rows) {
		t.Fatalf("export to %s: completed=%v rows=%d, want all %d", output, sum.Completed, sum.Rows, in.rows)
	}
	return sum
}

// fileEntry and manifest are the parts of _manifest.json the tests read, decoded
// here independently of the SQL under test.
type fileEntry struct {
	Name   string `json:"name"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

type manifest struct {
	RunID   string      `json:"run_id"`
	Shard   string      `json:"shard"`
	Parts   []fileEntry `json:"parts"`
	Rejects []fileEntry `json:"rejects"`
	Counts  struct {
		Rows     int64 `json:"rows"`
		Profiles int64 `json:"profiles"`
	} `json:"counts"`
}

func readManifest(t *testing.T, path string) manifest {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// sqlFile returns the text of one of this directory's SQL files, read before a
// test changes its working directory.
func sqlFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// openDuckDB opens an in-memory DuckDB and returns one connection of it: the
// statements set session variables and temporary tables, which live in a
// connection, not in database/sql's pool.
func openDuckDB(t *testing.T) *sql.Conn {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// run executes a script of statements as a user would paste it.
func run(conn *sql.Conn, script string) error {
	_, err := conn.ExecContext(context.Background(), script)
	return err
}

// queryOne runs a query returning one row and scans it into dst.
func queryOne(t *testing.T, conn *sql.Conn, query string, dst ...any) {
	t.Helper()
	if err := conn.QueryRowContext(context.Background(), query).Scan(dst...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// columnTypes returns DuckDB's type of each column of a table or view.
func columnTypes(t *testing.T, conn *sql.Conn, table string) map[string]string {
	t.Helper()
	rows, err := conn.QueryContext(context.Background(), "DESCRIBE "+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		types[fmt.Sprint(vals[0])] = fmt.Sprint(vals[1])
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return types
}

// copyDir copies the regular files of src into a new directory dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		r, err := os.Open(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, err := os.Create(filepath.Join(dst, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

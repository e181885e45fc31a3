package duckdb

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/profile-export/profile-export/job"
)

// TestLoadSQLLoadsAFinishedExport exports 1,000 rows for real into a directory of
// several Parquet parts, runs load.sql verbatim, and checks what a DuckDB user
// gets: every profile and every reject once, with the types and values the
// README promises.
func TestLoadSQLLoadsAFinishedExport(t *testing.T) {
	script := sqlFile(t, "load.sql")
	dir := t.TempDir()
	in := writeInput(t, dir, 1000, 1)
	before := time.Now()
	sum := mustExport(t, in, filepath.Join(dir, "export")+"/", 150)
	after := time.Now()
	m := readManifest(t, filepath.Join(dir, "export", "_manifest.json"))
	if len(m.Parts) < 3 || len(m.Rejects) == 0 {
		t.Fatalf("the export has %d parts and %d rejects files; the test wants several of each", len(m.Parts), len(m.Rejects))
	}

	t.Chdir(dir) // load.sql names the directory export/
	conn := openDuckDB(t)
	if err := run(conn, script); err != nil {
		t.Fatalf("load.sql: %v", err)
	}

	var profiles, rejects int64
	queryOne(t, conn, "SELECT count(*) FROM target_profiles", &profiles)
	queryOne(t, conn, "SELECT count(*) FROM target_profile_rejects", &rejects)
	if profiles != m.Counts.Profiles || profiles != sum.Profiles || profiles == 0 {
		t.Errorf("target_profiles has %d rows; the manifest counts %d profiles, the run %d", profiles, m.Counts.Profiles, sum.Profiles)
	}
	if rejects != m.Counts.Rows-m.Counts.Profiles || rejects == 0 {
		t.Errorf("target_profile_rejects has %d rows; the manifest counts %d rejects", rejects, m.Counts.Rows-m.Counts.Profiles)
	}

	types := columnTypes(t, conn, "target_profiles")
	want := map[string]string{
		"line": "BIGINT", "id": "VARCHAR", "type": "VARCHAR",
		"fetched_at": "TIMESTAMP WITH TIME ZONE", "visitor_id": "VARCHAR",
		"modified_at": "TIMESTAMP WITH TIME ZONE", "attributes": "MAP(VARCHAR, VARCHAR)",
	}
	for col, typ := range want {
		if types[col] != typ {
			t.Errorf("DuckDB types column %s as %q, want %q", col, types[col], typ)
		}
	}
	if p := types["profile"]; p != "JSON" && p != "VARCHAR" {
		t.Errorf("DuckDB types column profile as %q, want JSON (or VARCHAR)", p)
	}
	if len(types) != len(want)+1 {
		t.Errorf("target_profiles has the columns %v, want exactly %d", types, len(want)+1)
	}

	// The map holds each attribute of the answer with its value: a lookup by a
	// dotted name gives what the profile JSON holds.
	var withCity, cityDiffers, entryDiffers, sizeDiffers int64
	queryOne(t, conn, `SELECT count(*) FILTER (attributes['user.city'] IS NOT NULL),
		count(*) FILTER (attributes['user.city'] IS DISTINCT FROM profile->>'$.profileAttributes."user.city".value')
		FROM target_profiles`, &withCity, &cityDiffers)
	queryOne(t, conn, `SELECT count(*) FROM target_profiles, unnest(map_entries(attributes)) AS e(kv)
		WHERE kv.value IS DISTINCT FROM json_extract_string(profile, '$.profileAttributes."' || kv.key || '".value')`, &entryDiffers)
	queryOne(t, conn, `SELECT count(*) FROM target_profiles
		WHERE cardinality(attributes) <> coalesce(len(json_keys(profile, '$.profileAttributes')), 0)`, &sizeDiffers)
	if withCity == 0 || cityDiffers != 0 || entryDiffers != 0 || sizeDiffers != 0 {
		t.Errorf("attributes vs profile JSON: %d rows with user.city, %d where attributes['user.city'] differs, %d entries that differ, %d maps of another size",
			withCity, cityDiffers, entryDiffers, sizeDiffers)
	}

	var withVisitor, visitorDiffers int64
	queryOne(t, conn, `SELECT count(*) FILTER (visitor_id IS NOT NULL),
		count(*) FILTER (visitor_id IS DISTINCT FROM profile->>'$.visitorId') FROM target_profiles`, &withVisitor, &visitorDiffers)
	if withVisitor == 0 || visitorDiffers != 0 {
		t.Errorf("%d rows with a visitor_id, %d where it is not profile->>'$.visitorId'", withVisitor, visitorDiffers)
	}

	// fetched_at is an instant, read back as the time of the run whatever the
	// session's time zone.
	var first, last time.Time
	queryOne(t, conn, "SELECT min(fetched_at), max(fetched_at) FROM target_profiles", &first, &last)
	if first.Before(before.Truncate(time.Microsecond)) || last.After(after) {
		t.Errorf("fetched_at spans %v..%v, outside the run's %v..%v", first, last, before, after)
	}

	// Every input line is in exactly one of the two tables, with its own ID.
	seen := map[int64]string{}
	check := func(query, what string) {
		rows, err := conn.QueryContext(context.Background(), query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var line int64
			var id, typ, reason string
			var status *int64
			if err := rows.Scan(&line, &id, &typ, &reason, &status); err != nil {
				t.Fatal(err)
			}
			if prev, dup := seen[line]; dup {
				t.Errorf("line %d is in %s and in %s", line, prev, what)
			}
			seen[line] = what
			if id != in.ids[line] {
				t.Errorf("%s: line %d has id %q, the input %q", what, line, id, in.ids[line])
			}
			switch {
			case in.types[line] == "" && reason != "invalid_row":
				t.Errorf("line %d has an empty ID: in %s with reason %q, want invalid_row", line, what, reason)
			case in.types[line] != "" && typ != in.types[line]:
				t.Errorf("%s: line %d has type %q, want %q", what, line, typ, in.types[line])
			case reason == "not_found" && (status == nil || *status != 404):
				t.Errorf("line %d not found with status %v, want 404", line, status)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	check("SELECT line, id, type, '', NULL FROM target_profiles", "target_profiles")
	check("SELECT line, id, type, reason, status FROM target_profile_rejects", "target_profile_rejects")
	if len(seen) != in.rows {
		t.Errorf("the tables hold %d distinct lines, the input has %d rows", len(seen), in.rows)
	}
	for line := range in.ids {
		if _, ok := seen[line]; !ok {
			t.Errorf("line %d is in neither table", line)
		}
	}
}

// TestLoadSQLRefusesAnExportThatDoesNotMatch runs load.sql on damaged copies of a
// finished export and checks that each is refused, with an error that names the
// problem, before anything is loaded.
func TestLoadSQLRefusesAnExportThatDoesNotMatch(t *testing.T) {
	script := sqlFile(t, "load.sql")
	base := t.TempDir()
	in := writeInput(t, base, 300, 2)
	mustExport(t, in, filepath.Join(base, "export")+"/", 60)
	m := readManifest(t, filepath.Join(base, "export", "_manifest.json"))
	if len(m.Parts) < 2 || len(m.Rejects) == 0 {
		t.Fatalf("the export has %d parts and %d rejects files; the test wants more", len(m.Parts), len(m.Rejects))
	}
	part0, part1, rejects0 := m.Parts[0].Name, m.Parts[1].Name, m.Rejects[0].Name

	for _, tc := range []struct {
		name    string
		damage  func(dir string) error
		wantErr string
	}{
		{"unfinished", func(dir string) error {
			return os.Remove(filepath.Join(dir, "_SUCCESS"))
		}, "is not a finished export: no _SUCCESS"},
		{"changed part", func(dir string) error {
			f, err := os.OpenFile(filepath.Join(dir, part1), os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			if _, err := f.WriteAt([]byte{0xff, 0x00, 0xff}, 200); err != nil {
				return err
			}
			return f.Close()
		}, part1 + " has another SHA-256 than the manifest"},
		{"truncated part", func(dir string) error {
			return os.Truncate(filepath.Join(dir, part0), m.Parts[0].Bytes/2)
		}, part0 + " has "},
		{"missing rejects", func(dir string) error {
			return os.Remove(filepath.Join(dir, rejects0))
		}, rejects0 + " is missing"},
		{"stray part", func(dir string) error {
			b, err := os.ReadFile(filepath.Join(dir, part0))
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "part-00999.parquet"), b, 0o600)
		}, "part-00999.parquet is not in the manifest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			copyDir(t, filepath.Join(base, "export"), filepath.Join(dir, "export"))
			if err := tc.damage(filepath.Join(dir, "export")); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			conn := openDuckDB(t)
			err := run(conn, script)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("load.sql: err = %v, want one saying %q", err, tc.wantErr)
			}
			var tables int64
			queryOne(t, conn, "SELECT count(*) FROM duckdb_tables() WHERE NOT temporary AND table_name LIKE 'target_profile%'", &tables)
			if tables != 0 {
				t.Errorf("a refused export left %d target_profile* tables", tables)
			}
		})
	}
}

// TestLoadSQLWaitsForEveryShard exports one input as two shards into one
// directory: with one shard finished load.sql refuses the export, with both it
// loads every row of the input once.
func TestLoadSQLWaitsForEveryShard(t *testing.T) {
	script := sqlFile(t, "load.sql")
	dir := t.TempDir()
	in := writeInput(t, dir, 400, 3)
	out := filepath.Join(dir, "export") + "/"
	shard := func(k int) {
		t.Helper()
		sum, err := exportTo(t, in, out, 50, nil, func(c *job.Config) { c.Shard = job.Shard{Index: k, Count: 2} })
		if err != nil || !sum.Completed {
			t.Fatalf("shard %d/2: %v", k, err)
		}
	}
	t.Chdir(dir)

	shard(0)
	err := run(openDuckDB(t), script)
	if err == nil || !strings.Contains(err.Error(), "only 1 of 2 shards are finished") {
		t.Fatalf("load.sql with one shard of two: err = %v, want it refused", err)
	}

	shard(1)
	conn := openDuckDB(t)
	if err := run(conn, script); err != nil {
		t.Fatalf("load.sql with both shards: %v", err)
	}
	var lines, distinct, profiles int64
	queryOne(t, conn, `SELECT count(*), count(DISTINCT line) FROM
		(SELECT line FROM target_profiles UNION ALL SELECT line FROM target_profile_rejects)`, &lines, &distinct)
	queryOne(t, conn, "SELECT count(*) FROM target_profiles", &profiles)
	m0 := readManifest(t, filepath.Join("export", "_manifest-s000.json"))
	m1 := readManifest(t, filepath.Join("export", "_manifest-s001.json"))
	if lines != int64(in.rows) || distinct != int64(in.rows) {
		t.Errorf("the tables hold %d lines (%d distinct), the input has %d rows", lines, distinct, in.rows)
	}
	if profiles != m0.Counts.Profiles+m1.Counts.Profiles || m0.Counts.Profiles == 0 || m1.Counts.Profiles == 0 {
		t.Errorf("target_profiles has %d rows, the shards' manifests count %d and %d", profiles, m0.Counts.Profiles, m1.Counts.Profiles)
	}
}

// TestLoadSQLWithRejectsElsewhere exports into a directory with --rejects naming
// another one: load.sql finds the rejects parts where the manifest says they are,
// loads every row once, and refuses a changed, missing or stray rejects part.
func TestLoadSQLWithRejectsElsewhere(t *testing.T) {
	script := sqlFile(t, "load.sql")
	base := t.TempDir()
	in := writeInput(t, base, 400, 4)
	sum, err := exportTo(t, in, filepath.Join(base, "export")+"/", 60, nil, func(c *job.Config) {
		c.Rejects = filepath.Join(base, "rejects", "run1")
	})
	if err != nil || !sum.Completed {
		t.Fatalf("export: %v", err)
	}
	m := readManifest(t, filepath.Join(base, "export", "_manifest.json"))
	if len(m.Rejects) < 2 {
		t.Fatalf("the export has %d rejects files; the test wants several", len(m.Rejects))
	}
	rejects0, rejects1 := m.Rejects[0].Name, m.Rejects[1].Name

	t.Run("loads", func(t *testing.T) {
		t.Chdir(base)
		conn := openDuckDB(t)
		if err := run(conn, script); err != nil {
			t.Fatalf("load.sql: %v", err)
		}
		var lines, distinct, rejects int64
		queryOne(t, conn, `SELECT count(*), count(DISTINCT line) FROM
			(SELECT line FROM target_profiles UNION ALL SELECT line FROM target_profile_rejects)`, &lines, &distinct)
		queryOne(t, conn, "SELECT count(*) FROM target_profile_rejects", &rejects)
		if lines != int64(in.rows) || distinct != int64(in.rows) || rejects != m.Counts.Rows-m.Counts.Profiles {
			t.Errorf("the tables hold %d lines (%d distinct, %d rejects), the input has %d rows and the manifest counts %d rejects",
				lines, distinct, rejects, in.rows, m.Counts.Rows-m.Counts.Profiles)
		}
	})

	for _, tc := range []struct {
		name    string
		damage  func(rejectsDir string) error
		wantErr string
	}{
		{"changed rejects", func(dir string) error {
			f, err := os.OpenFile(filepath.Join(dir, rejects1), os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			if _, err := f.WriteAt([]byte("X"), 20); err != nil {
				return err
			}
			return f.Close()
		}, rejects1 + " has another SHA-256 than the manifest"},
		{"missing rejects", func(dir string) error {
			return os.Remove(filepath.Join(dir, rejects0))
		}, rejects0 + " is missing"},
		{"stray rejects", func(dir string) error {
			b, err := os.ReadFile(filepath.Join(dir, rejects0))
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "rejects-00999.jsonl"), b, 0o600)
		}, "rejects-00999.jsonl is not in the manifest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			copyDir(t, filepath.Join(base, "export"), filepath.Join(dir, "export"))
			copyDir(t, filepath.Join(base, "rejects", "run1"), filepath.Join(dir, "rejects", "run1"))
			if err := tc.damage(filepath.Join(dir, "rejects", "run1")); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			conn := openDuckDB(t)
			err := run(conn, script)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("load.sql: err = %v, want one saying %q", err, tc.wantErr)
			}
			var tables int64
			queryOne(t, conn, "SELECT count(*) FROM duckdb_tables() WHERE NOT temporary AND table_name LIKE 'target_profile%'", &tables)
			if tables != 0 {
				t.Errorf("a refused export left %d target_profile* tables", tables)
			}
		})
	}
}

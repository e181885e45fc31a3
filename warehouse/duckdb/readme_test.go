package duckdb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeShowsTheStatementsVerbatim keeps the README from drifting away from
// the statements the other tests run: wherever the README shows one of the SQL
// files (recognized by its first line), it must show the whole file unchanged.
func TestReadmeShowsTheStatementsVerbatim(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	shown := 0
	for _, name := range []string{"load.sql", "partitions.sql"} {
		text := sqlFile(t, name)
		first, _, _ := strings.Cut(text, "\n")
		if !strings.Contains(string(readme), first) {
			continue
		}
		shown++
		if !strings.Contains(string(readme), "```sql\n"+text+"```\n") {
			t.Errorf("README.md shows %s, but not as it is: paste the file between ```sql and ``` unchanged", name)
		}
	}
	if shown == 0 {
		t.Skip("README.md does not show the DuckDB statements (yet)")
	}
}

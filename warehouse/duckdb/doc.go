// Package duckdb tests, with a real DuckDB, the load statements the README gives
// for DuckDB: load.sql (one finished export directory into tables, checked
// against its manifest) and partitions.sql (a view over every finished run of a
// Hive-partitioned layout). It also tests ../verify-export.sh, the shell check a
// loader runs before loading into any warehouse.
//
// It is a module of its own so that the DuckDB driver (cgo and a large native
// library) is never a dependency of profile-export itself: `go test ./...` at the
// repository root does not enter this directory. Run its tests with
// scripts/test-warehouse (needs gcc, CGO_ENABLED=1).
//
// The package has no code besides its tests; the SQL files are the product, and
// the README shows them verbatim (TestReadmeShowsTheStatementsVerbatim).
package duckdb

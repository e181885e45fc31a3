package writer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
)

func newStore(t *testing.T, mode os.FileMode) (*DirStore, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	s, err := NewDirStore(dir, mode)
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

// dirEntries lists every file under dir, temporary ones included.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	return names
}

func TestDirStoreVisibleOnlyAfterCommit(t *testing.T) {
	ctx := context.Background()
	s, dir := newStore(t, 0)
	f, err := s.Create(ctx, "part-00000.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("{\"line\":2}\n{\"line\":3}\n")
	if _, err := f.Write(content[:5]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(content[5:]); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "part-00000.jsonl")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("file visible before Commit: %v", err)
	}
	if _, err := s.Stat(ctx, "part-00000.jsonl"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat before Commit = %v, want ErrNotExist", err)
	}
	if names, _ := s.List(ctx, ""); len(names) != 0 {
		t.Errorf("List before Commit = %v, want nothing", names)
	}
	sum := sha256.Sum256(content)
	if f.Size() != int64(len(content)) || f.SHA256() != hex.EncodeToString(sum[:]) {
		t.Errorf("Size, SHA256 = %d, %s; want %d, %x", f.Size(), f.SHA256(), len(content), sum)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "part-00000.jsonl"))
	if err != nil || string(got) != string(content) {
		t.Fatalf("after Commit: %q, %v", got, err)
	}
	if names := dirEntries(t, dir); !reflect.DeepEqual(names, []string{"part-00000.jsonl"}) {
		t.Errorf("directory holds %v, want only the committed file", names)
	}
	if info, err := s.Stat(ctx, "part-00000.jsonl"); err != nil || info.Size != int64(len(content)) {
		t.Errorf("Stat = %+v, %v", info, err)
	}
	// A committed file is closed for good; Abort is then a harmless no-op.
	if _, err := f.Write([]byte("x")); err == nil {
		t.Error("Write after Commit succeeded")
	}
	if err := f.Commit(); err == nil {
		t.Error("second Commit succeeded")
	}
	if err := f.Abort(); err != nil {
		t.Errorf("Abort after Commit = %v, want nil", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "part-00000.jsonl")); err != nil {
		t.Errorf("Abort after Commit removed the file: %v", err)
	}
}

func TestDirStoreAbortLeavesNothing(t *testing.T) {
	s, dir := newStore(t, 0)
	f, err := s.Create(context.Background(), "sub/part-00001.parquet")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("partial"))
	if err := f.Abort(); err != nil {
		t.Fatal(err)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("after Abort the directory holds %v", names)
	}
	if err := f.Commit(); err == nil {
		t.Error("Commit after Abort succeeded")
	}
	if err := f.Abort(); err != nil {
		t.Errorf("second Abort = %v", err)
	}
}

func TestDirStoreFileMode(t *testing.T) {
	for _, c := range []struct {
		mode, wantFile, wantDir os.FileMode
	}{
		{0, 0o600, 0o700}, // profiles are personal data: owner only by default
		{0o640, 0o640, 0o750},
	} {
		s, dir := newStore(t, c.mode)
		if err := s.WriteFile(context.Background(), "a/b.jsonl", []byte("{}\n")); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(filepath.Join(dir, "a", "b.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != c.wantFile {
			t.Errorf("mode %o: file created %o, want %o", c.mode, got, c.wantFile)
		}
		for _, d := range []string{dir, filepath.Join(dir, "a")} {
			st, err := os.Stat(d)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode().Perm(); got != c.wantDir {
				t.Errorf("mode %o: directory %s created %o, want %o", c.mode, d, got, c.wantDir)
			}
		}
	}
}

func TestDirStoreWriteFileReplaces(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t, 0)
	for _, content := range []string{"first version, longer", "second"} {
		if err := s.WriteFile(ctx, "state.json", []byte(content)); err != nil {
			t.Fatal(err)
		}
		r, err := s.Open(ctx, "state.json")
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || string(got) != content {
			t.Errorf("read %q, %v; want %q", got, err, content)
		}
	}
}

func TestDirStoreOpen(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t, 0)
	s.WriteFile(ctx, "f.txt", []byte("0123456789"))
	r, err := s.Open(ctx, "f.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	buf := make([]byte, 3)
	if n, err := r.ReadAt(buf, 7); n != 3 || err != nil || string(buf) != "789" {
		t.Errorf("ReadAt = %d, %v, %q", n, err, buf)
	}
	if r.Size() != 10 {
		t.Errorf("Size = %d", r.Size())
	}
	if _, err := s.Open(ctx, "missing.txt"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing) = %v, want ErrNotExist", err)
	}
}

func TestDirStoreListAndRemove(t *testing.T) {
	ctx := context.Background()
	s, dir := newStore(t, 0)
	for _, name := range []string{"parts/part-00001.jsonl", "parts/part-00000.jsonl", "state.json", "parts-old/x", "_SUCCESS"} {
		if err := s.WriteFile(ctx, name, []byte(name)); err != nil {
			t.Fatal(err)
		}
	}
	// A write in progress is not listed.
	f, _ := s.Create(ctx, "parts/part-00002.jsonl")
	defer f.Abort()
	for prefix, want := range map[string][]string{
		"":       {"_SUCCESS", "parts-old/x", "parts/part-00000.jsonl", "parts/part-00001.jsonl", "state.json"},
		"parts/": {"parts/part-00000.jsonl", "parts/part-00001.jsonl"},
		"parts":  {"parts-old/x", "parts/part-00000.jsonl", "parts/part-00001.jsonl"},
		"st":     {"state.json"},
		"none/":  nil,
	} {
		got, err := s.List(ctx, prefix)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("List(%q) = %v, %v; want %v", prefix, got, err, want)
		}
	}
	if err := s.Remove(ctx, "state.json"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "state.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("state.json still there: %v", err)
	}
	if err := s.Remove(ctx, "state.json"); err != nil {
		t.Errorf("Remove(missing) = %v, want nil", err)
	}
}

func TestDirStoreRefusesBadNames(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t, 0)
	for _, name := range []string{"", ".", "/etc/passwd", "../escape", "a/../../b", "a/./b", "dir/"} {
		if _, err := s.Create(ctx, name); err == nil {
			t.Errorf("Create(%q) succeeded", name)
		}
		if _, err := s.Open(ctx, name); err == nil {
			t.Errorf("Open(%q) succeeded", name)
		}
		if err := s.Remove(ctx, name); err == nil {
			t.Errorf("Remove(%q) succeeded", name)
		}
	}
}

func TestDirStoreCleanTemp(t *testing.T) {
	ctx := context.Background()
	s, dir := newStore(t, 0)
	// Leftovers of a dead run, and files that only look alike.
	os.MkdirAll(filepath.Join(dir, "parts"), 0o700)
	for _, name := range []string{".part-00000.parquet.tmp-123", "parts/.part-00001.jsonl.tmp-456", "keep.tmp-1", ".hidden"} {
		os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600)
	}
	live, err := s.Create(ctx, "parts/part-00002.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	live.Write([]byte("in progress\n"))

	n, err := s.CleanTemp(ctx)
	if err != nil || n != 2 {
		t.Errorf("CleanTemp = %d, %v; want 2 removed", n, err)
	}
	var left []string
	for _, name := range dirEntries(t, dir) {
		if !isTemp(filepath.Base(name)) {
			left = append(left, name)
		}
	}
	if !reflect.DeepEqual(left, []string{".hidden", "keep.tmp-1"}) {
		t.Errorf("after CleanTemp: %v", dirEntries(t, dir))
	}
	// The write in progress survived and still commits.
	if err := live.Commit(); err != nil {
		t.Fatalf("Commit of the live file after CleanTemp: %v", err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "parts", "part-00002.jsonl")); err != nil || string(got) != "in progress\n" {
		t.Errorf("live file = %q, %v", got, err)
	}
}

func TestDirStoreCancelledContextAborts(t *testing.T) {
	s, dir := newStore(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	f, err := s.Create(ctx, "part.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("data\n"))
	cancel()
	if err := f.Commit(); !errors.Is(err, context.Canceled) {
		t.Errorf("Commit after cancel = %v, want context.Canceled", err)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("after a cancelled write the directory holds %v", names)
	}
	if _, err := s.Create(ctx, "other.jsonl"); !errors.Is(err, context.Canceled) {
		t.Errorf("Create with a cancelled context = %v", err)
	}
}

func TestDirStoreConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t, 0)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			name := fmt.Sprintf("parts/part-%05d.jsonl", i)
			errs <- s.WriteFile(ctx, name, []byte(name))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if names, _ := s.List(ctx, "parts/"); len(names) != 8 {
		t.Errorf("List = %v, want 8 parts", names)
	}
}

// TestDirStorePartsConcatenate runs the job's single-file flow: encode parts
// into the store, then assemble them from the store's readers.
func TestDirStorePartsConcatenate(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t, 0)
	all := manyProfiles(30)
	var names []string
	for i := 0; i < 3; i++ {
		name := fmt.Sprintf("parts/part-%05d.parquet", i)
		f, err := s.Create(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		enc := NewParquet(f, ParquetOptions{})
		for _, p := range all[i*10 : i*10+10] {
			if err := enc.Write(p); err != nil {
				t.Fatal(err)
			}
		}
		if err := enc.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.Commit(); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	var ps []Part
	for _, name := range names {
		r, err := s.Open(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		ps = append(ps, r)
	}
	out, err := s.Create(ctx, "profiles.parquet")
	if err != nil {
		t.Fatal(err)
	}
	if err := Concatenate(ctx, out, Parquet, false, ps); err != nil {
		t.Fatal(err)
	}
	if err := out.Commit(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(s.Path("profiles.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if rows := readParquet(t, data); len(rows) != len(all) || rows[29].Line != all[29].Line {
		t.Errorf("%d rows, want %d", len(rows), len(all))
	}
}

func TestNewDirStoreRefusesAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "file")
	os.WriteFile(path, nil, 0o600)
	if _, err := NewDirStore(path, 0); err == nil {
		t.Error("NewDirStore on a regular file succeeded")
	}
}

package writer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// s3Server is an in-process S3 API (gofakes3, in memory) on a loopback
// listener, recording what it is asked.
type s3Server struct {
	backend   *s3mem.Backend
	bucketURL string // for NewBlobStore
	// hold, when set, is called before a part upload is served.
	hold func(r *http.Request)

	mu     sync.Mutex
	reqs   []string     // "METHOD ?query" of each request, in order
	served atomic.Int64 // body bytes of GET answers
}

// newS3 starts an S3 server with a bucket "lake", and points the AWS SDK's
// credential chain at static test credentials, away from any real account.
func newS3(t *testing.T) *s3Server {
	t.Helper()
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": none, "AWS_SHARED_CREDENTIALS_FILE": none,
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "", "AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_S3": "",
	} {
		t.Setenv(k, v)
	}
	s := &s3Server{backend: s3mem.New()}
	if err := s.backend.CreateBucket("lake"); err != nil {
		t.Fatal(err)
	}
	fake := gofakes3.New(s.backend).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Method+" ?"+r.URL.RawQuery)
		hold := s.hold
		s.mu.Unlock()
		if hold != nil && r.URL.Query().Has("partNumber") {
			hold(r)
		}
		fake.ServeHTTP(&countingResponse{ResponseWriter: w, n: &s.served, count: r.Method == http.MethodGet}, r)
	}))
	t.Cleanup(srv.Close)
	// gofakes3 returns no checksums; without response_checksum_validation
	// the SDK would log that it cannot validate each answer.
	s.bucketURL = "s3://lake?" + url.Values{
		"endpoint": {srv.URL}, "use_path_style": {"true"}, "disable_https": {"true"}, "region": {"us-east-1"},
		"response_checksum_validation": {"when_required"},
	}.Encode()
	return s
}

type countingResponse struct {
	http.ResponseWriter
	n     *atomic.Int64
	count bool
}

func (c *countingResponse) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	if c.count {
		c.n.Add(int64(n))
	}
	return n, err
}

// requests returns how many requests so far had a query containing q.
func (s *s3Server) requests(q string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.reqs {
		if strings.Contains(r, q) {
			n++
		}
	}
	return n
}

func newS3Store(t *testing.T, s *s3Server, prefix string, opts BlobOptions) *BlobStore {
	t.Helper()
	st, err := NewBlobStore(context.Background(), s.bucketURL, prefix, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// blobBackends runs a test against the S3 server and against fileblob.
func blobBackends(t *testing.T, test func(t *testing.T, st *BlobStore)) {
	t.Run("s3", func(t *testing.T) {
		test(t, newS3Store(t, newS3(t), "exports/run=1", BlobOptions{}))
	})
	t.Run("file", func(t *testing.T) {
		t.Setenv("TMPDIR", t.TempDir()) // fileblob's temporary files go there
		st, err := NewBlobStore(context.Background(), "file://"+filepath.ToSlash(t.TempDir())+"/bucket", "exports/run=1", BlobOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		test(t, st)
	})
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(1, uint64(n)))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func mustNotExist(t *testing.T, st *BlobStore, name string) {
	t.Helper()
	if _, err := st.Stat(context.Background(), name); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat(%s) = %v, want an error wrapping fs.ErrNotExist", name, err)
	}
	if names, err := st.List(context.Background(), ""); err != nil || len(names) != 0 {
		t.Errorf("List = %v, %v; want nothing", names, err)
	}
}

func readAll(t *testing.T, st *BlobStore, name string) []byte {
	t.Helper()
	r, err := st.Open(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) != r.Size() {
		t.Errorf("read %d bytes, Size says %d", len(b), r.Size())
	}
	return b
}

func TestBlobStoreVisibleOnlyAfterCommit(t *testing.T) {
	blobBackends(t, func(t *testing.T, st *BlobStore) {
		ctx := context.Background()
		data := randomBytes(3<<20 + 17) // crosses read windows
		f, err := st.Create(ctx, "parts/part-00000.parquet")
		if err != nil {
			t.Fatal(err)
		}
		for chunk := range slicesOf(data, 100_000) {
			if _, err := f.Write(chunk); err != nil {
				t.Fatal(err)
			}
		}
		mustNotExist(t, st, "parts/part-00000.parquet")
		if f.Size() != int64(len(data)) || f.SHA256() != sha(data) {
			t.Errorf("Size, SHA256 = %d, %s; want %d, %s", f.Size(), f.SHA256(), len(data), sha(data))
		}
		if err := f.Commit(); err != nil {
			t.Fatal(err)
		}
		info, err := st.Stat(ctx, "parts/part-00000.parquet")
		if err != nil || info.Size != int64(len(data)) || info.ModTime.IsZero() {
			t.Errorf("Stat = %+v, %v", info, err)
		}
		if got := readAll(t, st, "parts/part-00000.parquet"); !bytes.Equal(got, data) {
			t.Errorf("read back %d bytes (sha %s), want the %d written", len(got), sha(got), len(data))
		}
		if err := f.Commit(); !errors.Is(err, os.ErrClosed) {
			t.Errorf("second Commit = %v, want os.ErrClosed", err)
		}
		if err := f.Abort(); err != nil {
			t.Errorf("Abort after Commit = %v, want a no-op", err)
		}
	})
}

func slicesOf(b []byte, n int) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for len(b) > 0 {
			k := min(n, len(b))
			if !yield(b[:k]) {
				return
			}
			b = b[k:]
		}
	}
}

func TestBlobStoreAbortLeavesNothing(t *testing.T) {
	blobBackends(t, func(t *testing.T, st *BlobStore) {
		ctx := context.Background()
		f, err := st.Create(ctx, "part-00000.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("{\"a\":1}\n"))
		if err := f.Abort(); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte("x")); !errors.Is(err, os.ErrClosed) {
			t.Errorf("Write after Abort = %v, want os.ErrClosed", err)
		}
		if err := f.Commit(); err == nil {
			t.Error("Commit after Abort succeeded")
		}
		mustNotExist(t, st, "part-00000.jsonl")
		if tmp := os.Getenv("TMPDIR"); strings.HasPrefix(st.Location(""), "file:") {
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("fileblob left temporary files: %v", left)
			}
		}
	})
}

func TestBlobStoreAbortKeepsPreviousObject(t *testing.T) {
	blobBackends(t, func(t *testing.T, st *BlobStore) {
		ctx := context.Background()
		if err := st.WriteFile(ctx, "_state.json", []byte(`{"v":1}`)); err != nil {
			t.Fatal(err)
		}
		f, err := st.Create(ctx, "_state.json")
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(`{"v":2,"trunc`))
		f.Abort()
		if got := readAll(t, st, "_state.json"); string(got) != `{"v":1}` {
			t.Errorf("after an aborted rewrite: %q, want the previous content", got)
		}
		if err := st.WriteFile(ctx, "_state.json", []byte(`{"v":3}`)); err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, st, "_state.json"); string(got) != `{"v":3}` {
			t.Errorf("after WriteFile: %q, want the new content", got)
		}
	})
}

// TestBlobStoreCancelledWriteLeavesNothing interrupts writes the way a
// signal does, by cancelling their context: small files (one PUT at Commit)
// and large ones (a multipart upload under way) leave no object.
func TestBlobStoreCancelledWriteLeavesNothing(t *testing.T) {
	for _, size := range []int{1000, 20 << 20} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			blobBackends(t, func(t *testing.T, st *BlobStore) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				f, err := st.Create(ctx, "part-00001.parquet")
				if err != nil {
					t.Fatal(err)
				}
				data := randomBytes(size)
				if _, err := f.Write(data); err != nil {
					t.Fatal(err)
				}
				cancel()
				// The stream breaks as the context ends; a later Write fails.
				var werr error
				for i := 0; i < 1000 && werr == nil; i++ {
					_, werr = f.Write(data[:100])
				}
				if !errors.Is(werr, context.Canceled) {
					t.Errorf("Write after cancel = %v, want context.Canceled", werr)
				}
				if err := f.Commit(); err == nil {
					t.Error("Commit after cancel succeeded")
				}
				mustNotExist(t, st, "part-00001.parquet")
			})
		})
	}
}

func TestBlobStoreCommitAfterCancelFails(t *testing.T) {
	blobBackends(t, func(t *testing.T, st *BlobStore) {
		ctx, cancel := context.WithCancel(context.Background())
		f, err := st.Create(ctx, "part-00002.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("{}\n"))
		cancel()
		if err := f.Commit(); !errors.Is(err, context.Canceled) {
			t.Errorf("Commit = %v, want context.Canceled", err)
		}
		mustNotExist(t, st, "part-00002.jsonl")
		if _, err := st.Create(ctx, "x"); !errors.Is(err, context.Canceled) {
			t.Errorf("Create with a cancelled context = %v", err)
		}
	})
}

// TestBlobStoreStreamsMultipart checks that a large file goes up in parts
// while it is being written, so that memory holds buffers, not the file.
func TestBlobStoreStreamsMultipart(t *testing.T) {
	s := newS3(t)
	st := newS3Store(t, s, "big", BlobOptions{BufferSize: MinBlobBufferSize, MaxConcurrency: 1})
	ctx := context.Background()
	data := randomBytes(32 << 20)
	f, err := st.Create(ctx, "part-00000.parquet")
	if err != nil {
		t.Fatal(err)
	}
	for chunk := range slicesOf(data, 1<<20) {
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	// The SDK holds at most its first 16 MiB and (1+1) parts of 5 MiB: of the
	// 32 MiB written, some parts must already be up.
	if n := s.requests("partNumber="); n == 0 {
		t.Errorf("no part uploaded before Commit, after writing %d MiB", len(data)>>20)
	}
	mustNotExist(t, st, "part-00000.parquet")
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := s.requests("partNumber="); n < 6 {
		t.Errorf("%d parts uploaded, want at least 6 of 5 MiB", n)
	}
	if s.requests("uploadId=") == 0 || s.requests("uploads") == 0 {
		t.Errorf("no multipart upload: %v", s.reqs)
	}
	if got := readAll(t, st, "part-00000.parquet"); sha(got) != f.SHA256() || sha(got) != sha(data) {
		t.Errorf("object sha %s, written %s, want %s", sha(got), f.SHA256(), sha(data))
	}
}

// TestBlobStoreCancelUnblocksWrite checks that a Write waiting for a slow
// upload returns when its context is cancelled.
func TestBlobStoreCancelUnblocksWrite(t *testing.T) {
	s := newS3(t)
	held, release := make(chan struct{}, 100), make(chan struct{})
	s.mu.Lock()
	s.hold = func(r *http.Request) {
		held <- struct{}{}
		<-release // the server notices no cancellation before reading the body
	}
	s.mu.Unlock()
	t.Cleanup(func() { close(release) }) // before the server closes
	st := newS3Store(t, s, "", BlobOptions{BufferSize: MinBlobBufferSize, MaxConcurrency: 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f, err := st.Create(ctx, "part-00000.parquet")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		chunk := randomBytes(1 << 20)
		for range 64 { // more than the SDK's buffers hold
			if _, err := f.Write(chunk); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	<-held // a part upload is stuck, so writing will block
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("blocked Write returned %v, want context.Canceled", err)
	}
	if err := f.Commit(); err == nil {
		t.Error("Commit succeeded")
	}
	mustNotExist(t, st, "part-00000.parquet")
}

// TestBlobStoreReadAtFetchesRanges checks that reading a footer does not
// download the object: Parquet readers start at the end.
func TestBlobStoreReadAtFetchesRanges(t *testing.T) {
	s := newS3(t)
	st := newS3Store(t, s, "", BlobOptions{})
	ctx := context.Background()
	data := randomBytes(6 << 20)
	if err := st.WriteFile(ctx, "f.parquet", data); err != nil {
		t.Fatal(err)
	}
	r, err := st.Open(ctx, "f.parquet")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	before := s.served.Load()
	tail := make([]byte, 8)
	if n, err := r.ReadAt(tail, r.Size()-8); n != 8 || err != nil || !bytes.Equal(tail, data[len(data)-8:]) {
		t.Fatalf("ReadAt(end-8) = %d, %v, %x", n, err, tail)
	}
	if got := s.served.Load() - before; got > blobReadAhead {
		t.Errorf("reading 8 bytes at the end downloaded %d bytes", got)
	}
	// A read running past the end returns what there is, with io.EOF.
	buf := make([]byte, 100)
	if n, err := r.ReadAt(buf, r.Size()-10); n != 10 || !errors.Is(err, io.EOF) || !bytes.Equal(buf[:10], data[len(data)-10:]) {
		t.Errorf("ReadAt across the end = %d, %v", n, err)
	}
	if n, err := r.ReadAt(buf, r.Size()); n != 0 || !errors.Is(err, io.EOF) {
		t.Errorf("ReadAt at the end = %d, %v; want 0, io.EOF", n, err)
	}
	// Small reads near each other are served from one fetch.
	gets := s.requests("x-id=GetObject")
	for off := int64(1000); off < 200_000; off += 1000 {
		if _, err := r.ReadAt(buf, off); err != nil || !bytes.Equal(buf, data[off:off+100]) {
			t.Fatalf("ReadAt(%d) = %v or wrong bytes", off, err)
		}
	}
	if n := s.requests("x-id=GetObject") - gets; n != 1 {
		t.Errorf("200 small reads in 200 KB took %d requests, want 1", n)
	}
	// Concurrent readers see the right bytes (go test -race checks the rest).
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			off := int64(i) * (700 << 10)
			b := make([]byte, 300<<10)
			if n, err := r.ReadAt(b, off); n != len(b) || err != nil || !bytes.Equal(b, data[off:off+int64(len(b))]) {
				t.Errorf("concurrent ReadAt(%d) = %d, %v or wrong bytes", off, n, err)
			}
		})
	}
	wg.Wait()
	r.Close()
	if _, err := r.ReadAt(buf, 0); !errors.Is(err, os.ErrClosed) {
		t.Errorf("ReadAt after Close = %v, want os.ErrClosed", err)
	}
}

func TestBlobStoreOpenMissing(t *testing.T) {
	blobBackends(t, func(t *testing.T, st *BlobStore) {
		_, err := st.Open(context.Background(), "_state.json")
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open(missing) = %v, want an error wrapping fs.ErrNotExist", err)
		}
		if err != nil && !strings.Contains(err.Error(), "exports/run=1/_state.json") {
			t.Errorf("error %q does not name the object", err)
		}
	})
}

func TestBlobStoreListAndRemove(t *testing.T) {
	blobBackends(t, func(t *testing.T, st *BlobStore) {
		ctx := context.Background()
		for _, name := range []string{"rejects-00000.jsonl", "part-00001.parquet", "part-00000.parquet", "sub/part-00002.parquet", "_state.json"} {
			if err := st.WriteFile(ctx, name, []byte(name)); err != nil {
				t.Fatal(err)
			}
		}
		got, err := st.List(ctx, "part-")
		if want := []string{"part-00000.parquet", "part-00001.parquet"}; err != nil || !equalStrings(got, want) {
			t.Errorf("List(part-) = %v, %v; want %v", got, err, want)
		}
		got, _ = st.List(ctx, "")
		if len(got) != 5 || got[0] != "_state.json" || got[4] != "sub/part-00002.parquet" {
			t.Errorf("List() = %v, want the 5 names sorted", got)
		}
		if err := st.Remove(ctx, "part-00000.parquet"); err != nil {
			t.Fatal(err)
		}
		if err := st.Remove(ctx, "part-00000.parquet"); err != nil {
			t.Errorf("Remove(missing) = %v, want nil", err)
		}
		if got, _ := st.List(ctx, "part-"); !equalStrings(got, []string{"part-00001.parquet"}) {
			t.Errorf("after Remove, List = %v", got)
		}
		if n, err := st.CleanTemp(ctx); n != 0 || err != nil {
			t.Errorf("CleanTemp = %d, %v", n, err)
		}
	})
}

// TestBlobStorePrefixIsolates checks that a store sees only its prefix: two
// runs side by side in one bucket, as partitioned paths put them.
func TestBlobStorePrefixIsolates(t *testing.T) {
	s := newS3(t)
	ctx := context.Background()
	a := newS3Store(t, s, "tp/dt=2024-05-01/", BlobOptions{})
	b := newS3Store(t, s, "/tp/dt=2024-05-01-b", BlobOptions{})
	root := newS3Store(t, s, "", BlobOptions{})
	a.WriteFile(ctx, "part-00000.jsonl", []byte("a\n"))
	b.WriteFile(ctx, "part-00000.jsonl", []byte("b\n"))
	// A folder marker, as consoles create, is not a file.
	if err := root.bucket.WriteAll(ctx, "tp/dt=2024-05-01/folder/", nil, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.List(ctx, ""); !equalStrings(got, []string{"part-00000.jsonl"}) {
		t.Errorf("a lists %v", got)
	}
	if got := readAll(t, b, "part-00000.jsonl"); string(got) != "b\n" {
		t.Errorf("b reads %q", got)
	}
	if got, _ := root.List(ctx, "tp/"); !equalStrings(got, []string{"tp/dt=2024-05-01-b/part-00000.jsonl", "tp/dt=2024-05-01/part-00000.jsonl"}) {
		t.Errorf("root lists %v", got)
	}
	if got := a.Location("part-00000.jsonl"); got != "s3://lake/tp/dt=2024-05-01/part-00000.jsonl" {
		t.Errorf("Location = %q", got)
	}
}

// TestBlobStorePartsConcatenate runs the single-file flow against object
// storage: parts are encoded into the store, then assembled from the store's
// range readers into one object.
func TestBlobStorePartsConcatenate(t *testing.T) {
	blobBackends(t, func(t *testing.T, st *BlobStore) {
		ctx := context.Background()
		all := manyProfiles(3000)
		var parquetParts, jsonlParts []Part
		for i := 0; i < 3; i++ {
			for _, format := range []Format{Parquet, JSONL} {
				name := fmt.Sprintf(".out.parts/part-%05d.%s", i, format)
				f, err := st.Create(ctx, name)
				if err != nil {
					t.Fatal(err)
				}
				enc, err := NewEncoder(f, format, false, ParquetOptions{RowGroupRows: 400})
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range all[i*1000 : i*1000+1000] {
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
				r, err := st.Open(ctx, name)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				if format == Parquet {
					parquetParts = append(parquetParts, r)
				} else {
					jsonlParts = append(jsonlParts, r)
				}
			}
		}
		for _, c := range []struct {
			format Format
			parts  []Part
		}{{Parquet, parquetParts}, {JSONL, jsonlParts}} {
			out, err := st.Create(ctx, "out."+string(c.format))
			if err != nil {
				t.Fatal(err)
			}
			if err := Concatenate(ctx, out, c.format, false, c.parts); err != nil {
				t.Fatalf("Concatenate %s: %v", c.format, err)
			}
			if err := out.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		if rows := readParquet(t, readAll(t, st, "out.parquet")); len(rows) != len(all) || rows[2999].Line != all[2999].Line {
			t.Errorf("Parquet: %d rows, want %d", len(rows), len(all))
		}
		if recs := parseJSONL(t, readAll(t, st, "out.jsonl")); len(recs) != len(all) {
			t.Errorf("JSON Lines: %d records, want %d", len(recs), len(all))
		}
	})
}

func TestBlobStoreFileURLWritesNoSidecars(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", t.TempDir())
	st, err := NewBlobStore(context.Background(), "file://"+filepath.ToSlash(dir)+"/out", "", BlobOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.WriteFile(context.Background(), "part-00000.jsonl", []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "out"))
	if len(entries) != 1 || entries[0].Name() != "part-00000.jsonl" {
		t.Errorf("directory holds %v, want only the part (no .attrs file)", entries)
	}
}

func TestNewBlobStoreRefuses(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		url, prefix string
		opts        BlobOptions
		want        string
	}{
		{"s3://lake/exports", "", BlobOptions{}, "has a path"},
		{"lake", "", BlobOptions{}, "want scheme://bucket"},
		{"file://" + filepath.ToSlash(t.TempDir()), "a/../b", BlobOptions{}, "invalid key prefix"},
		{"file://" + filepath.ToSlash(t.TempDir()), "a//b", BlobOptions{}, "invalid key prefix"},
		{"file://" + filepath.ToSlash(t.TempDir()), "", BlobOptions{BufferSize: 1 << 20}, "below the minimum"},
		{"ftp://host/", "", BlobOptions{}, "ftp"},
	} {
		st, err := NewBlobStore(ctx, c.url, c.prefix, c.opts)
		if err == nil {
			st.Close()
			t.Errorf("NewBlobStore(%q, %q) succeeded", c.url, c.prefix)
		} else if !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewBlobStore(%q, %q) = %v, want it to say %q", c.url, c.prefix, err, c.want)
		}
	}
}

func TestBlobStoreRefusesBadNames(t *testing.T) {
	blobBackends(t, func(t *testing.T, st *BlobStore) {
		ctx := context.Background()
		for _, name := range []string{"", "/abs", "../up", "a/./b", "dir/"} {
			if _, err := st.Create(ctx, name); err == nil {
				t.Errorf("Create(%q) succeeded", name)
			}
			if _, err := st.Open(ctx, name); err == nil || errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Open(%q) = %v, want an invalid-name error", name, err)
			}
		}
	})
}

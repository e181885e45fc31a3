package writer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	// The drivers of the bucket URL schemes a BlobStore opens; each uses its
	// cloud's standard credential chain (environment, shared config files,
	// workload identity, instance metadata...).
	_ "gocloud.dev/blob/azureblob" // azblob://container
	_ "gocloud.dev/blob/fileblob"  // file:///absolute/directory
	_ "gocloud.dev/blob/gcsblob"   // gs://bucket
	_ "gocloud.dev/blob/s3blob"    // s3://bucket
)

// Defaults and limits of BlobOptions.
const (
	// DefaultBlobBufferSize is the part size of uploads when BlobOptions.BufferSize is 0.
	DefaultBlobBufferSize = 8 << 20
	// MinBlobBufferSize is the smallest part size accepted: S3 refuses multipart
	// uploads whose parts, all but the last, are smaller than 5 MiB.
	MinBlobBufferSize = 5 << 20
	// DefaultBlobMaxConcurrency is how many parts of one file are uploaded at
	// once when BlobOptions.MaxConcurrency is 0.
	DefaultBlobMaxConcurrency = 2
)

// blobReadAhead is the least a Reader of a BlobStore fetches per request: a
// Parquet reader asks for many small ranges (footer, page headers), each of
// which would otherwise be a request of its own.
const blobReadAhead = 1 << 20

// BlobOptions configures a BlobStore. The zero value means the defaults.
type BlobOptions struct {
	// BufferSize is the size of the parts in which a file is uploaded
	// (multipart upload on S3, blocks on Azure, chunks on GCS):
	// DefaultBlobBufferSize when 0, at least MinBlobBufferSize. The memory a
	// file being written holds is bounded by the buffers, not by the file's
	// size: about (MaxConcurrency+1) × BufferSize on S3 and Azure, plus, on S3,
	// the first 16 MiB the SDK reads to choose between one PUT and a multipart
	// upload; one BufferSize on GCS. S3 takes at most 10,000 parts, so an
	// object can reach 10,000 × BufferSize: 78 GiB with the default (raise it
	// for larger single-file outputs).
	BufferSize int
	// MaxConcurrency is how many parts of one file are uploaded at once:
	// DefaultBlobMaxConcurrency when 0.
	MaxConcurrency int
}

// BlobStore is a Store in an object storage bucket (S3, GCS, Azure Blob
// Storage) or, for tests and parity, a local directory through fileblob,
// opened by URL with gocloud.dev/blob. Names are object keys below a prefix.
//
// A file is streamed up as it is written (multipart upload) and appears only
// when Commit completes the upload: a loader never sees a partial object at a
// final key. An aborted or interrupted write leaves no object. On S3 it can
// leave an incomplete multipart upload, invisible to readers but stored (and
// billed) until aborted: give the bucket a lifecycle rule
// (AbortIncompleteMultipartUpload, e.g. after 1 day) to remove them. GCS and
// Azure expire uncommitted uploads and blocks by themselves.
//
// File modes do not apply: access is governed by the bucket's policies. Object
// storage has no directories, so List is by plain key prefix and there is
// nothing to create before writing.
type BlobStore struct {
	bucket *blob.Bucket
	prefix string // "" or ending in "/"
	base   string // the bucket URL without its query, for messages
	opts   BlobOptions
}

var _ Store = (*BlobStore)(nil)

// NewBlobStore opens the bucket at bucketURL and returns a store of the
// objects whose keys start with prefix.
//
// bucketURL names a bucket the way gocloud.dev/blob does, with the driver's
// query parameters: "s3://bucket?region=eu-west-1", "gs://bucket",
// "azblob://container", "file:///absolute/directory". Its path must be empty
// except for file URLs (put the key prefix in prefix). For S3-compatible
// services, s3blob accepts endpoint=, use_path_style=true, disable_https=true,
// region= and request_checksum_calculation=when_required. For file URLs the
// directory is created if missing and no ".attrs" metadata files are written
// beside the objects (create_dir and metadata=skip, unless the URL sets them);
// fileblob writes to a temporary file in os.TempDir and renames it, which
// fails across file systems: set TMPDIR, or pass no_tmp_dir=true to write
// temporary files beside the objects (where List would show them). fileblob
// neither fsyncs nor restricts permissions (files 0666, directories 0777, less
// the umask): for local outputs DirStore is the durable and private choice.
//
// prefix is a slash-separated key prefix such as "exports/dt=2024-05-01/";
// leading and trailing slashes are ignored and it is used as a directory.
//
// Credentials come from each cloud's standard chain (environment, shared
// configuration, workload identity, instance metadata). Call Close when done.
func NewBlobStore(ctx context.Context, bucketURL, prefix string, opts BlobOptions) (*BlobStore, error) {
	if opts.BufferSize == 0 {
		opts.BufferSize = DefaultBlobBufferSize
	}
	if opts.BufferSize < MinBlobBufferSize {
		return nil, fmt.Errorf("blob store: buffer size %d is below the minimum of %d bytes", opts.BufferSize, MinBlobBufferSize)
	}
	if opts.MaxConcurrency == 0 {
		opts.MaxConcurrency = DefaultBlobMaxConcurrency
	}
	if opts.MaxConcurrency < 0 {
		return nil, fmt.Errorf("blob store: negative upload concurrency %d", opts.MaxConcurrency)
	}
	u, err := url.Parse(bucketURL)
	if err != nil || u.Scheme == "" {
		return nil, fmt.Errorf("blob store: bucket URL %q: want scheme://bucket, such as s3://bucket", redactURL(bucketURL))
	}
	if u.Scheme != "file" && strings.Trim(u.Path, "/") != "" {
		return nil, fmt.Errorf("blob store: bucket URL %s has a path: pass the key prefix separately", redactURL(bucketURL))
	}
	if u.Scheme == "file" {
		q := u.Query()
		for k, v := range map[string]string{"create_dir": "true", "metadata": "skip"} {
			if !q.Has(k) {
				q.Set(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	p := strings.Trim(prefix, "/")
	if p != "" {
		if !fs.ValidPath(p) {
			return nil, fmt.Errorf("blob store: invalid key prefix %q: want slash-separated names without empty, . or .. elements", prefix)
		}
		p += "/"
	}
	b, err := blob.OpenBucket(ctx, u.String())
	if err != nil {
		return nil, fmt.Errorf("blob store: open %s: %w", redactURL(bucketURL), err)
	}
	base := u.Scheme + "://" + u.Host + strings.TrimSuffix(u.Path, "/") + "/"
	return &BlobStore{bucket: b, prefix: p, base: base, opts: opts}, nil
}

// redactURL drops the query of a URL for messages: driver parameters are not
// secrets in themselves, but there is no need to repeat them.
func redactURL(s string) string {
	if i := strings.IndexByte(s, '?'); i >= 0 {
		return s[:i]
	}
	return s
}

// Location returns the URL of name in the store, without the bucket URL's
// query parameters, such as "s3://bucket/exports/part-00000.parquet"; it is
// meant for messages and manifests.
func (s *BlobStore) Location(name string) string { return s.base + s.prefix + name }

// Close releases the bucket. Files being written must be committed or aborted
// first.
func (s *BlobStore) Close() error {
	if err := s.bucket.Close(); err != nil {
		return fmt.Errorf("close bucket %s: %w", s.base, err)
	}
	return nil
}

func (s *BlobStore) key(name string) string { return s.prefix + name }

// wrapErr adds the operation and location to err, and makes a missing object
// an error wrapping fs.ErrNotExist.
func (s *BlobStore) wrapErr(op, name string, err error) error {
	if gcerrors.Code(err) == gcerrors.NotFound {
		return &fs.PathError{Op: op, Path: s.Location(name), Err: fs.ErrNotExist}
	}
	return fmt.Errorf("%s %s: %w", op, s.Location(name), err)
}

// Create starts an upload to name; see Store.Create. The file is streamed to
// the bucket as it is written, BufferSize bytes at a time, and Write blocks
// while the upload catches up. Cancelling ctx, or Abort, fails the upload so
// that no object appears.
func (s *BlobStore) Create(ctx context.Context, name string) (File, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("create %s: %w", s.Location(name), err)
	}
	uctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	f := &blobFile{
		store: s, name: name, pw: pw, ctx: uctx, cancel: cancel,
		hash: sha256.New(), result: make(chan error, 1),
	}
	// Whatever cancels the upload's context also breaks the stream, so the
	// driver sees an error, never an end of file that would complete a
	// partial object; and a Write blocked on the pipe returns.
	f.stop = context.AfterFunc(uctx, func() { pw.CloseWithError(context.Cause(uctx)) })
	wopts := &blob.WriterOptions{
		ContentType:    contentType(name),
		BufferSize:     s.opts.BufferSize,
		MaxConcurrency: s.opts.MaxConcurrency,
	}
	go func() {
		err := s.bucket.Upload(uctx, s.key(name), pr, wopts)
		// Unblock a Write waiting on an upload that ended early.
		pr.CloseWithError(cmpErr(err, io.ErrClosedPipe))
		f.result <- err
	}()
	return f, nil
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// contentType is the media type stored with an object, from its name.
// Compressed files are labelled as what they are (application/gzip), not with a
// Content-Encoding that some clients would decode on the fly, which would
// break the checksums of the manifest.
func contentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".gz"):
		return "application/gzip"
	case strings.HasSuffix(name, ".parquet"):
		return "application/vnd.apache.parquet"
	case strings.HasSuffix(name, ".jsonl"), strings.HasSuffix(name, ".ndjson"):
		return "application/x-ndjson"
	case strings.HasSuffix(name, ".json"):
		return "application/json"
	default:
		return "application/octet-stream"
	}
}

// WriteFile uploads a small file in one piece; see Store.WriteFile. Object
// storage replaces an object whole, so readers see the old content or the new.
func (s *BlobStore) WriteFile(ctx context.Context, name string, data []byte) error {
	f, err := s.Create(ctx, name)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// Open opens a committed object; see Store.Open. The Reader fetches byte
// ranges as they are read, at least 1 MiB at a time, using ctx for every
// request until it is closed; its ReadAt is safe for concurrent use.
func (s *BlobStore) Open(ctx context.Context, name string) (Reader, error) {
	info, err := s.Stat(ctx, name)
	if err != nil {
		return nil, err
	}
	return &blobReader{ctx: ctx, store: s, name: name, size: info.Size}, nil
}

// Stat describes a committed object; see Store.Stat.
func (s *BlobStore) Stat(ctx context.Context, name string) (Info, error) {
	if err := checkName(name); err != nil {
		return Info{}, err
	}
	a, err := s.bucket.Attributes(ctx, s.key(name))
	if err != nil {
		return Info{}, s.wrapErr("stat", name, err)
	}
	return Info{Size: a.Size, ModTime: a.ModTime}, nil
}

// Remove deletes an object; see Store.Remove.
func (s *BlobStore) Remove(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	err := s.bucket.Delete(ctx, s.key(name))
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return s.wrapErr("remove", name, err)
	}
	return nil
}

// List returns the names of the objects whose name starts with prefix; see
// Store.List. Keys that are not valid names (folder markers ending in "/",
// keys with empty, . or .. elements) are left out. S3, GCS and Azure list
// strongly consistently: an object is listed as soon as its Commit returns.
func (s *BlobStore) List(ctx context.Context, prefix string) ([]string, error) {
	it := s.bucket.List(&blob.ListOptions{Prefix: s.prefix + prefix})
	var names []string
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("list %s%s: %w", s.Location(""), prefix, err)
		}
		name := strings.TrimPrefix(obj.Key, s.prefix)
		if obj.IsDir || checkName(name) != nil {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// CleanTemp returns 0: an interrupted upload leaves no object behind, only,
// on S3, an invisible incomplete multipart upload, which a bucket lifecycle
// rule removes (see BlobStore). It fails only when ctx is done.
func (s *BlobStore) CleanTemp(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("clean temporary files: %w", err)
	}
	return 0, nil
}

// blobFile is a File of a BlobStore: the writing end of a pipe whose reading
// end an upload goroutine streams to the bucket.
type blobFile struct {
	store  *BlobStore
	name   string
	pw     *io.PipeWriter
	ctx    context.Context    // the upload's
	cancel context.CancelFunc // cancels the upload
	stop   func() bool        // unregisters the AfterFunc breaking the pipe
	result chan error         // the upload's outcome
	hash   hash.Hash
	size   int64
	err    error // sticky write error
	done   bool  // committed or aborted
}

func (f *blobFile) Write(p []byte) (int, error) {
	if f.done {
		return 0, fmt.Errorf("write %s: %w", f.store.Location(f.name), os.ErrClosed)
	}
	if f.err != nil {
		return 0, f.err
	}
	err := f.ctx.Err()
	n := 0
	if err == nil {
		n, err = f.pw.Write(p)
		f.hash.Write(p[:n])
		f.size += int64(n)
	}
	if err != nil {
		if cerr := context.Cause(f.ctx); cerr != nil {
			err = cerr // rather than the closed pipe it caused
		}
		f.err = fmt.Errorf("write %s: %w", f.store.Location(f.name), err)
	}
	return n, f.err
}

func (f *blobFile) Size() int64 { return f.size }

func (f *blobFile) SHA256() string { return hex.EncodeToString(f.hash.Sum(nil)) }

// Commit ends the stream and waits for the upload to complete; the object is
// visible when Commit returns nil.
func (f *blobFile) Commit() error {
	if f.done {
		return fmt.Errorf("commit %s: %w", f.store.Location(f.name), os.ErrClosed)
	}
	if f.err != nil {
		f.Abort()
		return f.err
	}
	f.done = true
	if !f.stop() {
		// The context was cancelled: the stream is broken, the upload fails.
		err := <-f.result
		f.cancel()
		return f.store.wrapErr("commit", f.name, cmpErr(err, context.Canceled))
	}
	f.pw.Close() // end of file: the upload completes
	err := <-f.result
	f.cancel()
	if err != nil {
		return f.store.wrapErr("commit", f.name, err)
	}
	return nil
}

// Abort cancels the upload and waits for it to end, so that no object
// appears.
func (f *blobFile) Abort() error {
	if f.done {
		return nil
	}
	f.done = true
	// Cancel first: a driver that meets a broken stream with a live context
	// (fileblob, GCS) would complete the partial object.
	f.cancel()
	f.pw.CloseWithError(errAborted)
	<-f.result
	return nil
}

// errAborted breaks the stream of an aborted upload.
var errAborted = errors.New("upload aborted")

// blobReader reads an object by ranges, keeping the last range fetched.
type blobReader struct {
	ctx   context.Context
	store *BlobStore
	name  string
	size  int64

	mu     sync.Mutex
	win    []byte // the last range fetched
	winOff int64  // its offset in the object
	off    int64  // of Read
	closed bool
}

func (r *blobReader) Size() int64 { return r.size }

func (r *blobReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	off := r.off
	r.mu.Unlock()
	n, err := r.ReadAt(p, off)
	r.mu.Lock()
	r.off += int64(n)
	r.mu.Unlock()
	if n > 0 && errors.Is(err, io.EOF) {
		err = nil // io.Reader reports EOF on the next call
	}
	return n, err
}

func (r *blobReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("read %s: negative offset %d", r.store.Location(r.name), off)
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return 0, fmt.Errorf("read %s: %w", r.store.Location(r.name), os.ErrClosed)
	}
	if off >= r.size {
		r.mu.Unlock()
		return 0, io.EOF
	}
	want := int(min(int64(len(p)), r.size-off))
	if off >= r.winOff && off+int64(want) <= r.winOff+int64(len(r.win)) {
		copy(p, r.win[off-r.winOff:])
		r.mu.Unlock()
		return want, eofIf(want < len(p))
	}
	r.mu.Unlock()

	if want >= blobReadAhead {
		if err := r.fetch(p[:want], off); err != nil {
			return 0, err
		}
		return want, eofIf(want < len(p))
	}
	buf := make([]byte, min(blobReadAhead, r.size-off))
	if err := r.fetch(buf, off); err != nil {
		return 0, err
	}
	copy(p, buf)
	r.mu.Lock()
	r.win, r.winOff = buf, off
	r.mu.Unlock()
	return want, eofIf(want < len(p))
}

func eofIf(short bool) error {
	if short {
		return io.EOF
	}
	return nil
}

// fetch fills buf with the object's bytes from off.
func (r *blobReader) fetch(buf []byte, off int64) error {
	rr, err := r.store.bucket.NewRangeReader(r.ctx, r.store.key(r.name), off, int64(len(buf)), nil)
	if err != nil {
		return r.store.wrapErr("read", r.name, err)
	}
	defer rr.Close()
	if _, err := io.ReadFull(rr, buf); err != nil {
		// A short object: it changed since Open.
		return fmt.Errorf("read %s at %d: %w", r.store.Location(r.name), off, err)
	}
	return nil
}

func (r *blobReader) Close() error {
	r.mu.Lock()
	r.closed, r.win = true, nil
	r.mu.Unlock()
	return nil
}

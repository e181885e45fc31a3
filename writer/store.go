package writer

import (
	"context"
	"io"
	"time"
)

// Store is where finished files go: a local directory (DirStore) or, later, an
// object storage bucket. Names are slash-separated paths relative to the store,
// such as "part-00000.parquet" or "parts/part-00000.jsonl.gz"; they must satisfy
// io/fs.ValidPath. A Store is safe for concurrent use.
//
// The interface follows what object storage offers: a file being written is
// invisible until it is committed, then appears whole, replacing any file of
// the same name.
type Store interface {
	// Create starts a file that becomes visible at name only when Commit
	// succeeds. Cancelling ctx aborts the write, as it does for object storage:
	// Write and Commit then fail and nothing becomes visible (to commit state
	// during a shutdown, pass context.WithoutCancel(ctx)).
	Create(ctx context.Context, name string) (File, error)
	// WriteFile writes a small file (state, manifest, _SUCCESS marker)
	// atomically: readers see the old content or the new, never a mix.
	WriteFile(ctx context.Context, name string, data []byte) error
	// Open opens a committed file for reading, sequentially or at any offset.
	// A missing file yields an error wrapping io/fs.ErrNotExist.
	Open(ctx context.Context, name string) (Reader, error)
	// Stat describes a committed file. A missing file yields an error wrapping
	// io/fs.ErrNotExist.
	Stat(ctx context.Context, name string) (Info, error)
	// Remove deletes a file; removing a missing file is not an error.
	Remove(ctx context.Context, name string) error
	// List returns the names of the committed files whose name starts with
	// prefix (plain string prefix, as in object storage), sorted.
	List(ctx context.Context, prefix string) ([]string, error)
	// CleanTemp removes what interrupted writes of earlier runs left behind and
	// returns how many such files it removed. Call it only when no other
	// process writes to the store. A store whose interrupted writes leave
	// nothing behind returns 0.
	CleanTemp(ctx context.Context) (int, error)
}

// File is a file being written to a Store. It is not safe for concurrent use.
type File interface {
	io.Writer
	// Commit makes the file visible under its name, complete, replacing any
	// earlier file of that name. On error the file is discarded and nothing
	// new is visible (in a DirStore, a failure of only the last step, the
	// fsync of the directory, can leave the new file visible but not durable).
	Commit() error
	// Abort discards the file. It is a no-op after Commit or Abort, so
	// `defer f.Abort()` is the way to clean up on every error path.
	Abort() error
	// Size returns the number of bytes written so far.
	Size() int64
	// SHA256 returns the lower-case hex SHA-256 of the bytes written so far
	// (of the whole file once committed), computed while writing.
	SHA256() string
}

// Reader reads a committed file of a Store. It is a Part, so it can be given
// to Concatenate.
type Reader interface {
	io.Reader
	io.ReaderAt
	io.Closer
	// Size returns the size of the file in bytes.
	Size() int64
}

// Info describes a committed file.
type Info struct {
	Size    int64     // in bytes
	ModTime time.Time // when it was last committed
}

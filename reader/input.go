package reader

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
)

// inputBufferSize is the read-ahead buffer between the file and the decompressor or
// parser.
const inputBufferSize = 64 << 10

// Input is an opened input file: its bytes, decompressed when the file is gzip.
// Size and Offset may be called from another goroutine while the Input is read.
type Input struct {
	name   string
	size   int64
	closer io.Closer // the file opened by Open; nil for standard input or NewInput
	count  *countingReader
	gz     *gzip.Reader // nil when the input is not gzip
	err    error        // sticky error returned by Read, with context
}

// Open opens path for reading; "-" means standard input. A gzip file (recognised by its
// magic bytes, not by its name) is decompressed transparently.
func Open(path string) (*Input, error) {
	if path == "-" {
		return NewInput(os.Stdin, "stdin", -1)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening input: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("opening input: %w", err)
	}
	if fi.IsDir() {
		f.Close()
		return nil, fmt.Errorf("opening input: %s is a directory", path)
	}
	size := int64(-1)
	if fi.Mode().IsRegular() {
		size = fi.Size()
	}
	in, err := NewInput(f, path, size)
	if err != nil {
		f.Close()
		return nil, err
	}
	in.closer = f
	return in, nil
}

// NewInput is Open for an already open stream r named name (for messages), whose size
// in bytes is size (-1 when unknown). Closing the Input does not close r.
func NewInput(r io.Reader, name string, size int64) (*Input, error) {
	in := &Input{name: name, size: size}
	in.count = &countingReader{br: bufio.NewReaderSize(r, inputBufferSize)}
	magic, err := in.count.br.Peek(6)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		// The counting reader is an io.ByteReader, so the decompressor reads from it
		// directly and its count is exactly the compressed bytes consumed.
		in.gz, err = gzip.NewReader(in.count)
		if err != nil {
			return nil, fmt.Errorf("%s: bad gzip header: %w", name, err)
		}
	case bytes.HasPrefix(magic, []byte("PK\x03\x04")):
		return nil, fmt.Errorf("%s is a zip archive; only gzip is read directly: unzip it first", name)
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return nil, fmt.Errorf("%s is zstd-compressed; only gzip is read directly: decompress it first", name)
	case bytes.HasPrefix(magic, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return nil, fmt.Errorf("%s is xz-compressed; only gzip is read directly: decompress it first", name)
	}
	return in, nil
}

// Read reads decompressed bytes. An error other than io.EOF names the byte offset of
// the file reached (compressed bytes for gzip).
func (in *Input) Read(p []byte) (int, error) {
	if in.err != nil {
		return 0, in.err
	}
	var n int
	var err error
	if in.gz != nil {
		n, err = in.gz.Read(p)
	} else {
		n, err = in.count.Read(p)
	}
	if err != nil && err != io.EOF {
		if in.gz != nil {
			err = fmt.Errorf("%s: truncated or corrupt gzip data at compressed byte %d: %w", in.name, in.Offset(), err)
		} else {
			err = fmt.Errorf("reading %s at byte %d: %w", in.name, in.Offset(), err)
		}
		in.err = err
	}
	return n, err
}

// Close closes the file opened by Open. It does not close standard input.
func (in *Input) Close() error {
	var err error
	if in.gz != nil {
		err = in.gz.Close()
	}
	if in.closer != nil {
		if cerr := in.closer.Close(); err == nil {
			err = cerr
		}
		in.closer = nil
	}
	return err
}

// Name is the path given to Open, or "stdin".
func (in *Input) Name() string { return in.name }

// Size is the size of the file on disk (compressed size for gzip), or -1 when unknown,
// as for standard input or a pipe.
func (in *Input) Size() int64 { return in.size }

// Offset is how many bytes of the file (compressed bytes for gzip) have been consumed
// so far; compare it with Size for a progress estimate. Read-ahead buffering makes it
// run ahead of the rows returned by up to 64 KiB.
func (in *Input) Offset() int64 { return in.count.n.Load() }

// Compressed reports whether the file is gzip.
func (in *Input) Compressed() bool { return in.gz != nil }

// countingReader counts the bytes read through it.
type countingReader struct {
	br *bufio.Reader
	n  atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.br.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.br.ReadByte()
	if err == nil {
		c.n.Add(1)
	}
	return b, err
}

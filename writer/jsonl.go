package writer

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/profile-export/profile-export/internal/jsonstr"
	"github.com/profile-export/profile-export/internal/jsonvalid"
	"github.com/profile-export/profile-export/row"
)

// ProfileEncoder writes profiles into one part file.
type ProfileEncoder interface {
	// Write adds one profile. A profile whose Body is not valid JSON is refused
	// with an error wrapping ErrInvalidProfile; nothing of it is written and the
	// encoder stays usable, so the caller can reject that row. Any other error is
	// sticky: the part is broken and must be aborted.
	Write(p row.Profile) error
	// Close flushes buffers and writes the format's trailer (gzip footer, Parquet
	// footer), after which the part is complete. It does not close the
	// underlying writer.
	Close() error
}

// ErrInvalidProfile is wrapped by the errors of ProfileEncoder.Write for a
// profile that cannot be written (its Body is not valid JSON).
var ErrInvalidProfile = errors.New("invalid profile")

// errClosed is returned by encoders used after Close.
var errClosed = errors.New("writer: encoder already closed")

// flushAt is the size at which encoders hand their buffered lines to the
// underlying writer.
const flushAt = 64 << 10

// fetchedAtLayout is RFC 3339 in UTC with exactly three fractional digits.
const fetchedAtLayout = "2006-01-02T15:04:05.000Z07:00"

// NewEncoder returns the ProfileEncoder for format: NewJSONL (gzip-compressed
// when gzip is set) or NewParquet with opts. Parquet with gzip is refused.
func NewEncoder(w io.Writer, format Format, gzip bool, opts ParquetOptions) (ProfileEncoder, error) {
	if err := format.validate(gzip); err != nil {
		return nil, err
	}
	if format == Parquet {
		return NewParquet(w, opts), nil
	}
	return NewJSONL(w, gzip), nil
}

// NewJSONL returns an encoder writing one JSON object per line to w, through
// gzip when gz is set:
//
//	{"line":2,"id":"…","type":"tntId","fetched_at":"2026-12-03T16:28:22.123Z","profile":{…}}
//
// fetched_at is RFC 3339 in UTC with milliseconds; profile is the API answer
// byte for byte, except that an answer spread over several lines is compacted
// onto one and invalid UTF-8 is replaced by U+FFFD (JSON Lines is UTF-8, one
// record per line).
func NewJSONL(w io.Writer, gz bool) ProfileEncoder {
	e := &jsonlEncoder{out: w, buf: make([]byte, 0, flushAt+4<<10)}
	if gz {
		e.gz = gzip.NewWriter(w)
		e.out = e.gz
	}
	return e
}

type jsonlEncoder struct {
	out    io.Writer    // w, or gz
	gz     *gzip.Writer // nil without compression
	buf    []byte       // complete lines not yet written to out
	norm   bodyNormalizer
	err    error // sticky write error
	closed bool
}

func (e *jsonlEncoder) Write(p row.Profile) error {
	if e.closed {
		return errClosed
	}
	if e.err != nil {
		return e.err
	}
	body, err := e.norm.normalize(p.Body, p.Checked, true)
	if err != nil {
		return fmt.Errorf("line %d: %w", p.Line, err)
	}
	e.buf = appendProfileLine(e.buf, p, body)
	if len(e.buf) >= flushAt {
		return e.flush()
	}
	return nil
}

// appendProfileLine appends the JSON Lines record of p, with body as its profile.
func appendProfileLine(b []byte, p row.Profile, body []byte) []byte {
	b = append(b, `{"line":`...)
	b = strconv.AppendInt(b, p.Line, 10)
	b = append(b, `,"id":`...)
	b = jsonstr.Append(b, p.ID)
	b = append(b, `,"type":`...)
	b = jsonstr.Append(b, string(p.Type))
	b = append(b, `,"fetched_at":"`...)
	b = appendFetchedAt(b, p.FetchedAt)
	b = append(b, `","profile":`...)
	b = append(b, body...)
	return append(b, '}', '\n')
}

// appendFetchedAt appends t in UTC as RFC 3339 with milliseconds.
func appendFetchedAt(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, fetchedAtLayout)
}

func (e *jsonlEncoder) flush() error {
	if len(e.buf) == 0 {
		return nil
	}
	_, err := e.out.Write(e.buf)
	e.buf = e.buf[:0]
	if err != nil {
		e.err = fmt.Errorf("write JSON Lines: %w", err)
	}
	return e.err
}

func (e *jsonlEncoder) Close() error {
	if e.closed {
		return e.err
	}
	e.closed = true
	if err := e.flush(); err != nil {
		return err
	}
	if e.gz != nil {
		if err := e.gz.Close(); err != nil {
			e.err = fmt.Errorf("finish gzip stream: %w", err)
		}
	}
	return e.err
}

// bodyNormalizer checks API answers and readies them for embedding, reusing
// its buffers from one answer to the next.
type bodyNormalizer struct {
	utf8Fixed bytes.Buffer
	compacted bytes.Buffer
}

// normalize checks that body is valid JSON, unless checked says the caller
// already knows it is (and in valid UTF-8), and returns it ready to embed as
// UTF-8 text: unchanged in the usual case; with invalid UTF-8 bytes replaced by
// U+FFFD (in valid JSON they can only sit inside strings, so it stays valid);
// and, when oneLine is set and body holds a line break, compacted (a JSON string
// cannot hold a raw line break, so every one is insignificant whitespace). The
// result may alias n's buffers and is valid until the next call.
func (n *bodyNormalizer) normalize(body []byte, checked, oneLine bool) ([]byte, error) {
	// The usual answer, valid JSON in valid UTF-8, is recognized in one fast pass
	// (none when fetch checked it already); anything else takes the careful path
	// below.
	if (checked || jsonvalid.Valid(body)) && !(oneLine && hasLineBreak(body)) {
		return body, nil
	}
	if !utf8.Valid(body) {
		n.utf8Fixed.Reset()
		n.utf8Fixed.Write(bytes.ToValidUTF8(body, []byte("\uFFFD")))
		body = n.utf8Fixed.Bytes()
	}
	if oneLine && hasLineBreak(body) {
		n.compacted.Reset()
		if err := json.Compact(&n.compacted, body); err != nil {
			return nil, fmt.Errorf("%w: profile body is not valid JSON: %v", ErrInvalidProfile, err)
		}
		return n.compacted.Bytes(), nil
	}
	if !json.Valid(body) {
		if len(body) == 0 {
			return nil, fmt.Errorf("%w: empty profile body", ErrInvalidProfile)
		}
		return nil, fmt.Errorf("%w: profile body is not valid JSON", ErrInvalidProfile)
	}
	return body, nil
}

// hasLineBreak reports whether b holds a line feed or a carriage return.
func hasLineBreak(b []byte) bool {
	return bytes.IndexByte(b, '\n') >= 0 || bytes.IndexByte(b, '\r') >= 0
}

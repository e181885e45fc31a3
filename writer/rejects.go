package writer

import (
	"fmt"
	"io"
	"strconv"

	"github.com/profile-export/profile-export/internal/jsonstr"
	"github.com/profile-export/profile-export/row"
)

// RejectEncoder writes rejects as JSON Lines, one object per line, with the
// fields in this order, status only when not 0 and message only when not empty
// (exactly what encoding/json makes of a row.Reject, without HTML escaping):
//
//	{"line":7,"id":"…","type":"tntId","reason":"not_found","status":404,"message":"…","attempts":1}
type RejectEncoder struct {
	w      io.Writer
	buf    []byte
	err    error
	closed bool
}

// NewRejects returns a RejectEncoder writing to w.
func NewRejects(w io.Writer) *RejectEncoder {
	return &RejectEncoder{w: w, buf: make([]byte, 0, flushAt+4<<10)}
}

// Write adds one reject. An error is sticky: the part is broken.
func (e *RejectEncoder) Write(r row.Reject) error {
	if e.closed {
		return errClosed
	}
	if e.err != nil {
		return e.err
	}
	e.buf = appendRejectLine(e.buf, r)
	if len(e.buf) >= flushAt {
		return e.flush()
	}
	return nil
}

// appendRejectLine appends the JSON Lines record of r.
func appendRejectLine(b []byte, r row.Reject) []byte {
	b = append(b, `{"line":`...)
	b = strconv.AppendInt(b, r.Line, 10)
	b = append(b, `,"id":`...)
	b = jsonstr.Append(b, r.ID)
	b = append(b, `,"type":`...)
	b = jsonstr.Append(b, r.Type)
	b = append(b, `,"reason":`...)
	b = jsonstr.Append(b, string(r.Reason))
	if r.Status != 0 {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(r.Status), 10)
	}
	if r.Message != "" {
		b = append(b, `,"message":`...)
		b = jsonstr.Append(b, r.Message)
	}
	b = append(b, `,"attempts":`...)
	b = strconv.AppendInt(b, int64(r.Attempts), 10)
	return append(b, '}', '\n')
}

func (e *RejectEncoder) flush() error {
	if len(e.buf) == 0 {
		return nil
	}
	_, err := e.w.Write(e.buf)
	e.buf = e.buf[:0]
	if err != nil {
		e.err = fmt.Errorf("write rejects: %w", err)
	}
	return e.err
}

// Close writes out buffered rejects. It does not close the underlying writer.
func (e *RejectEncoder) Close() error {
	if e.closed {
		return e.err
	}
	e.closed = true
	return e.flush()
}

package writer

import (
	"bytes"
	"encoding/json"
	"time"
)

// answer is what the Parquet columns take out of one API answer. Its slices
// point into the answer itself or into scratch, and are valid until the next
// decode.
type answer struct {
	visitorID     []byte
	hasVisitorID  bool
	modifiedAt    time.Time
	hasModifiedAt bool
	attrs         []attribute
	scratch       []byte // unescaped strings and compacted values
	compacted     bytes.Buffer
}

// attribute is one entry of the answer's profileAttributes.
type attribute struct {
	name  []byte
	value []byte
	null  bool // the value is JSON null or absent
}

// decode reads the fields of body, which must be valid JSON (checked by the
// caller), in one pass and without reflection. It is lenient as the API
// documentation asks: a missing or oddly typed field is simply absent, and an
// answer that is not an object has no fields; decode never fails.
//
//   - visitorId: a string, or the JSON text of any other non-null value.
//   - modifiedAt: a timestamp string, see parseModifiedAt.
//   - profileAttributes: an object of attributes, each normally an object
//     {"value": …, "modifiedAt": …}; its value is the string itself or the JSON
//     text of any other value; an attribute object without "value", or with a
//     null one, has a null value; an attribute that is not an object is its own
//     value. A name given twice keeps its last value, as encoding/json does.
//
// As with encoding/json, a key given twice takes its last value; unlike it,
// keys are matched exactly (case-sensitively).
func (a *answer) decode(body []byte) {
	a.visitorID, a.hasVisitorID = nil, false
	a.modifiedAt, a.hasModifiedAt = time.Time{}, false
	a.attrs = a.attrs[:0]
	a.scratch = a.scratch[:0]

	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return
	}
	for i++; ; {
		key, v := nextKey(body, i)
		if key == nil {
			return
		}
		// Values of interest are read where they stand; others are skipped.
		switch string(a.unquote(key)) { // converting in a switch does not allocate
		case "visitorId":
			i = skipValue(body, v)
			a.visitorID, a.hasVisitorID = a.text(body[v:i])
		case "modifiedAt":
			i = skipValue(body, v)
			a.modifiedAt, a.hasModifiedAt = time.Time{}, false
			if body[v] == '"' {
				start := len(a.scratch)
				a.scratch = appendUnquoted(a.scratch, body[v:i])
				a.modifiedAt, a.hasModifiedAt = parseModifiedAt(a.scratch[start:])
			}
		case "profileAttributes":
			a.attrs = a.attrs[:0]
			if body[v] == '{' {
				i = a.decodeAttributes(body, v)
			} else {
				i = skipValue(body, v)
			}
		default:
			i = skipValue(body, v)
		}
	}
}

// decodeAttributes reads the profileAttributes object starting at b[i] and
// returns the offset just past it.
func (a *answer) decodeAttributes(b []byte, i int) int {
	for i++; ; {
		name, v := nextKey(b, i)
		if name == nil {
			return v
		}
		at := attribute{name: a.unquote(name), null: true}
		if b[v] == '{' {
			for i = v + 1; ; {
				k, w := nextKey(b, i)
				if k == nil {
					i = w
					break
				}
				i = skipValue(b, w)
				if string(a.unquote(k)) == "value" {
					text, present := a.text(b[w:i])
					at.value, at.null = text, !present
				}
			}
		} else {
			i = skipValue(b, v)
			text, present := a.text(b[v:i])
			at.value, at.null = text, !present
		}
		a.addAttribute(at)
	}
}

// addAttribute appends at, or replaces the value of an earlier attribute of
// the same name. Answers hold tens of attributes, so a linear search is cheap.
func (a *answer) addAttribute(at attribute) {
	for k := range a.attrs {
		if bytes.Equal(a.attrs[k].name, at.name) {
			a.attrs[k].value, a.attrs[k].null = at.value, at.null
			return
		}
	}
	a.attrs = append(a.attrs, at)
}

// text returns the value v as text: a string unquoted, null as absent, any
// other value as its JSON text without insignificant whitespace.
func (a *answer) text(v []byte) (text []byte, present bool) {
	switch {
	case v[0] == '"':
		return a.unquote(v), true
	case v[0] == 'n': // null: the only valid JSON value starting with n
		return nil, false
	case v[0] != '{' && v[0] != '[':
		return v, true // number, true, false
	}
	if bytes.IndexAny(v, " \t\r\n") < 0 {
		return v, true
	}
	a.compacted.Reset()
	_ = json.Compact(&a.compacted, v) // v is valid JSON: no error
	start := len(a.scratch)
	a.scratch = append(a.scratch, a.compacted.Bytes()...)
	return a.scratch[start:], true
}

// unquote returns the content of the JSON string literal q: a slice of q when
// it holds no escape (the body is valid UTF-8, checked by the caller), else the
// unescaped text in scratch.
func (a *answer) unquote(q []byte) []byte {
	if bytes.IndexByte(q, '\\') < 0 {
		return q[1 : len(q)-1]
	}
	start := len(a.scratch)
	a.scratch = appendUnquoted(a.scratch, q)
	return a.scratch[start:]
}

// nextKey scans to the next member of an object of b, from i just past the
// object's '{' or past the previous member's value. It returns the member's key
// (a quoted literal) and the offset of its value; at the end of the object, a
// nil key and the offset just past the '}'. b must be valid JSON.
func nextKey(b []byte, i int) (key []byte, value int) {
	i = skipSpace(b, i)
	if b[i] == ',' {
		i = skipSpace(b, i+1)
	}
	if b[i] == '}' {
		return nil, i + 1
	}
	keyEnd := skipString(b, i)
	colon := skipSpace(b, keyEnd)
	return b[i:keyEnd], skipSpace(b, colon+1)
}

// skipSpace returns the offset of the first non-whitespace byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the offset just past the string literal starting at i.
func skipString(b []byte, i int) int {
	for i++; ; {
		i += bytes.IndexByte(b[i:], '"')
		// The quote ends the string unless an odd number of backslashes
		// precede it. The opening quote stops the count.
		k := i
		for b[k-1] == '\\' {
			k--
		}
		if (i-k)%2 == 0 {
			return i + 1
		}
		i++
	}
}

// skipValue returns the offset just past the JSON value starting at i.
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
	}
	for i < len(b) { // number, true, false, null
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// modifiedAt layouts, chosen by the shape of the text after the seconds.
const (
	layoutOffsetColon = "2006-01-02T15:04:05.999999999Z07:00" // Z, +02:00
	layoutOffset      = "2006-01-02T15:04:05.999999999Z0700"  // +0200
	layoutOffsetHours = "2006-01-02T15:04:05.999999999Z07"    // +02
	layoutNoOffset    = "2006-01-02T15:04:05.999999999"
)

// parseModifiedAt parses the timestamps the API is documented to send:
// RFC 3339 with an offset ("2017-08-18T17:53:39.003-04:00", or Z) and, from an
// older generation, without one ("2016-12-01T16:35:45"), which is taken as UTC.
// It also accepts a space instead of the T, fractions of any length and offsets
// written +0400 or +04. Anything else is absent: a row never fails on it.
func parseModifiedAt(s []byte) (time.Time, bool) {
	const secondsEnd = len("2006-01-02T15:04:05")
	if len(s) < secondsEnd || len(s) > 64 {
		return time.Time{}, false
	}
	var buf [64]byte
	n := copy(buf[:], s)
	if buf[10] == ' ' {
		buf[10] = 'T'
	}
	text := string(buf[:n])
	rest := s[secondsEnd:]
	if len(rest) > 0 && rest[0] == '.' {
		rest = rest[1:]
		for len(rest) > 0 && rest[0] >= '0' && rest[0] <= '9' {
			rest = rest[1:]
		}
	}
	layout := layoutNoOffset
	switch {
	case len(rest) == 0:
	case rest[0] == 'Z' || rest[0] == 'z' || bytes.IndexByte(rest, ':') >= 0:
		layout = layoutOffsetColon
		if rest[0] == 'z' {
			text = text[:n-len(rest)] + "Z"
		}
	case len(rest) == 3:
		layout = layoutOffsetHours
	default:
		layout = layoutOffset
	}
	t, err := time.Parse(layout, text)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

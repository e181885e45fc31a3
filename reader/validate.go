package reader

import (
	"bytes"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/profile-export/profile-export/row"
)

// MaxIDChars is the longest ID the Target Profile API documents, in characters.
const MaxIDChars = 128

// makeRow builds the row of line from the raw ID and type fields. invalid, when not
// empty, is a problem already found; otherwise the type and the ID are checked.
func (rd *Reader) makeRow(line int64, id, rawType []byte, invalid string) row.Row {
	r := row.Row{Line: line, ID: string(bytes.TrimSpace(id))}
	if rd.cfg.Type != "" {
		r.Type = rd.cfg.Type
	} else {
		var canonical bool
		r.RawType, canonical = internType(bytes.TrimSpace(rawType))
		if canonical {
			r.Type = row.Type(r.RawType)
		} else if t, err := row.ParseType(r.RawType); err == nil {
			r.Type = t
		} else if invalid == "" {
			invalid = err.Error()
		}
	}
	if invalid == "" {
		invalid = checkID(r.Type, r.ID)
	}
	if invalid != "" && len(r.ID) > keptOverlongID {
		r.ID = r.ID[:keptOverlongID]
	}
	r.Invalid = invalid
	return r
}

// internType returns b as a string, without allocating for the canonical names, and
// whether it is one.
func internType(b []byte) (s string, canonical bool) {
	for _, t := range [...]row.Type{row.TntID, row.ECID, row.ThirdPartyID} {
		if string(b) == string(t) {
			return string(t), true
		}
	}
	return string(b), false
}

// checkID returns why id (already trimmed) cannot be fetched as type t, or "".
func checkID(t row.Type, id string) string {
	if id == "" {
		return "empty ID"
	}
	if id == "." || id == ".." {
		// Servers and proxies normalize such path segments away, fetching another resource.
		return fmt.Sprintf("an ID of %q cannot be sent: it is a relative path segment in the URL", id)
	}
	n := 0
	for i, c := range id {
		switch {
		case c == utf8.RuneError && !isEncodedRuneError(id[i:]):
			return "the ID is not valid UTF-8"
		case c == 0:
			return "the ID holds a NUL byte"
		case unicode.IsControl(c):
			return fmt.Sprintf("the ID holds the control character %U", c)
		case t == row.ECID && (c < '0' || c > '9'):
			return fmt.Sprintf("an ECID (marketingCloudVisitorId) holds only digits, not %q", c)
		}
		n++
	}
	if n > MaxIDChars {
		return fmt.Sprintf("the ID is %d characters long; the API accepts at most %d", n, MaxIDChars)
	}
	return ""
}

// isEncodedRuneError reports whether s starts with a genuine U+FFFD, as opposed to an
// invalid byte that ranging over a string also reports as utf8.RuneError.
func isEncodedRuneError(s string) bool {
	_, size := utf8.DecodeRuneInString(s)
	return size == 3
}

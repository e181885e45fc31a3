package fetch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/profile-export/profile-export/internal/jsonvalid"
)

const (
	// errBodyCap bounds what is read of a non-2xx answer for its message.
	errBodyCap = 16 << 10
	// drainCap bounds what is discarded after that, so the connection can be reused;
	// a longer answer closes the connection instead.
	drainCap = 64 << 10
	// excerptRunes bounds a message taken from a server's text.
	excerptRunes = 200
)

// errTooLarge reports an answer larger than the cap.
var errTooLarge = errors.New("answer too large")

// readLimited reads r to the end, at most limit bytes. A longer stream (or a
// Content-Length above limit) yields errTooLarge after reading at most limit+1
// bytes, so memory stays bounded whatever the server sends. The buffer starts at
// the announced length, so a well-behaved answer is read into one allocation.
func readLimited(r io.Reader, contentLength, limit int64) ([]byte, error) {
	if contentLength > limit {
		return nil, errTooLarge
	}
	size := int64(512)
	if contentLength >= 0 {
		size = contentLength + 1 // +1 to see EOF without growing
	}
	buf := make([]byte, 0, min(size, limit+1))
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				return buf, errTooLarge
			}
			grown := make([]byte, len(buf), min(max(2*int64(cap(buf)), 512), limit+1))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return buf, errTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// verdict classifies one HTTP answer.
type verdict int

const (
	vOK       verdict = iota // a profile
	vNotFound                // 404: final
	vAuth                    // 401/403: fatal
	vRetry                   // transient: retry while retries remain
	vFail                    // permanent failure of this row
	vFatal                   // transport problem every row would meet (TLS trust, unknown host)
	vCanceled                // the caller's context ended
)

// isJSONObject reports whether b is one JSON object in valid UTF-8. jsonvalid.Valid
// accepts exactly what json.Valid and utf8.Valid together accept, in one pass and
// iteratively (no recursion, so deep nesting cannot overflow the stack; it rejects
// nesting deeper than 10000). JSON must be UTF-8 (RFC 8259); outputs can then rely
// on the body being valid UTF-8.
func isJSONObject(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n")
	return len(t) > 0 && t[0] == '{' && jsonvalid.Valid(b)
}

// judge classifies an answer from its status and (possibly partial) body, and
// says why in one line. location is the Location header of a redirect.
//
//   - 2xx with a JSON object → OK. Any other 2xx body (an HTML page from a proxy,
//     truncated JSON, an empty body) is taken as a transient glitch: retried, and
//     Failed when retries run out.
//   - 404 → NotFound with the server's "message" (or an excerpt of the body).
//   - 401, 403 → fatal token problem.
//   - 408, 429, 5xx → retried.
//   - 3xx (a redirect not followed) and other statuses → Failed at once.
func judge(status int, body []byte, location string) (verdict, string) {
	switch {
	case status >= 200 && status <= 299:
		if isJSONObject(body) {
			return vOK, ""
		}
		what := "is not a JSON object"
		if len(body) == 0 {
			what = "is empty"
		} else if !utf8.Valid(body) {
			what = "is not valid UTF-8"
		}
		return vRetry, withExcerpt(fmt.Sprintf("HTTP %d answer %s", status, what), body)
	case status == http.StatusNotFound:
		if m := serverMessage(body); m != "" {
			return vNotFound, m
		}
		return vNotFound, statusText(status)
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return vAuth, withExcerpt(statusText(status), body)
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500 && status <= 599:
		return vRetry, withExcerpt(statusText(status), body)
	case status >= 300 && status <= 399:
		msg := statusText(status) + ": redirect not followed (only up to " +
			fmt.Sprint(MaxRedirects) + " redirects to the same scheme and host are)"
		if location != "" {
			msg += "; Location: " + excerpt([]byte(location))
		}
		return vFail, msg
	}
	return vFail, withExcerpt(statusText(status), body)
}

// statusText is "HTTP 503 Service Unavailable".
func statusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return fmt.Sprintf("HTTP %d %s", status, t)
	}
	return fmt.Sprintf("HTTP %d", status)
}

// withExcerpt appends what the server said, if anything.
func withExcerpt(prefix string, body []byte) string {
	if m := serverMessage(body); m != "" {
		return prefix + ": " + m
	}
	return prefix
}

// serverMessage is the "message" of a JSON error answer such as
// {"status":404,"message":"No profile found …"}, or else an excerpt of the body.
func serverMessage(body []byte) string {
	var e struct {
		Message any `json:"message"`
	}
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == '{' && json.Unmarshal(body, &e) == nil {
		if s, ok := e.Message.(string); ok && strings.TrimSpace(s) != "" {
			return excerpt([]byte(s))
		}
	}
	return excerpt(body)
}

// excerpt reduces server text to one short line of valid UTF-8: control and
// format characters (e.g. bidi overrides) and runs of spaces become one space, and it is cut at excerptRunes
// runes with "…".
func excerpt(b []byte) string {
	var sb strings.Builder
	space, n := false, 0
	for len(b) > 0 && n < excerptRunes {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			space = sb.Len() > 0
			continue
		}
		if space {
			sb.WriteByte(' ')
			space = false
			n++
		}
		sb.WriteRune(r) // an invalid byte becomes U+FFFD
		n++
	}
	if len(bytes.TrimSpace(b)) > 0 {
		sb.WriteString("…")
	}
	return sb.String()
}

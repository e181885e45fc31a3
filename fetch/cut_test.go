package fetch

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
)

// cutMidBody sends the status line, the headers and the first half of
// profileJSON, then resets the connection (a TCP RST, as a crashing proxy does);
// with chunked, the body has no Content-Length.
func cutMidBody(t *testing.T, w http.ResponseWriter, chunked bool) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	half := profileJSON[:len(profileJSON)/2]
	if chunked {
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", len(half), half)
	} else {
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(profileJSON), half)
	}
	buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // close sends RST
	}
	conn.Close()
}

// An answer whose connection is cut mid-body is no answer: retried as a transport
// failure, and when the retries run out, Failed without a status (a status 200
// would say the API answered), saying the answer was cut.
func TestCutMidBody(t *testing.T) {
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			s := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { cutMidBody(t, w, chunked) })
			cfg := fastConfig(s.URL)
			var seen []Attempt
			cfg.OnAttempt = func(a Attempt) { seen = append(seen, a) }
			res := fetchOne(t, mustNew(t, cfg), "x")
			if res.Outcome != Failed || res.Status != 0 || res.Attempts != cfg.Retries+1 {
				t.Fatalf("got %v status %d after %d attempts (%s); want failed, no status, after %d",
					res.Outcome, res.Status, res.Attempts, res.Message, cfg.Retries+1)
			}
			if !strings.Contains(res.Message, "cut off mid-body") || strings.Contains(res.Message, "200") {
				t.Errorf("message %q does not say the answer was cut, or names a status", res.Message)
			}
			if !chunked && !strings.Contains(res.Message, fmt.Sprintf("%d of %d bytes", len(profileJSON)/2, len(profileJSON))) {
				t.Errorf("message %q does not say how much of the body came", res.Message)
			}
			for _, a := range seen {
				if a.Status != 0 || a.Err == nil {
					t.Errorf("attempt %d: status %d, err %v; want no status and an error", a.Number, a.Status, a.Err)
				}
			}
		})
	}
}

// A cut answer is retried like any other network error: the next complete
// answer is the row's profile.
func TestCutMidBodyThenProfile(t *testing.T) {
	s := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			cutMidBody(t, w, false)
			return
		}
		fmt.Fprint(w, profileJSON)
	})
	res := fetchOne(t, mustNew(t, fastConfig(s.URL)), "x")
	if res.Outcome != OK || res.Status != 200 || res.Attempts != 2 || string(res.Body) != profileJSON {
		t.Fatalf("got %v status %d after %d attempts (%s); want the profile on the second", res.Outcome, res.Status, res.Attempts, res.Message)
	}
}

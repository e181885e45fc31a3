package fetch

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// allocDuring returns how many bytes f allocated (the whole process; these tests do
// not run in parallel).
func allocDuring(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestBodyLargerThanMaxBody(t *testing.T) {
	big := []byte(`{"a":"` + strings.Repeat("x", 8<<20) + `"}`) // 8 MiB
	for _, withLength := range []bool{false, true} {
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			if withLength {
				w.Header().Set("Content-Length", fmt.Sprint(len(big)))
			} // else chunked: the size is found while reading
			w.Write(big)
		})
		cfg := fastConfig(s.URL)
		cfg.MaxBody = 1 << 20
		var res Result
		alloc := allocDuring(func() { res = fetchOne(t, mustNew(t, cfg), "x") })
		if res.Outcome != Failed || res.Attempts != 1 || !strings.Contains(res.Message, "larger than the 1048576-byte limit of --max-body") {
			t.Errorf("Content-Length %v: got %v after %d attempts: %s", withLength, res.Outcome, res.Attempts, res.Message)
		}
		t.Logf("Content-Length %v: %d KiB allocated", withLength, alloc>>10)
		if alloc > 6<<20 {
			t.Errorf("Content-Length %v: reading allocated %d MiB for a 1 MiB cap", withLength, alloc>>20)
		}
	}
}

func TestBodyExactlyMaxBody(t *testing.T) {
	body := `{"a":"` + strings.Repeat("x", 1000-8) + `"}`
	s := newServer(t, answerWith(200, body))
	cfg := fastConfig(s.URL)
	cfg.MaxBody = int64(len(body))
	if res := fetchOne(t, mustNew(t, cfg), "x"); res.Outcome != OK || string(res.Body) != body {
		t.Errorf("a body of exactly MaxBody: %v %s", res.Outcome, res.Message)
	}
}

var (
	bombOnce sync.Once
	bomb     []byte // gzip of 64 MiB that compresses to ~64 KiB
)

func gzipBytes(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return buf.Bytes()
}

func serveGzip(body []byte, acceptEncoding *string) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, r *http.Request) {
		*acceptEncoding = r.Header.Get("Accept-Encoding")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}
}

// Go's transport asks for gzip and decodes it; MaxBody bounds the decoded size.
func TestGzip(t *testing.T) {
	var ae string
	s := newServer(t, serveGzip(gzipBytes(t, []byte(profileJSON)), &ae))
	res := fetchOne(t, mustNew(t, fastConfig(s.URL)), "x")
	if res.Outcome != OK || string(res.Body) != profileJSON {
		t.Fatalf("gzipped profile: %v %q %s", res.Outcome, res.Body, res.Message)
	}
	if ae != "gzip" {
		t.Errorf("Accept-Encoding %q", ae)
	}
}

func TestGzipBomb(t *testing.T) {
	bombOnce.Do(func() {
		bomb = gzipBytes(t, append([]byte(`{"a":"`), bytes.Repeat([]byte{'a'}, 64<<20)...))
	})
	var ae string
	s := newServer(t, serveGzip(bomb, &ae))
	cfg := fastConfig(s.URL)
	cfg.MaxBody = 1 << 20
	var res Result
	alloc := allocDuring(func() { res = fetchOne(t, mustNew(t, cfg), "x") })
	if res.Outcome != Failed || res.Attempts != 1 || !strings.Contains(res.Message, "larger than") {
		t.Errorf("gzip bomb (%d KiB): got %v after %d attempts: %s", len(bomb)>>10, res.Outcome, res.Attempts, res.Message)
	}
	t.Logf("%d KiB allocated", alloc>>10)
	if alloc > 8<<20 {
		t.Errorf("a %d KiB bomb made the client allocate %d MiB", len(bomb)>>10, alloc>>20)
	}
}

// The per-attempt Timeout covers reading the whole body, not just the headers. An
// answer that did not complete in time has no status, like one that never began.
func TestDribblingServerTimesOut(t *testing.T) {
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		w.Write([]byte("{"))
		for {
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Millisecond):
				w.Write([]byte(" "))
			}
		}
	})
	cfg := fastConfig(s.URL)
	cfg.Timeout = 150 * time.Millisecond
	cfg.Retries = 1
	res := fetchOne(t, mustNew(t, cfg), "x")
	if res.Outcome != Failed || res.Attempts != 2 || res.Status != 0 || !strings.Contains(res.Message, "within 150ms (timeout)") {
		t.Fatalf("got %v status %d after %d attempts: %s", res.Outcome, res.Status, res.Attempts, res.Message)
	}
}

func TestSlowHeadersTimeOut(t *testing.T) {
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	cfg := fastConfig(s.URL)
	cfg.Timeout = 50 * time.Millisecond
	res := fetchOne(t, mustNew(t, cfg), "x")
	if res.Outcome != Failed || res.Attempts != 3 || res.Status != 0 || !strings.Contains(res.Message, "timeout") {
		t.Fatalf("got %+v", res)
	}
}

func TestHostileJSON(t *testing.T) {
	deepOK := strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000)
	tests := []struct {
		name    string
		body    string
		outcome Outcome
		message string
	}{
		{"1e5 open brackets", strings.Repeat("[", 100000), Failed, "not a JSON object"},
		{"1e5 open objects", strings.Repeat(`{"a":`, 100000), Failed, "not a JSON object"},
		{"1e5 nested balanced", strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000), Failed, "not a JSON object"},
		{"5000 nested balanced", deepOK, OK, ""},
		{"invalid UTF-8 in a string", "{\"a\":\"\xff\xfe\"}", Failed, "not valid UTF-8"},
		{"NUL byte", "{\"a\":1}\x00", Failed, "not a JSON object"},
		{"two objects", `{}{}`, Failed, "not a JSON object"},
		{"BOM", "\ufeff{}", Failed, "not a JSON object"},
	}
	for _, tt := range tests {
		s := newServer(t, answerWith(200, tt.body))
		res := fetchOne(t, mustNew(t, fastConfig(s.URL)), "x")
		if res.Outcome != tt.outcome || !strings.Contains(res.Message, tt.message) {
			t.Errorf("%s: got %v: %s", tt.name, res.Outcome, res.Message)
		}
		if tt.outcome == OK && string(res.Body) != tt.body {
			t.Errorf("%s: body not verbatim", tt.name)
		}
		if !utf8.ValidString(res.Message) || len(res.Message) > 400 {
			t.Errorf("%s: message not one short line of UTF-8: %q", tt.name, res.Message)
		}
	}
}

// Server text is reduced to one short line of valid UTF-8, whatever its size.
func TestHostileErrorBodies(t *testing.T) {
	huge := strings.Repeat("ab\x00\x1b[31m\xff\u202e\r\n", 1<<20) // ~17 MiB
	for _, status := range []int{404, 400, 500} {
		s := newServer(t, answerWith(status, huge))
		cfg := fastConfig(s.URL)
		cfg.Retries = -1
		var res Result
		alloc := allocDuring(func() { res = fetchOne(t, mustNew(t, cfg), "x") })
		if res.Status != status || res.Attempts != 1 {
			t.Errorf("%d: got %+v", status, res)
		}
		if !utf8.ValidString(res.Message) || len(res.Message) > 1000 || strings.ContainsAny(res.Message, "\x00\x1b\r\n\u202e") {
			t.Errorf("%d: message %q", status, res.Message)
		}
		if !strings.HasSuffix(res.Message, "…") {
			t.Errorf("%d: a cut message does not say so: %q", status, res.Message)
		}
		t.Logf("%d: %d KiB allocated", status, alloc>>10)
		if alloc > 1<<20 {
			t.Errorf("%d: a 17 MiB error body made the client allocate %d KiB", status, alloc>>10)
		}
	}
}

// A 404 whose "message" is not a string falls back to the body excerpt.
func TestNotFoundOddMessage(t *testing.T) {
	s := newServer(t, answerWith(404, `{"message": {"x": 1}}`))
	res := fetchOne(t, mustNew(t, fastConfig(s.URL)), "x")
	if res.Outcome != NotFound || res.Message != `{"message": {"x": 1}}` {
		t.Errorf("got %v %q", res.Outcome, res.Message)
	}
	_ = fmt.Sprint(res)
}

package sandbox

import (
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/profile-export/profile-export/row"
)

// Fault answers that do not depend on the request.
var (
	body429 = errorBody(http.StatusTooManyRequests,
		"Too many requests: the profile fetch limit was exceeded, retry later")
	body500 = errorBody(http.StatusInternalServerError, "Internal server error")
	body502 = []byte("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
		"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")
	body503 = errorBody(http.StatusServiceUnavailable, "Service temporarily unavailable")
	body504 = errorBody(http.StatusGatewayTimeout, "Gateway timeout")
	// bodyHTML is what a captive or corporate proxy answers instead of the API.
	bodyHTML = []byte("<!DOCTYPE html>\n<html><head><title>Web page blocked</title></head>\n" +
		"<body><h1>Access to this site is temporarily unavailable</h1>\n" +
		"<p>Your request was intercepted by the network proxy. Please try again later.</p>\n" +
		"</body></html>\n")
	// partialStatus is what a reset before the headers leaves the client with.
	partialStatus = []byte("HTTP/1.1 200 OK\r\nContent-Type: applic")
)

// delay sleeps the configured latency; false when the client or the server gave up.
func (h *Handler) delay(r *http.Request) bool {
	f := &h.cfg.Faults
	d := f.Latency
	if f.Jitter > 0 {
		// Jitter need not be reproducible, only cheap and safe for concurrent use.
		d += time.Duration(rand.Int64N(int64(2*f.Jitter)+1)) - f.Jitter
	}
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-h.done:
	}
	return false
}

// faultFor decides the fault of the attempt-th request (from 0) for the ID whose hash
// is key: an index into faultKinds, or noFault.
func (h *Handler) faultFor(key uint64, attempt int) int {
	if h.attempts == nil {
		return noFault
	}
	if attempt < h.cfg.Faults.FailFirst && h.failsFirst(key) {
		return len(faultKinds) - 1 // FaultFailFirst
	}
	u := unit(mix((key ^ saltFault) + uint64(attempt)*0x9e3779b97f4a7c15))
	acc := 0.0
	for i, rate := range h.rates {
		acc += rate
		if u < acc {
			return i
		}
	}
	return noFault
}

// failsFirst reports whether FailFirst applies to the ID whose hash is key.
func (h *Handler) failsFirst(key uint64) bool {
	share := h.cfg.Faults.FailFirstShare
	return share == 0 || unit(mix(key^saltFailFirst)) < share
}

// serveFault misbehaves as faultKinds[kind] says.
func (h *Handler) serveFault(w http.ResponseWriter, r *http.Request, kind int, t row.Type, id string, key uint64) {
	h.stats.fault(kind)
	switch faultKinds[kind] {
	case Fault429:
		if h.retryAfter != nil {
			w.Header()["Retry-After"] = h.retryAfter
		}
		h.reply(w, http.StatusTooManyRequests, ctJSON, body429)
	case Fault500:
		h.reply(w, http.StatusInternalServerError, ctJSON, body500)
	case Fault502:
		h.reply(w, http.StatusBadGateway, ctHTML, body502)
	case Fault503, FaultFailFirst:
		h.reply(w, http.StatusServiceUnavailable, ctJSON, body503)
	case FaultHTML:
		h.reply(w, http.StatusOK, ctHTML, bodyHTML)
	case FaultTruncated:
		body := h.gen.appendProfile(nil, t, id, key)
		hd := w.Header()
		hd["Content-Type"] = ctJSON
		hd["Content-Length"] = []string{strconv.Itoa(len(body))}
		w.WriteHeader(http.StatusOK)
		// Having written less than the declared length, net/http closes the
		// connection after the handler returns; the client reads an unexpected EOF.
		_, _ = w.Write(body[:len(body)/2])
		h.stats.answered(http.StatusOK)
	case FaultReset:
		h.reset(w, t, id, key)
	case FaultHang:
		timer := time.NewTimer(h.cfg.Faults.HangFor)
		defer timer.Stop()
		select {
		case <-timer.C:
			h.reply(w, http.StatusGatewayTimeout, ctJSON, body504)
		case <-r.Context().Done():
		case <-h.done:
		}
	}
}

// reset writes part of an answer (half the time part of the status line, else the
// headers and half the body), then closes the connection with a TCP RST.
func (h *Handler) reset(w http.ResponseWriter, t row.Type, id string, key uint64) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // makes net/http drop the connection
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if mix(key^saltReset)&1 == 0 {
		_, _ = buf.Write(partialStatus)
	} else {
		body := h.gen.appendProfile(nil, t, id, key)
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: ")
		_, _ = buf.WriteString(strconv.Itoa(len(body)))
		_, _ = buf.WriteString("\r\n\r\n")
		_, _ = buf.Write(body[:len(body)/2])
	}
	_ = buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // close sends RST instead of FIN
	}
	_ = conn.Close()
}

// attempts counts requests per ID hash, in a bounded way: each shard keeps two
// generations of at most attemptShardCap IDs, the older dropped when the newer fills,
// so an ID is remembered for at least the next 64×attemptShardCap distinct IDs.
type attempts struct {
	shards [64]attemptShard
}

const attemptShardCap = 8192

type attemptShard struct {
	mu        sync.Mutex
	cur, prev map[uint64]uint32
	_         [32]byte // keep hot shards on separate cache lines
}

func newAttempts() *attempts {
	a := &attempts{}
	for i := range a.shards {
		a.shards[i].cur = make(map[uint64]uint32)
	}
	return a
}

// next returns how many earlier requests the ID hashing to key made, and counts one.
func (a *attempts) next(key uint64) int {
	s := &a.shards[key>>58]
	s.mu.Lock()
	n, ok := s.cur[key]
	if !ok {
		n = s.prev[key]
		if len(s.cur) >= attemptShardCap {
			s.prev, s.cur = s.cur, make(map[uint64]uint32, attemptShardCap)
		}
	}
	s.cur[key] = n + 1
	s.mu.Unlock()
	return int(n)
}

package sandbox

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/profile-export/profile-export/internal/jsonstr"
	"github.com/profile-export/profile-export/row"
)

const (
	apiPrefix     = "/rest/v1/profiles/"
	controlPrefix = "/_sandbox/"
)

// Header values shared by every answer; net/http never modifies them.
var (
	ctJSON     = []string{"application/json;charset=UTF-8"}
	ctHTML     = []string{"text/html; charset=utf-8"}
	ctText     = []string{"text/plain; charset=utf-8"}
	allowGet   = []string{"GET"}
	bodyHealth = []byte("ok\n")
)

// Handler is the simulated API as an http.Handler. Create it with NewHandler; it is
// safe for concurrent use.
type Handler struct {
	cfg        Config // normalized
	gen        *generator
	rates      [8]float64
	retryAfter []string // Retry-After header of a 429, nil for none
	attempts   *attempts
	stats      stats
	bufs       sync.Pool // *[]byte answer buffers

	// active counts running API requests; closedBit is set by Close, which then
	// waits for idle to be closed by the last request to leave.
	active    atomic.Int64
	done      chan struct{} // closed by Close: ends latencies and hangs
	idle      chan struct{}
	closeOnce sync.Once
	idleOnce  sync.Once
}

const closedBit = 1 << 62

// NewHandler returns the simulated API for cfg, or an error when cfg is invalid
// (a rate out of [0,1], fault rates adding up to more than 1, a negative duration).
func NewHandler(cfg Config) (*Handler, error) {
	c, err := cfg.normalized()
	if err != nil {
		return nil, err
	}
	h := &Handler{
		cfg:   c,
		gen:   newGenerator(c),
		rates: c.Faults.rates(),
		done:  make(chan struct{}),
		idle:  make(chan struct{}),
	}
	if c.Faults.RetryAfter > 0 {
		secs := (c.Faults.RetryAfter + time.Second - 1) / time.Second
		h.retryAfter = []string{strconv.FormatInt(int64(secs), 10)}
	}
	if c.Faults.any() {
		h.attempts = newAttempts()
	}
	h.bufs.New = func() any { b := make([]byte, 0, 2048); return &b }
	return h, nil
}

// Stats returns what the handler has served so far.
func (h *Handler) Stats() Stats { return h.stats.snapshot(time.Now()) }

// Close ends pending latencies and hangs and waits for running requests to return.
// Requests arriving later answer 503. Close is idempotent. Call it before closing a
// server the handler is mounted on (Server.Close does).
func (h *Handler) Close() {
	h.closeOnce.Do(func() {
		close(h.done)
		if h.active.Add(closedBit) == closedBit {
			h.idleOnce.Do(func() { close(h.idle) })
		}
	})
	<-h.idle
}

// enter registers a running request; false once the handler is closed.
func (h *Handler) enter() bool {
	if h.active.Add(1)&closedBit != 0 {
		h.leave()
		return false
	}
	return true
}

func (h *Handler) leave() {
	if h.active.Add(-1) == closedBit {
		h.idleOnce.Do(func() { close(h.idle) })
	}
}

// ServeHTTP answers one request; see the package documentation for the routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	if strings.HasPrefix(path, controlPrefix) {
		h.serveControl(w, r, path)
		return
	}
	if !h.enter() {
		h.replyError(w, http.StatusServiceUnavailable, "sandbox is closing")
		return
	}
	defer h.leave()
	h.stats.request(time.Now())

	if r.Method != http.MethodGet {
		w.Header()["Allow"] = allowGet
		h.replyError(w, http.StatusMethodNotAllowed, "Method "+r.Method+" not allowed")
		return
	}
	t, id, status, msg := parseRoute(path)
	if status != 0 {
		h.replyError(w, status, msg)
		return
	}
	key := idHash(h.cfg.Seed, t, id)
	attempt := 0
	if h.attempts != nil {
		attempt = h.attempts.next(key)
	}
	if !h.delay(r) {
		return // the client or the server gave up during the latency
	}
	if kind := h.faultFor(key, attempt); kind != noFault {
		h.serveFault(w, r, kind, t, id, key)
		return
	}
	if !h.authorized(r) {
		// Never echo what was sent: it may be a real token.
		h.replyError(w, http.StatusUnauthorized, "Authentication failed: missing or invalid profile authentication token")
		return
	}
	if c, ok := clientParam(r.URL.RawQuery); ok && c != h.cfg.ClientCode {
		h.replyError(w, http.StatusBadRequest, "Invalid client code "+c)
		return
	}
	bp := h.bufs.Get().(*[]byte)
	body, found := h.gen.appendAnswer((*bp)[:0], t, id, key)
	status = http.StatusOK
	if !found {
		status = http.StatusNotFound
	}
	h.reply(w, status, ctJSON, body)
	*bp = body
	h.bufs.Put(bp)
}

// parseRoute reads the ID type and ID from an escaped API path. Segments are split
// on '/' before unescaping, so an escaped '/' stays inside its ID. A non-zero status
// comes with the message of an error answer.
func parseRoute(escaped string) (t row.Type, id string, status int, msg string) {
	rest, ok := strings.CutPrefix(escaped, apiPrefix)
	if !ok {
		return "", "", http.StatusNotFound, "No route for " + escaped
	}
	seg := rest
	t = row.TntID
	if typ, after, found := strings.Cut(rest, "/"); found {
		switch typ {
		case "marketingCloudVisitorId":
			t = row.ECID
		case "thirdPartyId":
			t = row.ThirdPartyID
		default:
			return "", "", http.StatusNotFound, "No route for " + escaped
		}
		seg = after
		if strings.Contains(seg, "/") {
			return "", "", http.StatusNotFound, "No route for " + escaped
		}
	}
	if strings.Contains(seg, "%") {
		var err error
		if id, err = url.PathUnescape(seg); err != nil {
			return "", "", http.StatusBadRequest, "Invalid escaping in visitor id"
		}
	} else {
		id = seg
	}
	switch {
	case id == "":
		return "", "", http.StatusBadRequest, "Missing visitor id"
	case utf8.RuneCountInString(id) > MaxIDLength:
		return "", "", http.StatusBadRequest, "Invalid visitor id: longer than 128 characters"
	}
	return t, id, 0, ""
}

// clientParam returns the client query parameter; ok is false when it is absent or
// empty (the sandbox accepts a request without one).
func clientParam(rawQuery string) (client string, ok bool) {
	for q := rawQuery; q != ""; {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		k, v, _ := strings.Cut(kv, "=")
		if k != "client" {
			continue
		}
		if strings.ContainsAny(v, "%+") {
			if u, err := url.QueryUnescape(v); err == nil {
				v = u
			}
		}
		return v, v != ""
	}
	return "", false
}

// authorized checks the token, when one is configured, in constant time.
func (h *Handler) authorized(r *http.Request) bool {
	if h.cfg.Token == "" {
		return true
	}
	got := r.Header.Get("Authorization")
	if scheme, tok, ok := strings.Cut(got, " "); ok && strings.EqualFold(scheme, "Bearer") {
		got = strings.TrimSpace(tok)
	} else {
		got = r.Header.Get("access_token") // the older documented header
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(h.cfg.Token)) == 1
}

// reply writes a whole answer with its Content-Length and counts its status.
func (h *Handler) reply(w http.ResponseWriter, status int, ct []string, body []byte) {
	hd := w.Header()
	hd["Content-Type"] = ct
	hd["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body) // a client gone away is not the sandbox's problem
	h.stats.answered(status)
}

// replyError answers {"status":<status>,"message":"<msg>"}.
func (h *Handler) replyError(w http.ResponseWriter, status int, msg string) {
	h.reply(w, status, ctJSON, errorBody(status, msg))
}

func errorBody(status int, msg string) []byte {
	b := make([]byte, 0, 40+len(msg))
	b = append(b, `{"status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"message":`...)
	b = jsonstr.Append(b, msg)
	return append(b, '}')
}

// serveControl answers /_sandbox/health and /_sandbox/stats; they are not counted.
func (h *Handler) serveControl(w http.ResponseWriter, r *http.Request, path string) {
	if r.Method != http.MethodGet {
		w.Header()["Allow"] = allowGet
		w.Header()["Content-Type"] = ctJSON
		w.WriteHeader(http.StatusMethodNotAllowed)
		_, _ = w.Write(errorBody(http.StatusMethodNotAllowed, "Method "+r.Method+" not allowed"))
		return
	}
	var body []byte
	ct := ctJSON
	switch path {
	case controlPrefix + "health":
		body, ct = bodyHealth, ctText
	case controlPrefix + "stats":
		var err error
		if body, err = json.Marshal(h.Stats()); err != nil {
			http.Error(w, "encoding stats: "+err.Error(), http.StatusInternalServerError)
			return
		}
	default:
		w.Header()["Content-Type"] = ctJSON
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write(errorBody(http.StatusNotFound, "No route for "+path))
		return
	}
	w.Header()["Content-Type"] = ct
	_, _ = w.Write(body)
}

// Package fetch is the HTTP client of the Adobe Target Profile API: it builds the
// URL of one visitor ID, sends it with the token, paces and retries the requests,
// and classifies each answer as a profile, a not-found, a failure of the row, or a
// fatal error that stops the job.
//
// One Client is shared by all the workers of a job; it is safe for concurrent use.
package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/profile-export/profile-export/row"
)

// Defaults of Config; a zero field means the default.
const (
	// DefaultRetries is the number of retries after the first attempt.
	DefaultRetries = 5
	// DefaultTimeout bounds one attempt: connecting, sending, and reading the
	// whole answer.
	DefaultTimeout = 30 * time.Second
	// DefaultBackoffBase is the ceiling of the first retry's random wait; the
	// ceiling doubles at each retry.
	DefaultBackoffBase = 500 * time.Millisecond
	// DefaultBackoffMax caps the ceiling of the random wait between attempts.
	DefaultBackoffMax = 30 * time.Second
	// DefaultMaxRetryAfter caps how long a server's Retry-After can make us wait.
	DefaultMaxRetryAfter = 5 * time.Minute
	// DefaultMaxBody caps the size of an answer, after decompression.
	DefaultMaxBody = 4 << 20
	// DefaultConcurrency is the number of workers the connection pool is sized for.
	DefaultConcurrency = 8
	// DefaultUserAgent is the User-Agent header sent.
	DefaultUserAgent = "profile-export"
	// MaxRedirects is how many redirects one attempt follows. Only redirects to the
	// same scheme and host are followed (so the token never goes elsewhere, nor
	// over plain http); any other redirect ends the row as Failed.
	MaxRedirects = 3
)

// Config configures a Client. Only ClientCode (or BaseURL) is required.
type Config struct {
	// BaseURL replaces https://<ClientCode>.tt.omtrdc.net, e.g.
	// "http://127.0.0.1:8080" for a sandbox, or a gateway with a path prefix
	// ("https://gw.example.com/target"). It disables edge routing.
	BaseURL string
	// ClientCode is the Target client code: the default host is
	// https://<ClientCode>.tt.omtrdc.net, and every URL carries ?client=<ClientCode>.
	// With a BaseURL and no ClientCode (a sandbox), the query is left out.
	ClientCode string
	// Token, when set, is sent as "Authorization: Bearer <token>". Surrounding
	// spaces (a token file's final newline) are trimmed. It never appears in
	// results, errors or formatted output.
	Token Secret
	// DisableEdgeRouting turns off edge routing. By default (with the default host
	// only), a tntId with a location hint, e.g. "….28_0", is fetched from
	// https://mboxedge28.tt.omtrdc.net as Adobe's SDKs do; should that host not
	// resolve, the row falls back to the default host.
	DisableEdgeRouting bool
	// Retries is the number of retries after the first attempt (DefaultRetries when
	// 0; negative for none).
	Retries int
	// Timeout bounds each attempt, reading the whole answer included
	// (DefaultTimeout when 0).
	Timeout time.Duration
	// BackoffBase and BackoffMax shape the wait before each retry: uniform random in
	// [0, min(BackoffMax, BackoffBase·2^(retry-1))] (DefaultBackoffBase and
	// DefaultBackoffMax when 0).
	BackoffBase, BackoffMax time.Duration
	// MaxRetryAfter caps a server's Retry-After (DefaultMaxRetryAfter when 0). A
	// Retry-After replaces the random wait when it is longer.
	MaxRetryAfter time.Duration
	// MaxBody caps an answer's size after decompression (DefaultMaxBody when 0); a
	// larger answer fails the row without retry.
	MaxBody int64
	// Concurrency is the number of workers sharing the Client, to size the pool
	// of idle connections (DefaultConcurrency when 0).
	Concurrency int
	// Pacer, shared by all workers, paces every attempt, retries included. nil
	// means unlimited.
	Pacer *Pacer
	// CAFile names a PEM file of extra CA certificates trusted besides the
	// system's (e.g. a corporate TLS proxy's). TLS is always verified.
	CAFile string
	// UserAgent is sent as the User-Agent header (DefaultUserAgent when empty).
	UserAgent string
	// Transport replaces the HTTP transport (tests); CAFile and Concurrency are
	// then unused.
	Transport http.RoundTripper
	// OnAttempt, when set, is called after every attempt, from the calling
	// goroutine; it must be safe for concurrent use and quick.
	OnAttempt func(Attempt)
}

// Client fetches profiles. Create it with New; it is safe for concurrent use.
type Client struct {
	ep  endpoints
	rt  http.RoundTripper
	tok string // for redacting echoes from server text; never printed

	header http.Header // template; values shared (read-only) by every request

	retries       int
	timeout       time.Duration
	backoffBase   time.Duration
	backoffMax    time.Duration
	maxRetryAfter time.Duration
	maxBody       int64
	pacer         *Pacer
	onAttempt     func(Attempt)
}

// New checks the configuration and returns a Client.
func New(cfg Config) (*Client, error) {
	tok := strings.TrimSpace(string(cfg.Token))
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c < 0x21 || c > 0x7e {
			// Never print the token, not even a part of it.
			return nil, fmt.Errorf("fetch: the token holds a character that cannot be sent in an HTTP header (byte %d of %d)", i+1, len(tok))
		}
	}
	ep, err := newEndpoints(cfg.BaseURL, cfg.ClientCode, cfg.DisableEdgeRouting)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	c := &Client{
		ep:            ep,
		tok:           tok,
		retries:       orDefault(cfg.Retries, DefaultRetries),
		timeout:       orDefault(cfg.Timeout, DefaultTimeout),
		backoffBase:   orDefault(cfg.BackoffBase, DefaultBackoffBase),
		backoffMax:    orDefault(cfg.BackoffMax, DefaultBackoffMax),
		maxRetryAfter: orDefault(cfg.MaxRetryAfter, DefaultMaxRetryAfter),
		maxBody:       orDefault(cfg.MaxBody, DefaultMaxBody),
		pacer:         cfg.Pacer,
		onAttempt:     cfg.OnAttempt,
	}
	if c.retries < 0 {
		c.retries = 0
	}
	if c.timeout < 0 || c.backoffBase < 0 || c.backoffMax < 0 || c.maxRetryAfter < 0 || c.maxBody < 0 {
		return nil, errors.New("fetch: negative timeout, backoff, retry-after cap or body cap")
	}
	c.header = http.Header{
		"Accept":     {"application/json"},
		"User-Agent": {orDefault(cfg.UserAgent, DefaultUserAgent)},
	}
	if tok != "" {
		c.header["Authorization"] = []string{"Bearer " + tok}
	}
	rt := cfg.Transport
	if rt == nil {
		t, err := newTransport(orDefault(cfg.Concurrency, DefaultConcurrency), cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("fetch: %w", err)
		}
		rt = t
	}
	c.rt = rt
	return c, nil
}

// followRedirect reports whether a redirect from the URL from to the URL to is
// followed when followed redirects were already: at most MaxRedirects, and only
// to the same scheme and host as the original request; otherwise the redirect
// answer itself is the attempt's answer (and classified as Failed). net/http
// would drop the Authorization header on a redirect to another host anyway; not
// following is simpler to reason about and also refuses https → http downgrades.
func followRedirect(from, to *url.URL, followed int) bool {
	return followed < MaxRedirects && to.Scheme == from.Scheme && strings.EqualFold(to.Host, from.Host)
}

// orDefault returns v, or def when v is the zero value.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// URL returns the URL fetched for one ID (the edge host when routed there), or ""
// for an unknown type. The ID is escaped as exactly one path segment.
func (c *Client) URL(t row.Type, id string) string { return c.ep.url(t, id) }

// redact removes the token from text that came from a server, in case it echoes
// request headers back.
func (c *Client) redact(s string) string {
	if c.tok == "" || !strings.Contains(s, c.tok) {
		return s
	}
	return strings.ReplaceAll(s, c.tok, redacted)
}

// String describes the client without its token, so that formatting a Client
// (even with %+v) cannot leak it.
func (c *Client) String() string {
	return fmt.Sprintf("fetch.Client{%s://%s%s, token set: %v}", c.ep.scheme, c.ep.host, c.ep.baseRaw, c.tok != "")
}

// GoString is String, for %#v.
func (c *Client) GoString() string { return c.String() }

// CloseIdleConnections closes the kept-alive connections not in use, e.g. at the
// end of a job or a test.
func (c *Client) CloseIdleConnections() {
	if ci, ok := c.rt.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

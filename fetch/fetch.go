package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/profile-export/profile-export/row"
)

// answer is the classified outcome of one attempt.
type answer struct {
	v          verdict
	status     int
	body       []byte
	msg        string // one line, token redacted
	err        error  // for v other than vOK/vNotFound; its text is msg-like, token-free
	retryAfter time.Duration
	noHost     bool // the host name does not resolve
}

// Fetch fetches the profile of one ID and classifies the result (see Outcome).
// It blocks on the Pacer, on each attempt (bounded by Timeout) and on the waits
// between retries, and returns Canceled as soon as ctx is done.
//
// A row whose transient errors (429, 408, 5xx, a 2xx answer that is not a JSON
// object, timeouts, refused or reset connections, truncated answers) outlast the
// retries ends as Failed with the last status and error.
func (c *Client) Fetch(ctx context.Context, t row.Type, id string) Result {
	if err := checkID(t, id); err != nil {
		return Result{Outcome: Failed, Message: err.Error(), Err: fmt.Errorf("fetch: %w", err)}
	}
	p, _ := c.ep.prefixOf(t)
	cluster := c.ep.edgeCluster(t, id)
	u := c.ep.requestURL(p, id, cluster)
	var last answer
	retries := 0 // retries used; an edge fallback is not one
	for n := 1; ; n++ {
		epoch, err := c.pacer.Wait(ctx)
		if err != nil {
			return canceled(n-1, last.status, err)
		}
		start := time.Now()
		a := c.attempt(ctx, u)
		dur := time.Since(start)
		last = a
		observe := func(retry bool) {
			if c.onAttempt != nil {
				c.onAttempt(Attempt{Number: n, Host: u.Host, Status: a.status, Duration: dur, Err: a.err, Retry: retry})
			}
		}
		switch a.v {
		case vOK:
			c.pacer.Success()
			observe(false)
			return Result{Outcome: OK, Body: a.body, Status: a.status, Attempts: n}
		case vNotFound:
			c.pacer.Success()
			observe(false)
			return Result{Outcome: NotFound, Status: a.status, Message: a.msg, Attempts: n}
		case vCanceled:
			observe(false)
			return canceled(n, a.status, a.err)
		case vAuth, vFatal:
			if a.noHost && cluster != "" {
				// An edge host that does not exist: this hint is bogus, use the
				// default host (not counted against the retries).
				observe(true)
				cluster = ""
				u = c.ep.requestURL(p, id, "")
				continue
			}
			observe(false)
			return Result{Outcome: Fatal, Status: a.status, Message: a.err.Error(), Attempts: n,
				Err: fmt.Errorf("fetch %s from %s: %w", t, u.Host, a.err)}
		case vFail:
			observe(false)
			return Result{Outcome: Failed, Status: a.status, Message: a.msg, Attempts: n,
				Err: fmt.Errorf("fetch %s from %s: %w", t, u.Host, a.err)}
		}
		// vRetry
		if a.status == http.StatusTooManyRequests {
			c.pacer.Backoff(epoch)
		}
		if retries >= c.retries {
			observe(false)
			return Result{Outcome: Failed, Status: a.status, Message: a.msg, Attempts: n,
				Err: fmt.Errorf("fetch %s from %s: giving up after %d attempts: %w", t, u.Host, n, a.err)}
		}
		retries++
		observe(true)
		if err := sleep(ctx, backoff(retries, c.backoffBase, c.backoffMax, a.retryAfter)); err != nil {
			return canceled(n, a.status, err)
		}
	}
}

// canceled is the Result of a fetch whose context ended.
func canceled(attempts, status int, err error) Result {
	return Result{Outcome: Canceled, Status: status, Attempts: attempts,
		Message: "canceled: " + err.Error(), Err: fmt.Errorf("fetch canceled: %w", err)}
}

// attempt sends one request and classifies the answer. The whole exchange,
// reading the body included, is bounded by the Timeout; the body is always read
// (bounded) or drained and closed, so the connection can be reused.
func (c *Client) attempt(ctx context.Context, u *url.URL) answer {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.send(actx, u)
	if err != nil {
		return c.failure(ctx, actx, 0, err)
	}
	defer resp.Body.Close()
	status := resp.StatusCode

	if status >= 200 && status <= 299 {
		body, err := readLimited(resp.Body, resp.ContentLength, c.maxBody)
		if errors.Is(err, errTooLarge) {
			return c.verdict(vFail, status, fmt.Sprintf("%s answer larger than the %d-byte limit of --max-body", statusText(status), c.maxBody))
		}
		if err != nil {
			// The status line came, but not the whole answer: no usable answer,
			// so no status (a reject with status 200 would read as a success), and
			// a transport failure, retried as any other.
			return c.failure(ctx, actx, 0, &cutError{got: int64(len(body)), want: resp.ContentLength, err: err})
		}
		v, msg := judge(status, body, "")
		if v == vOK {
			return answer{v: vOK, status: status, body: body}
		}
		return c.verdict(v, status, msg)
	}

	// An error answer: keep the start for the message, drain a bounded rest.
	body, _ := readLimited(resp.Body, -1, errBodyCap)
	_, _ = io.CopyN(io.Discard, resp.Body, drainCap)
	v, msg := judge(status, body, resp.Header.Get("Location"))
	a := c.verdict(v, status, msg)
	if v == vRetry {
		a.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now(), c.maxRetryAfter)
	}
	if v == vAuth {
		a.err = &AuthError{Status: status, TokenSet: c.tok != "", Server: c.redact(serverMessage(body))}
	}
	return a
}

// send is what http.Client.Do does for an attempt, without its per-request
// bookkeeping (a copy of the headers for redirects, a cancel timer, the list of
// requests so far): it sends a GET for u and follows the redirects that
// followRedirect allows, and otherwise returns the redirect answer itself.
func (c *Client) send(ctx context.Context, u *url.URL) (*http.Response, error) {
	for followed := 0; ; followed++ {
		// Every request shares c.header: a RoundTripper must not modify the
		// request (net/http's contract), and nothing here does.
		req := (&http.Request{
			Method: http.MethodGet, URL: u, Host: u.Host, Header: c.header,
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		}).WithContext(ctx)
		resp, err := c.rt.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		switch resp.StatusCode {
		case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
			http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		default:
			return resp, nil
		}
		loc := resp.Header.Get("Location")
		if loc == "" {
			return resp, nil
		}
		next, err := u.Parse(loc)
		if err != nil || !followRedirect(u, next, followed) {
			return resp, nil
		}
		// As http.Client does: drain a little of the redirect's body so the
		// connection can be reused, then close it.
		_, _ = io.CopyN(io.Discard, resp.Body, 2<<10)
		resp.Body.Close()
		u = next
	}
}

// verdict makes the answer of an HTTP-level outcome, redacting the message.
func (c *Client) verdict(v verdict, status int, msg string) answer {
	msg = c.redact(msg)
	a := answer{v: v, status: status, msg: msg}
	if v != vOK && v != vNotFound {
		a.err = errors.New(msg)
	}
	return a
}

// failure classifies an error where no complete answer came.
func (c *Client) failure(ctx, actx context.Context, status int, err error) answer {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the whole URL; the row already names the ID
	}
	var (
		cve   *tls.CertificateVerificationError
		unk   x509.UnknownAuthorityError
		hn    x509.HostnameError
		inv   x509.CertificateInvalidError
		dnsEr *net.DNSError
	)
	switch {
	case ctx.Err() != nil:
		return answer{v: vCanceled, status: status, err: context.Cause(ctx)}
	case actx.Err() != nil:
		return c.verdict(vRetry, status, fmt.Sprintf("no complete answer within %s (timeout)", c.timeout))
	case errors.As(err, &cve) || errors.As(err, &unk) || errors.As(err, &hn) || errors.As(err, &inv):
		msg := c.redact(fmt.Sprintf("TLS certificate not trusted: %v; if a TLS proxy or a private CA signs it, add that CA certificate (CAFile)", err))
		return answer{v: vFatal, status: status, msg: msg, err: &msgError{msg, err}}
	case errors.As(err, &dnsEr) && dnsEr.IsNotFound:
		msg := c.redact(fmt.Sprintf("host %s not found; check the client code or base URL (%v)", dnsEr.Name, err))
		return answer{v: vFatal, status: status, msg: msg, err: &msgError{msg, err}, noHost: true}
	}
	a := c.verdict(vRetry, status, err.Error())
	a.err = &msgError{a.msg, err}
	return a
}

// msgError is an error with a message of its own (token-free, one line) that
// still unwraps to its cause for errors.Is and errors.As.
type msgError struct {
	msg string
	err error
}

func (e *msgError) Error() string { return e.msg }
func (e *msgError) Unwrap() error { return e.err }

package fetch

import (
	"time"
)

// Outcome is the final state of fetching one ID.
type Outcome int

// The outcomes of Fetch. The zero Outcome is none of them, so a zero Result is never
// mistaken for a success.
const (
	// OK: the API answered 200 with a JSON object, in Result.Body.
	OK Outcome = iota + 1
	// NotFound: the API answered 404 (no such profile, or it expired); the server's
	// message is in Result.Message. Final, not retried.
	NotFound
	// Failed: no usable answer — a permanent error (400 and other 4xx, an answer
	// larger than MaxBody, a redirect not followed, an ID that cannot be sent) or
	// transient errors until the retries ran out. Only this row is affected.
	Failed
	// Fatal: an error every other row would meet as well (401/403 token problems,
	// an untrusted TLS certificate, a host name that does not resolve); the job
	// should stop. Result.Err says what and how to fix it.
	Fatal
	// Canceled: the context was canceled or its deadline passed (or would pass
	// before the Pacer allows the next attempt) before a final answer. The row was
	// not processed and should not be reported as failed.
	Canceled
)

// String returns the outcome's name, in lower case.
func (o Outcome) String() string {
	switch o {
	case OK:
		return "ok"
	case NotFound:
		return "not_found"
	case Failed:
		return "failed"
	case Fatal:
		return "fatal"
	case Canceled:
		return "canceled"
	}
	return "unknown"
}

// Result is what Fetch returns for one ID. No field ever contains the token.
type Result struct {
	Outcome Outcome
	// Body is the API's answer, verbatim, when Outcome is OK: a JSON object in valid
	// UTF-8 of at most MaxBody bytes (after decompression).
	Body []byte
	// Status is the HTTP status of the last answer; 0 when no HTTP answer came,
	// also when one was cut off mid-body (a reset or closed connection, a timeout).
	Status int
	// Message is human-readable: for NotFound the server's message (or an excerpt of
	// its answer); for Failed and Fatal the last error; for Canceled the cause.
	// Server text is reduced to one line of valid UTF-8, and the token is redacted
	// from it should a server echo it.
	Message string
	// Attempts is the number of HTTP attempts made (0 when none was).
	Attempts int
	// Err is the error for Failed, Fatal and Canceled, wrapped with context: a Fatal
	// token problem wraps *AuthError, an untrusted certificate wraps
	// *tls.CertificateVerificationError, an unresolvable host *net.DNSError, an ID
	// that cannot be sent ErrInvalidID, cancellation the context's error.
	Err error
}

// Attempt describes one HTTP attempt, for Config.OnAttempt (metrics, debug logs).
type Attempt struct {
	Number   int           // 1 for the first attempt of an ID
	Host     string        // the host asked (the edge host when routed there)
	Status   int           // HTTP status; 0 if no complete answer came
	Duration time.Duration // from sending the request to the end of reading the answer
	// Err is nil when the attempt got a final answer (OK or NotFound), else what
	// went wrong. It never contains the token.
	Err error
	// Retry is true when another attempt follows.
	Retry bool
}

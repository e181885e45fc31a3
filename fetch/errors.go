package fetch

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Secret holds a credential. It formats as "[redacted]" with every fmt verb
// (including %+v and %#v, also inside structs), so a Config that gets logged does
// not leak the token. Convert it explicitly with string(s) where the value itself is
// needed.
type Secret string

const redacted = "[redacted]"

// String returns "[redacted]", or "" for an empty secret (so "no token" stays visible).
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString returns the redacted form for %#v.
func (s Secret) GoString() string { return fmt.Sprintf("fetch.Secret(%q)", s.String()) }

// Format prints the redacted form whatever the verb (%d or %x included, which
// would otherwise bypass String).
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, s.GoString())
		return
	}
	io.WriteString(f, s.String())
}

// ErrInvalidID is returned (wrapped, in Result.Err with Outcome Failed and no
// attempt made) for an ID that cannot be sent: empty, "." or ".." (which servers and
// proxies may normalize away as path segments, fetching another resource), or an
// unknown ID type. The job may report such rows as invalid input.
var ErrInvalidID = errors.New("ID cannot be fetched")

// AuthError is the error of a Fatal result caused by a 401 or 403 answer: the
// client requires authentication and the token is missing, invalid, expired or was
// reset. Every other row would fail the same way, so the job should stop. Its
// message explains how to pass a token and never contains the token.
type AuthError struct {
	Status   int    // 401 or 403
	TokenSet bool   // whether a token was sent
	Server   string // what the server said, one line, token redacted; may be empty
}

// Error explains the failure and how to fix it.
func (e *AuthError) Error() string {
	msg := fmt.Sprintf("HTTP %d %s", e.Status, http.StatusText(e.Status))
	if !e.TokenSet {
		msg += ": the Profile API requires authentication and no token was given; " +
			"pass the profile authentication token with TARGET_PROFILE_TOKEN or --token-file"
	} else {
		msg += ": the Profile API rejected the token (missing rights, invalid, expired or reset); " +
			"pass a valid profile authentication token with TARGET_PROFILE_TOKEN or --token-file"
	}
	if e.Server != "" {
		msg += " (server said: " + e.Server + ")"
	}
	return msg
}

// cutError says an answer ended before its body did: the connection was reset or
// closed after the status line and part of the body had come.
type cutError struct {
	got, want int64 // bytes of the body received, and announced (-1: unknown)
	err       error
}

func (e *cutError) Error() string {
	of := ""
	if e.want >= 0 {
		of = fmt.Sprintf(" of %d", e.want)
	}
	return fmt.Sprintf("answer cut off mid-body: the connection ended after %d%s bytes: %v", e.got, of, e.err)
}

func (e *cutError) Unwrap() error { return e.err }

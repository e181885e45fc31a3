// Package row defines the unit of work shared by every stage of an export: an input
// row (a visitor ID of one type, with the line it came from) and its two possible
// outcomes, a fetched profile or a reject with a reason.
//
// Every data row of the input ends up exactly once, by Line, either as a Profile or
// as a Reject.
package row

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Type is the canonical name of a Target visitor ID type, as it appears in outputs.
type Type string

// The three ID types the Target Profile API can fetch by.
const (
	TntID        Type = "tntId"                   // Target's own visitor ID (mboxPC, PCID)
	ECID         Type = "marketingCloudVisitorId" // Experience Cloud visitor ID (ECID, MCID)
	ThirdPartyID Type = "thirdPartyId"            // the customer's own ID (mbox3rdPartyId)
)

// typeAliases maps lower-cased names found in real files to canonical types.
var typeAliases = map[string]Type{
	"tntid": TntID, "mboxpc": TntID, "pcid": TntID, "tnt_id": TntID,
	"ecid": ECID, "mcid": ECID, "marketingcloudvisitorid": ECID,
	"thirdpartyid": ThirdPartyID, "mbox3rdpartyid": ThirdPartyID, "third_party_id": ThirdPartyID,
	"3rdpartyid": ThirdPartyID,
}

// ParseType returns the canonical type for name, matched case-insensitively and
// ignoring surrounding spaces, with the common aliases (mboxPC, PCID → tntId; ECID,
// MCID → marketingCloudVisitorId; mbox3rdPartyId → thirdPartyId).
func ParseType(name string) (Type, error) {
	if t, ok := typeAliases[strings.ToLower(strings.TrimSpace(name))]; ok {
		return t, nil
	}
	if strings.TrimSpace(name) == "" {
		return "", fmt.Errorf("empty ID type (want tntId, marketingCloudVisitorId or thirdPartyId)")
	}
	return "", fmt.Errorf("unknown ID type %q (want tntId, marketingCloudVisitorId or thirdPartyId)", name)
}

// Valid reports whether t is one of the three canonical types.
func (t Type) Valid() bool { return t == TntID || t == ECID || t == ThirdPartyID }

// Row is one data row of the input.
type Row struct {
	// Line is the row's line number in the input file, counted as a text editor does:
	// the header is line 1, and a row spanning several lines carries the line where
	// it starts.
	Line int64
	// ID is the visitor ID, trimmed of surrounding spaces.
	ID string
	// Type is the canonical ID type; empty when the row is invalid and the type
	// could not be read.
	Type Type
	// RawType is the type as written in the input, kept for rejects of invalid rows.
	RawType string
	// Invalid, when not empty, says why the row cannot be fetched; such a row becomes
	// a Reject with reason InvalidRow.
	Invalid string
}

// Reason says why a row yielded no profile.
type Reason string

// The reasons a row can be rejected for.
const (
	NotFound   Reason = "not_found"   // the API answered 404: no such profile, or it expired
	InvalidRow Reason = "invalid_row" // the input row cannot be used
	Failed     Reason = "failed"      // no usable answer after the retries, or a permanent error
	Duplicate  Reason = "duplicate"   // with --dedupe: the same (type, id) came earlier
)

// Profile is a fetched profile, ready to be written.
type Profile struct {
	Line      int64
	ID        string
	Type      Type
	FetchedAt time.Time
	// Body is the API's JSON answer, verbatim.
	Body json.RawMessage
	// Checked says Body is known to be valid JSON in valid UTF-8, as every
	// answer of fetch.Client is, so that writers need not check it again. A
	// Profile made elsewhere leaves it false and is checked when written.
	Checked bool
}

// Reject is a row that yielded no profile, with the reason.
type Reject struct {
	Line     int64  `json:"line"`
	ID       string `json:"id"`
	Type     string `json:"type"`
	Reason   Reason `json:"reason"`
	Status   int    `json:"status,omitempty"`
	Message  string `json:"message,omitempty"`
	Attempts int    `json:"attempts"`
}

// RejectOf makes the InvalidRow reject for an invalid row.
func RejectOf(r Row) Reject {
	typ := string(r.Type)
	if typ == "" {
		typ = r.RawType
	}
	return Reject{Line: r.Line, ID: r.ID, Type: typ, Reason: InvalidRow, Message: r.Invalid}
}

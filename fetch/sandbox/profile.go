package sandbox

import (
	"strconv"
	"time"

	"github.com/profile-export/profile-export/internal/jsonstr"
	"github.com/profile-export/profile-export/row"
)

// Profile returns the exact body the sandbox answers for (t, id) under c, without
// faults: the profile JSON and true when the ID exists, else the documented 404 body
// and false. The answer depends only on c.ClientCode, c.Seed, c.NotFoundRate, t and
// id. Tests use it to compare an export's output with what the server sent.
func (c Config) Profile(t row.Type, id string) (body []byte, found bool) {
	n, _ := c.normalized() // defaults are applied even when a fault field is invalid
	g := newGenerator(n)
	return g.appendAnswer(nil, t, id, idHash(n.Seed, t, id))
}

// generator builds answers for one normalized Config.
type generator struct {
	client    string
	clientLit []byte // `"client":"<code>"`
	notFound  float64
	seed      uint64
}

func newGenerator(c Config) *generator {
	return &generator{
		client:    c.ClientCode,
		clientLit: jsonstr.Append([]byte(`"client":`), c.ClientCode),
		notFound:  c.NotFoundRate,
		seed:      c.Seed,
	}
}

// exists reports whether the profile of the ID hashing to h exists.
func (g *generator) exists(h uint64) bool {
	return unit(mix(h^saltFound)) >= g.notFound
}

// appendAnswer appends the 200 or 404 body for (t, id), whose idHash is h.
func (g *generator) appendAnswer(dst []byte, t row.Type, id string, h uint64) ([]byte, bool) {
	if !g.exists(h) {
		return g.appendNotFound(dst, t, id), false
	}
	return g.appendProfile(dst, t, id, h), true
}

// appendNotFound appends the documented 404 body, spacing included. The ECID form is
// not documented; it follows the others.
func (g *generator) appendNotFound(dst []byte, t row.Type, id string) []byte {
	dst = append(dst, `{"status" : 404, "message" : "No profile found for client `...)
	dst = jsonstr.AppendChars(dst, g.client)
	switch t {
	case row.ThirdPartyID:
		dst = append(dst, " with third party id="...)
	case row.ECID:
		dst = append(dst, " with marketingCloudVisitorId="...)
	default:
		dst = append(dst, " with mboxPC="...)
	}
	dst = jsonstr.AppendChars(dst, id)
	return append(dst, `"}`...)
}

// Profiles were modified within a window of early 2026.
var windowStart = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC).UnixMilli()

const (
	windowMillis   = 120 * dayMillis
	oldShapePct    = 15 // percentage of profiles in the older shape
	minAttrs       = 3
	maxAttrs       = 15
	dayMillis      = 24 * 3600 * 1000
	attrAgeMaxDays = 60
)

// appendProfile appends the 200 body of (t, id). Everything is drawn from a stream
// seeded by h, so the same ID always gets the same profile.
func (g *generator) appendProfile(dst []byte, t row.Type, id string, h uint64) []byte {
	r := rng{s: h}
	old := r.intn(100) < oldShapePct
	modified := windowStart + int64(r.next()%windowMillis)
	layout := stampNew
	if old {
		layout = stampOld
	}

	dst = append(dst, '{')
	dst = append(dst, g.clientLit...)
	if old {
		// The older shape names the visitor by its mboxPC (tntId), made up when the
		// lookup was by another ID type.
		dst = append(dst, `,"mboxPC":`...)
		if t == row.TntID {
			dst = jsonstr.Append(dst, id)
		} else {
			dst = appendTntID(dst, &r)
		}
	} else {
		dst = append(dst, `,"visitorId":`...)
		dst = jsonstr.Append(dst, id)
	}
	switch t {
	case row.ThirdPartyID:
		dst = append(dst, `,"thirdPartyId":`...)
		dst = jsonstr.Append(dst, id)
	case row.ECID:
		dst = append(dst, `,"marketingCloudVisitorId":`...)
		dst = jsonstr.Append(dst, id)
	}
	dst = append(dst, `,"modifiedAt":"`...)
	dst = appendStamp(dst, modified, layout)
	dst = append(dst, `","profileAttributes":{`...)

	// Pick n distinct attributes by a partial Fisher-Yates shuffle of the table.
	var order [len(attrTable)]uint8
	for i := range order {
		order[i] = uint8(i)
	}
	n := minAttrs + r.intn(maxAttrs-minAttrs+1)
	for i := 0; i < n; i++ {
		j := i + r.intn(len(order)-i)
		order[i], order[j] = order[j], order[i]
		a := &attrTable[order[i]]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, a.key...)
		dst = append(dst, `{"value":`...)
		var at int64
		dst, at = a.appendValue(dst, &r, modified)
		dst = append(dst, `,"modifiedAt":"`...)
		dst = appendStamp(dst, at, layout)
		dst = append(dst, `"}`...)
	}
	return append(dst, "}}"...)
}

// appendTntID appends a made-up tntId literal such as "111492025094307-353046".
func appendTntID(dst []byte, r *rng) []byte {
	dst = append(dst, '"')
	dst = strconv.AppendUint(dst, 100000000000000+r.next()%900000000000000, 10)
	dst = append(dst, '-')
	dst = strconv.AppendUint(dst, 100000+r.next()%900000, 10)
	return append(dst, '"')
}

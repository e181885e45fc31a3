package sandbox

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/profile-export/profile-export/row"
)

// The layouts answers use, for time.Parse.
const (
	newTimeLayout = "2006-01-02T15:04:05.000-07:00"
	oldTimeLayout = "2006-01-02T15:04:05"
)

// answerShape is what a 200 answer may hold, both generations.
type answerShape struct {
	Client            *string `json:"client"`
	VisitorID         *string `json:"visitorId"`
	MboxPC            *string `json:"mboxPC"`
	ThirdPartyID      *string `json:"thirdPartyId"`
	MCID              *string `json:"marketingCloudVisitorId"`
	ModifiedAt        *string `json:"modifiedAt"`
	ProfileAttributes map[string]struct {
		Value      *string `json:"value"`
		ModifiedAt *string `json:"modifiedAt"`
	} `json:"profileAttributes"`
}

func TestProfileShape(t *testing.T) {
	cfg := Config{ClientCode: "acmecorp", NotFoundRate: -1}
	var newShape, oldShape int
	names := map[string]bool{}
	for _, typ := range allTypes {
		for _, id := range idsOf(typ, 300) {
			body, found := cfg.Profile(typ, id)
			if !found {
				t.Fatalf("%s %s: not found with NotFoundRate -1", typ, id)
			}
			var a answerShape
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&a); err != nil {
				t.Fatalf("%s %s: %v in %s", typ, id, err, body)
			}
			if a.Client == nil || *a.Client != "acmecorp" {
				t.Fatalf("client = %v in %s", a.Client, body)
			}
			if a.ModifiedAt == nil {
				t.Fatalf("no modifiedAt in %s", body)
			}
			layout := newTimeLayout
			switch {
			case a.VisitorID != nil && *a.VisitorID == id && a.MboxPC == nil:
				newShape++
			case a.MboxPC != nil && a.VisitorID == nil:
				oldShape++
				layout = oldTimeLayout
				if typ == row.TntID && *a.MboxPC != id {
					t.Fatalf("old shape of tntId %s has mboxPC %s", id, *a.MboxPC)
				}
			default:
				t.Fatalf("neither shape: %s", body)
			}
			modified, err := time.Parse(layout, *a.ModifiedAt)
			if err != nil {
				t.Fatalf("modifiedAt: %v", err)
			}
			if modified.Year() != 2026 {
				t.Fatalf("modifiedAt %s not in 2026", *a.ModifiedAt)
			}
			if (typ == row.ThirdPartyID) != (a.ThirdPartyID != nil) ||
				(a.ThirdPartyID != nil && *a.ThirdPartyID != id) {
				t.Fatalf("%s lookup: thirdPartyId field %v", typ, a.ThirdPartyID)
			}
			if (typ == row.ECID) != (a.MCID != nil) {
				t.Fatalf("%s lookup: marketingCloudVisitorId field %v", typ, a.MCID)
			}
			if n := len(a.ProfileAttributes); n < minAttrs || n > maxAttrs {
				t.Fatalf("%d attributes in %s", n, body)
			}
			for name, v := range a.ProfileAttributes {
				names[name] = true
				if v.Value == nil || v.ModifiedAt == nil {
					t.Fatalf("attribute %s lacks value or modifiedAt: %s", name, body)
				}
				at, err := time.Parse(layout, *v.ModifiedAt)
				if err != nil {
					t.Fatalf("attribute %s modifiedAt: %v", name, err)
				}
				if at.After(modified) {
					t.Fatalf("attribute %s modified at %s, after the profile (%s)", name, *v.ModifiedAt, *a.ModifiedAt)
				}
			}
		}
	}
	if newShape == 0 || oldShape == 0 || oldShape > newShape {
		t.Errorf("shapes: %d new, %d old; want both, mostly new", newShape, oldShape)
	}
	for _, want := range []string{"user.membershipLevel", "user.city", "firstSessionStart", "profile.favoriteColor"} {
		if !names[want] {
			t.Errorf("attribute %s never generated", want)
		}
	}
	if len(names) != len(attrTable) {
		t.Errorf("%d of %d attribute names generated", len(names), len(attrTable))
	}
}

func TestProfileDeterministic(t *testing.T) {
	a := Config{Seed: 7}
	b := Config{Seed: 7, Token: "x", Faults: Faults{Rate500: 1}} // neither changes answers
	c := Config{Seed: 8}
	differ := 0
	for _, typ := range allTypes {
		for _, id := range idsOf(typ, 200) {
			ba, fa := a.Profile(typ, id)
			bb, fb := b.Profile(typ, id)
			if fa != fb || !bytes.Equal(ba, bb) {
				t.Fatalf("%s %s: answers differ for the same seed", typ, id)
			}
			if bc, _ := c.Profile(typ, id); !bytes.Equal(ba, bc) {
				differ++
			}
		}
	}
	if differ < 550 {
		t.Errorf("another seed changed only %d of 600 answers", differ)
	}
	// The type is part of the identity: the same string under two types differs.
	x, _ := Config{NotFoundRate: -1}.Profile(row.TntID, "same")
	y, _ := Config{NotFoundRate: -1}.Profile(row.ThirdPartyID, "same")
	if bytes.Equal(x, y) {
		t.Error("same answer for a tntId and a thirdPartyId of the same value")
	}
}

func TestNotFoundRate(t *testing.T) {
	for _, tc := range []struct {
		rate     float64
		min, max int // of 10,000
	}{
		{0, 900, 1100}, // DefaultNotFoundRate
		{0.3, 2800, 3200},
		{-1, 0, 0},
		{1, 10000, 10000},
	} {
		cfg := Config{NotFoundRate: tc.rate}
		missing := 0
		for _, typ := range allTypes {
			n := 10000 / len(allTypes)
			if typ == row.ThirdPartyID {
				n = 10000 - 2*n
			}
			for _, id := range idsOf(typ, n) {
				if _, found := cfg.Profile(typ, id); !found {
					missing++
				}
			}
		}
		if missing < tc.min || missing > tc.max {
			t.Errorf("NotFoundRate %v: %d of 10000 missing, want %d..%d", tc.rate, missing, tc.min, tc.max)
		}
	}
}

func TestNotFoundBodies(t *testing.T) {
	cfg := Config{ClientCode: "acme", NotFoundRate: 1}
	for _, tc := range []struct {
		typ  row.Type
		id   string
		want string
	}{
		{row.ThirdPartyID, "a1-mbox3rdPartyId", `{"status" : 404, "message" : "No profile found for client acme with third party id=a1-mbox3rdPartyId"}`},
		{row.TntID, "111492025094307-353046.28_0", `{"status" : 404, "message" : "No profile found for client acme with mboxPC=111492025094307-353046.28_0"}`},
		{row.ECID, "46865413728298628301234567890123456789", `{"status" : 404, "message" : "No profile found for client acme with marketingCloudVisitorId=46865413728298628301234567890123456789"}`},
		{row.ThirdPartyID, `say "hi"\`, `{"status" : 404, "message" : "No profile found for client acme with third party id=say \"hi\"\\"}`},
	} {
		body, found := cfg.Profile(tc.typ, tc.id)
		if found || string(body) != tc.want {
			t.Errorf("%s %q: found=%v body\n%s\nwant\n%s", tc.typ, tc.id, found, body, tc.want)
		}
	}
}

func TestAppendStamp(t *testing.T) {
	edt := time.FixedZone("", -4*3600)
	r := rng{s: 1}
	ms := []int64{0, -1, 951782400000 /* 2000-02-29 */, windowStart, windowStart + windowMillis}
	for range 2000 {
		ms = append(ms, int64(r.next()%(200*365*dayMillis))-100*365*dayMillis) // 1870..2070
	}
	for _, m := range ms {
		tm := time.UnixMilli(m).In(edt)
		for layout, want := range map[stampLayout]string{
			stampNew:  tm.Format(newTimeLayout),
			stampOld:  tm.Format(oldTimeLayout),
			stampDate: tm.Format("2006-01-02"),
		} {
			if got := string(appendStamp(nil, m, layout)); got != want {
				t.Fatalf("%d layout %d: %s, want %s", m, layout, got, want)
			}
		}
	}
}

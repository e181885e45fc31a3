package sandbox

import (
	"strconv"

	"github.com/profile-export/profile-export/internal/jsonstr"
)

// attrKind says how an attribute's value is made up.
type attrKind uint8

const (
	kindOneOf  attrKind = iota // one of lits
	kindNumber                 // an integer in [lo, hi]
	kindMillis                 // a Unix-ms time up to days before the profile's modifiedAt
	kindDate                   // a YYYY-MM-DD date up to days before modifiedAt
	kindMoney                  // an amount with two decimals
)

// attr is one profile attribute the sandbox can make up. Generation is a switch
// rather than a func value so nothing escapes to the heap per answer.
type attr struct {
	key    string // `"name":`, ready to append
	kind   attrKind
	lits   [][]byte // kindOneOf: values as JSON literals, encoded once
	lo, hi uint64   // kindNumber bounds; days for kindMillis and kindDate in hi
}

// appendValue appends the value as a JSON string literal and returns the attribute's
// modifiedAt (Unix ms): the time it names, if any, else a draw before modified.
func (a *attr) appendValue(dst []byte, r *rng, modified int64) ([]byte, int64) {
	at := int64(0)
	switch a.kind {
	case kindOneOf:
		dst = append(dst, a.lits[r.intn(len(a.lits))]...)
	case kindNumber:
		dst = append(dst, '"')
		dst = strconv.AppendUint(dst, a.lo+r.next()%(a.hi-a.lo+1), 10)
		dst = append(dst, '"')
	case kindMillis:
		at = modified - int64(r.next()%(a.hi*dayMillis))
		dst = append(dst, '"')
		dst = strconv.AppendInt(dst, at, 10)
		dst = append(dst, '"')
	case kindDate:
		at = modified - int64(r.next()%(a.hi*dayMillis))
		dst = append(dst, '"')
		dst = appendStamp(dst, at, stampDate)
		dst = append(dst, '"')
	case kindMoney:
		cents := r.next() % 100000
		dst = append(dst, '"')
		dst = strconv.AppendUint(dst, cents/100, 10)
		dst = append(dst, '.', byte('0'+cents/10%10), byte('0'+cents%10), '"')
	}
	if at == 0 {
		at = modified - int64(r.next()%(attrAgeMaxDays*dayMillis))
	}
	return dst, at
}

func oneOf(key string, values ...string) attr {
	a := attr{key: key, kind: kindOneOf, lits: make([][]byte, len(values))}
	for i, v := range values {
		a.lits[i] = jsonstr.Append(nil, v)
	}
	return a
}

func number(key string, lo, hi uint64) attr { return attr{key: key, kind: kindNumber, lo: lo, hi: hi} }
func millisBefore(key string, days uint64) attr {
	return attr{key: key, kind: kindMillis, hi: days}
}
func dateBefore(key string, days uint64) attr { return attr{key: key, kind: kindDate, hi: days} }

// attrTable holds the attributes a profile draws 3 to 15 of. Names carry dots as
// real ones do; all values are strings; some hold characters that need escaping.
var attrTable = [...]attr{
	oneOf(`"user.memberlevel":`, "0.0", "1.0", "2.0", "3.0", "4.0"),
	oneOf(`"user.membershipLevel":`, "bronze", "silver", "gold", "platinum"),
	oneOf(`"user.city":`, "Paris", "Lyon", "New York", "São Paulo", "München", "Tōkyō",
		"Montréal", "Zürich", "Bordeaux", "Chicago", "Lisboa", "Kraków"),
	oneOf(`"user.country":`, "FR", "US", "DE", "BR", "JP", "CA", "CH", "PT", "PL"),
	oneOf(`"user.language":`, "fr-FR", "en-US", "de-DE", "pt-BR", "ja-JP", "fr-CA"),
	millisBefore(`"user.lastPurchase":`, 90),
	millisBefore(`"firstSessionStart":`, 365),
	oneOf(`"user.categoryAffinity":`, "shoes", "outdoor", "electronics",
		"kitchen & dining", "kids, toys", "beauty"),
	oneOf(`"profile.favoriteColor":`, "blue", "green", "red", "black", "bleu marine"),
	number(`"profile.loyaltyPoints":`, 0, 50000),
	number(`"profile.visitCount":`, 1, 400),
	oneOf(`"profile.newsletterOptIn":`, "true", "false"),
	oneOf(`"user.deviceType":`, "desktop", "mobile", "tablet"),
	dateBefore(`"profile.lastVisitDate":`, 30),
	oneOf(`"user.segment.highValue":`, "true", "false"),
	{key: `"profile.cartValue":`, kind: kindMoney},
	oneOf(`"profile.notes":`, `VIP – call before delivery`, `said "great service"`,
		`path C:\orders\2026`, "prefers\tevenings", "fête 🎉", ""),
	oneOf(`"user.ageBucket":`, "18-24", "25-34", "35-44", "45-54", "55+"),
	oneOf(`"profile.preferredStore":`, "Store #0123", "Store #0456", "online"),
	oneOf(`"profile.lastReferrer":`, "https://www.google.com/", "email campaign 2026-03",
		"https://example.com/a?b=c&d=e"),
	number(`"profile.productViews":`, 0, 2500),
	oneOf(`"profile.abandonedCart":`, "true", "false"),
	dateBefore(`"user.tier.since":`, 365),
	oneOf(`"profile.utm.source":`, "google", "newsletter", "facebook", "direct"),
}

package sandbox

import (
	"strconv"
	"time"
)

// attr is one profile attribute the sandbox can make up.
type attr struct {
	key string // `"name":`, ready to append
	// gen appends the value as a JSON string literal. It returns the attribute's
	// modifiedAt (Unix ms), or 0 to let the caller draw one.
	gen func(dst []byte, r *rng, p *profileCtx) ([]byte, int64)
}

// oneOf makes a generator choosing among fixed values, encoded once.
func oneOf(values ...string) func([]byte, *rng, *profileCtx) ([]byte, int64) {
	lits := make([][]byte, len(values))
	for i, v := range values {
		lits[i] = appendJSONString(nil, v)
	}
	return func(dst []byte, r *rng, _ *profileCtx) ([]byte, int64) {
		return append(dst, lits[r.intn(len(lits))]...), 0
	}
}

// number makes a generator of integers in [lo, hi], as strings.
func number(lo, hi uint64) func([]byte, *rng, *profileCtx) ([]byte, int64) {
	return func(dst []byte, r *rng, _ *profileCtx) ([]byte, int64) {
		dst = append(dst, '"')
		dst = strconv.AppendUint(dst, lo+r.next()%(hi-lo+1), 10)
		return append(dst, '"'), 0
	}
}

// millisBefore makes a generator of a Unix-ms timestamp up to maxDays before the
// profile's modifiedAt, which is also the attribute's own modifiedAt.
func millisBefore(maxDays int64) func([]byte, *rng, *profileCtx) ([]byte, int64) {
	return func(dst []byte, r *rng, p *profileCtx) ([]byte, int64) {
		at := p.modified - int64(r.next()%uint64(maxDays*dayMillis))
		dst = append(dst, '"')
		dst = strconv.AppendInt(dst, at, 10)
		return append(dst, '"'), at
	}
}

// dateBefore makes a generator of a YYYY-MM-DD date up to maxDays before modifiedAt.
func dateBefore(maxDays int64) func([]byte, *rng, *profileCtx) ([]byte, int64) {
	return func(dst []byte, r *rng, p *profileCtx) ([]byte, int64) {
		at := p.modified - int64(r.next()%uint64(maxDays*dayMillis))
		dst = append(dst, '"')
		dst = time.UnixMilli(at).In(edt).AppendFormat(dst, "2006-01-02")
		return append(dst, '"'), at
	}
}

// money generates an amount with two decimals, such as "129.90".
func money(dst []byte, r *rng, _ *profileCtx) ([]byte, int64) {
	cents := r.next() % 100000
	dst = append(dst, '"')
	dst = strconv.AppendUint(dst, cents/100, 10)
	dst = append(dst, '.', byte('0'+cents/10%10), byte('0'+cents%10), '"')
	return dst, 0
}

// attrTable holds the attributes a profile draws 3 to 15 of. Names carry dots as
// real ones do; all values are strings; some hold characters that need escaping.
var attrTable = [...]attr{
	{`"user.memberlevel":`, oneOf("0.0", "1.0", "2.0", "3.0", "4.0")},
	{`"user.membershipLevel":`, oneOf("bronze", "silver", "gold", "platinum")},
	{`"user.city":`, oneOf("Paris", "Lyon", "New York", "São Paulo", "München", "Tōkyō",
		"Montréal", "Zürich", "Bordeaux", "Chicago", "Lisboa", "Kraków")},
	{`"user.country":`, oneOf("FR", "US", "DE", "BR", "JP", "CA", "CH", "PT", "PL")},
	{`"user.language":`, oneOf("fr-FR", "en-US", "de-DE", "pt-BR", "ja-JP", "fr-CA")},
	{`"user.lastPurchase":`, millisBefore(90)},
	{`"firstSessionStart":`, millisBefore(365)},
	{`"user.categoryAffinity":`, oneOf("shoes", "outdoor", "electronics",
		"kitchen & dining", "kids, toys", "beauty")},
	{`"profile.favoriteColor":`, oneOf("blue", "green", "red", "black", "bleu marine")},
	{`"profile.loyaltyPoints":`, number(0, 50000)},
	{`"profile.visitCount":`, number(1, 400)},
	{`"profile.newsletterOptIn":`, oneOf("true", "false")},
	{`"user.deviceType":`, oneOf("desktop", "mobile", "tablet")},
	{`"profile.lastVisitDate":`, dateBefore(30)},
	{`"user.segment.highValue":`, oneOf("true", "false")},
	{`"profile.cartValue":`, money},
	{`"profile.notes":`, oneOf(`VIP – call before delivery`, `said "great service"`,
		`path C:\orders\2026`, "prefers\tevenings", "fête 🎉", "")},
	{`"user.ageBucket":`, oneOf("18-24", "25-34", "35-44", "45-54", "55+")},
	{`"profile.preferredStore":`, oneOf("Store #0123", "Store #0456", "online")},
	{`"profile.lastReferrer":`, oneOf("https://www.google.com/", "email campaign 2026-03",
		"https://example.com/a?b=c&d=e")},
	{`"profile.productViews":`, number(0, 2500)},
	{`"profile.abandonedCart":`, oneOf("true", "false")},
	{`"user.tier.since":`, dateBefore(365)},
	{`"profile.utm.source":`, oneOf("google", "newsletter", "facebook", "direct")},
}

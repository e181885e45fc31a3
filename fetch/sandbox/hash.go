package sandbox

import (
	"github.com/profile-export/profile-export/row"
)

// Salts separate the independent decisions drawn from one ID hash.
const (
	saltFound = 0x6a09e667f3bcc908
	saltFault = 0xbb67ae8584caa73b
	saltReset = 0x3c6ef372fe94f82b
	// saltFailFirst picks the IDs of Faults.FailFirstShare.
	saltFailFirst = 0xa54ff53a5f1d36f1
)

// mix is the splitmix64 finalizer: a fast, well-spread 64-bit permutation.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// idHash is the stable identity of (seed, type, id): FNV-1a over type and ID,
// separated by a byte no type contains, keyed and finished by mix. It must never
// change, or every sandbox run would see other profiles.
func idHash(seed uint64, t row.Type, id string) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037) ^ mix(seed)
	for i := 0; i < len(t); i++ {
		h ^= uint64(t[i])
		h *= prime
	}
	h ^= 0xff
	h *= prime
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= prime
	}
	return mix(h)
}

// unit maps x to [0,1).
func unit(x uint64) float64 { return float64(x>>11) / (1 << 53) }

// rng is a splitmix64 stream: deterministic, allocation-free, not for concurrent use.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix(r.s)
}

// intn returns a number in [0,n); the modulo bias is negligible for small n.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

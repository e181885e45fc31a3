package job

import (
	"testing"
	"time"
)

// A zero Grace means the default; a negative one (the CLI's --grace 0) means none,
// not the default: a user who asked for no grace must not wait 10 s.
func TestGraceDefaults(t *testing.T) {
	for _, tc := range []struct{ in, want int64 }{{0, int64(DefaultGrace)}, {-1, -1}, {5, 5}} {
		c := Config{Grace: time.Duration(tc.in)}
		c.withDefaults()
		if int64(c.Grace) != tc.want {
			t.Errorf("Grace %d: withDefaults made it %d, want %d", tc.in, c.Grace, tc.want)
		}
	}
}

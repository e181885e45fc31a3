package main

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestTuneGCKeepsTheUsersGOGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))

	t.Setenv("GOGC", "50")
	os.Unsetenv("GOGC") // t.Setenv restores it afterwards
	if got := tuneGC(); got != exportGCPercent {
		t.Errorf("without GOGC: tuneGC() = %d, want %d", got, exportGCPercent)
	}
	if got := debug.SetGCPercent(100); got != exportGCPercent {
		t.Errorf("without GOGC: GC percent %d in force, want %d", got, exportGCPercent)
	}

	// With GOGC set the runtime read it at start; here it is set by hand.
	t.Setenv("GOGC", "50")
	debug.SetGCPercent(50)
	if got := tuneGC(); got != 50 {
		t.Errorf("with GOGC=50: tuneGC() = %d, want 50", got)
	}
}

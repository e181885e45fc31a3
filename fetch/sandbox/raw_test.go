package sandbox

import (
	"io"
	"net"
	"testing"
	"time"
)

// rawRequest writes req on a new connection to addr and returns all it reads back.
func rawRequest(t *testing.T, addr, req string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(conn) // a reset ends the read with an error; what came is kept
	return string(b)
}

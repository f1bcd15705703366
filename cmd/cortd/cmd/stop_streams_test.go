package cmd

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The streams close on the first quit signal, and not at all once the start
// command returned without one.
func TestCloseStreamsOnQuitSignal(t *testing.T) {
	sig := make(chan os.Signal, 1)
	closed := make(chan struct{})
	go closeStreamsOn(sig, make(chan struct{}), func() { close(closed) })
	sig <- syscall.SIGTERM
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the streams were not closed on SIGTERM")
	}

	done := make(chan struct{})
	returned := make(chan struct{})
	calls := 0
	go func() { closeStreamsOn(make(chan os.Signal), done, func() { calls++ }); close(returned) }()
	close(done)
	<-returned
	require.Zero(t, calls)
}

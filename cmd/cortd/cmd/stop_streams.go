package cmd

import (
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/cortnet/cortd/app"
)

// created is the last app newApp made: the one `cortd start` runs.
var created atomic.Pointer[app.App]

// closeStreamsOnQuit ends the node's event streams when a signal that stops the
// node arrives (the SDK's server stops on SIGINT and SIGTERM, and so does a halt
// height). The SDK's gRPC server stops gracefully, waiting for every open call, and
// a sidecar's event stream never ends by itself: without this, `cortd start` asked
// to stop closed its gRPC port and kept running. It returns the function that
// stops listening.
func closeStreamsOnQuit() (stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	go closeStreamsOn(sig, done, func() {
		if a := created.Load(); a != nil {
			a.CloseEventStreams()
		}
	})
	return func() {
		signal.Stop(sig)
		close(done)
	}
}

// closeStreamsOn calls closeStreams on the first signal, unless done closes first.
func closeStreamsOn(sig <-chan os.Signal, done <-chan struct{}, closeStreams func()) {
	select {
	case <-sig:
		closeStreams()
	case <-done:
	}
}

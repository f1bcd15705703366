package router

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestWindowSlides(t *testing.T) {
	w := newWindow(100, time.Minute, 60)
	t0 := time.Unix(1_800_000_000, 0)
	ok, _ := w.fits(t0, 60)
	require.True(t, ok)
	w.add(t0, 60)
	w.add(t0.Add(30*time.Second), 40)
	ok, wait := w.fits(t0.Add(40*time.Second), 1)
	require.False(t, ok)
	require.Equal(t, 20*time.Second, wait, "the first 60 leave the window 60 s after they were added")
	ok, wait = w.fits(t0.Add(40*time.Second), 50)
	require.False(t, ok)
	require.Equal(t, 20*time.Second, wait, "60 freed is enough for 50")
	ok, wait = w.fits(t0.Add(40*time.Second), 70)
	require.False(t, ok)
	require.Equal(t, 50*time.Second, wait, "70 needs the 40 to leave too")
	ok, _ = w.fits(t0.Add(60*time.Second), 60)
	require.True(t, ok)
	ok, wait = w.fits(t0, 101)
	require.False(t, ok)
	require.Zero(t, wait, "over the limit on its own: never")
	// Far in the future everything has left.
	ok, _ = w.fits(t0.Add(time.Hour), 100)
	require.True(t, ok)
	require.Zero(t, w.total)
}

func TestWindowReleaseAndClockSteps(t *testing.T) {
	w := newWindow(100, time.Minute, 60)
	t0 := time.Unix(1_800_000_000, 0)
	h := w.add(t0, 70)
	h.release()
	require.Zero(t, w.total)
	// A hold whose bucket has left the window and been reused is not taken back.
	h = w.add(t0, 70)
	w.add(t0.Add(61*time.Second), 30) // the 70 left; its slot now holds a newer second
	h.release()
	require.Equal(t, uint64(30), w.total)
	// A clock that steps back counts in the newest bucket; nothing is lost.
	w.add(t0, 10)
	require.Equal(t, uint64(40), w.total)
	// No overflow near the top of uint64.
	big := newWindow(math.MaxUint64, time.Minute, 60)
	big.add(t0, math.MaxUint64-1)
	ok, _ := big.fits(t0, 2)
	require.False(t, ok)
}

func TestHumanWait(t *testing.T) {
	require.Equal(t, "1 s", humanWait(time.Millisecond))
	require.Equal(t, "37 s", humanWait(37*time.Second))
	require.Equal(t, "3 min", humanWait(150*time.Second))
	require.Equal(t, "2 h 5 min", humanWait(2*time.Hour+4*time.Minute+1*time.Second))
	require.Equal(t, "1", retryAfterSeconds(0))
	require.Equal(t, "38", retryAfterSeconds(37*time.Second+time.Millisecond))
}

func TestKeyIDHidesTheKey(t *testing.T) {
	id := keyID("sk-secret-123")
	require.Regexp(t, `^key-[0-9a-f]{8}$`, id)
	require.NotEqual(t, id, keyID("sk-secret-124"))
	require.Equal(t, "anonymous", keyID(anonymousKey))
}

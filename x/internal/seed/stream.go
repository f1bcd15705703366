package seed

import "encoding/binary"

// Stream expands a seed into a deterministic byte stream: block i is sha256(seed ‖
// uint64_be(i)), consumed two bytes at a time. x/data draws target centres and model
// shuffles from it.
type Stream struct {
	seed  []byte
	buf   []byte
	block uint64
}

// NewStream returns the stream of a seed (not copied: the caller must not modify it).
func NewStream(s []byte) *Stream { return &Stream{seed: s} }

// Uint16 returns the next two bytes of the stream, big-endian.
func (s *Stream) Uint16() uint16 {
	if len(s.buf) < 2 {
		d := sum([][]byte{s.seed}, []uint64{s.block})
		s.block++
		s.buf = d[:]
	}
	v := binary.BigEndian.Uint16(s.buf)
	s.buf = s.buf[2:]
	return v
}

// Uint64 draws an integer below n (n > 0) from four 16-bit draws; the modulo bias of a
// 64-bit draw is < n/2^64.
func (s *Stream) Uint64(n uint64) uint64 {
	var v uint64
	for range 4 {
		v = v<<16 | uint64(s.Uint16())
	}
	return v % n
}

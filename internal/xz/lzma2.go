package xz

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// This file is an LZMA2 decoder (the format as xz-file-format.txt and the
// LZMA SDK describe it) that writes into one flat buffer: the buffer is
// the dictionary, so a match is a copy within it, with no window to wrap.
// It is used where the whole output of a block is held anyway.

// errCorrupt is the cause of every error for LZMA2 data that does not
// decode.
var errCorrupt = errors.New("corrupt LZMA2 data")

const (
	numStates    = 12
	probBits     = 11
	probInit     = 1 << (probBits - 1)
	probMoveBits = 5
	// rcOverrun bounds how far the range decoder may read past a chunk's
	// end before the check at the next symbol catches it: no symbol takes
	// more than 64 bits, and each bit takes at most one byte.
	rcOverrun = 128
)

type lenDecoder struct {
	choice, choice2 uint16
	low             [16][8]uint16
	mid             [16][8]uint16
	high            [256]uint16
}

func (l *lenDecoder) reset() {
	l.choice, l.choice2 = probInit, probInit
	for i := range l.low {
		for j := range l.low[i] {
			l.low[i][j], l.mid[i][j] = probInit, probInit
		}
	}
	for i := range l.high {
		l.high[i] = probInit
	}
}

// lzmaDec is the state of an LZMA decoder that survives from one LZMA2
// chunk to the next.
type lzmaDec struct {
	lc, lp, pb uint32
	state      uint32
	rep        [4]uint32

	isMatch    [numStates << 4]uint16
	isRep      [numStates]uint16
	isRepG0    [numStates]uint16
	isRepG1    [numStates]uint16
	isRepG2    [numStates]uint16
	isRep0Long [numStates << 4]uint16
	posSlot    [4][64]uint16
	posSpecial [115]uint16
	align      [16]uint16
	lenDec     lenDecoder
	repLenDec  lenDecoder
	literal    [0x300 << 4]uint16 // lc+lp <= 4 in LZMA2
}

func (d *lzmaDec) reset() {
	d.state = 0
	d.rep = [4]uint32{}
	fill := func(p []uint16) {
		for i := range p {
			p[i] = probInit
		}
	}
	fill(d.isMatch[:])
	fill(d.isRep[:])
	fill(d.isRepG0[:])
	fill(d.isRepG1[:])
	fill(d.isRepG2[:])
	fill(d.isRep0Long[:])
	for i := range d.posSlot {
		fill(d.posSlot[i][:])
	}
	fill(d.posSpecial[:])
	fill(d.align[:])
	fill(d.literal[:0x300<<(d.lc+d.lp)])
	d.lenDec.reset()
	d.repLenDec.reset()
}

// rangeDec is the range decoder of one LZMA chunk. in runs at least
// rcOverrun bytes past the chunk's end, so a bit never checks the length.
type rangeDec struct {
	rng, code uint32
	in        []byte
	pos       int
}

// The functions below decode with the range decoder's state in values
// (range, code, and the position in in) that they take and return, so
// that the caller's loop keeps it in registers: through a pointer, each
// bit would store it and load it again, on the decoder's critical path.

// rcBit decodes one bit of probability *p.
func rcBit(rng, code uint32, in []byte, pos int, p *uint16) (uint32, uint32, int, uint32) {
	if rng < 1<<24 {
		rng <<= 8
		code = code<<8 | uint32(in[pos])
		pos++
	}
	v := uint32(*p)
	bound := (rng >> probBits) * v
	if code < bound {
		*p = uint16(v + (1<<probBits-v)>>probMoveBits)
		return bound, code, pos, 0
	}
	*p = uint16(v - v>>probMoveBits)
	return rng - bound, code - bound, pos, 1
}

// rcNorm normalizes the range decoder before a bit: rcBit does it
// itself; a caller of rcSym calls rcNorm first.
func rcNorm(rng, code uint32, in []byte, pos int) (uint32, uint32, int) {
	if rng < 1<<24 {
		rng <<= 8
		code = code<<8 | uint32(in[pos])
		pos++
	}
	return rng, code, pos
}

// rcSym is rcBit (without the normalization: see rcNorm, which would make
// it too large for the compiler to inline) for a bit that only goes into a
// symbol (a bit of a bit tree, a literal's bit), not into what is decoded
// next: it chooses between the two outcomes with masks rather than a
// branch. Such a bit is what compression leaves unpredictable, so a branch
// on it is mispredicted about as often as not, which costs more than
// computing both outcomes.
func rcSym(rng, code uint32, p *uint16) (uint32, uint32, uint32) {
	v := uint32(*p)
	bound := (rng >> probBits) * v
	// mask is all ones when the bit is 0 (code < bound), else zero.
	mask := uint32(int64(uint64(code)-uint64(bound)) >> 63)
	rng -= bound
	rng ^= (rng ^ bound) & mask // bound for a 0, rng-bound for a 1
	code -= bound &^ mask
	// For a 1, v - v>>5; for a 0, v - (v-2017)>>5 (an arithmetic shift),
	// which is v + (2048-v)>>5.
	*p = uint16(int32(v) - (int32(v)+int32(mask)&(31-1<<probBits))>>probMoveBits)
	return rng, code, mask + 1
}

// rcTree decodes a bit tree of n bits, where probs has 1<<n entries: the
// loop runs to len(probs), which tells the compiler that every index is
// in range.
func rcTree(rng, code uint32, in []byte, pos int, probs []uint16) (uint32, uint32, int, uint32) {
	m := uint32(1)
	for int(m) < len(probs) {
		var b uint32
		rng, code, pos = rcNorm(rng, code, in, pos)
		rng, code, b = rcSym(rng, code, &probs[m])
		m = m<<1 | b
	}
	return rng, code, pos, m - uint32(len(probs))
}

// rcReverse decodes a reverse bit tree of n bits.
func rcReverse(rng, code uint32, in []byte, pos int, probs []uint16, n uint) (uint32, uint32, int, uint32) {
	m, sym := uint32(1), uint32(0)
	for i := range n {
		var b uint32
		rng, code, pos = rcNorm(rng, code, in, pos)
		rng, code, b = rcSym(rng, code, &probs[m])
		m = m<<1 | b
		sym |= b << i
	}
	return rng, code, pos, sym
}

// rcDirect decodes n bits of probability one half.
func rcDirect(rng, code uint32, in []byte, pos int, n uint) (uint32, uint32, int, uint32) {
	var v uint32
	for range n {
		if rng < 1<<24 {
			rng <<= 8
			code = code<<8 | uint32(in[pos])
			pos++
		}
		rng >>= 1
		code -= rng
		t := 0 - (code >> 31) // all ones when the bit is 0
		code += rng & t
		v = v<<1 | (t + 1)
	}
	return rng, code, pos, v
}

// The literal decoders are functions of their own, not written out in
// decodeChunk's loop, where they were slower: there the range decoder's
// state, among the many values that loop keeps, was held in memory
// across each bit, where here it stays in registers. The call costs less
// than that.

// rcLiteral decodes a literal with probs.
func rcLiteral(rng, code uint32, in []byte, pos int, probs *[0x300]uint16) (uint32, uint32, int, uint32) {
	sym := uint32(1)
	for sym < 0x100 {
		var b uint32
		rng, code, pos = rcNorm(rng, code, in, pos)
		rng, code, b = rcSym(rng, code, &probs[sym])
		sym = sym<<1 | b
	}
	return rng, code, pos, sym & 0xff
}

// rcMatchedLiteral decodes a literal after a match, with probs and the
// byte at rep0 (match): while the literal's bits agree with match's, with
// the probabilities of probs[0x100:] that match's bit chooses; from the
// first that differs, with those of a plain literal. offs is 0x100 while
// they agree and 0 after, which makes the choice without a branch.
func rcMatchedLiteral(rng, code uint32, in []byte, pos int, probs *[0x300]uint16, match uint32) (uint32, uint32, int, uint32) {
	sym, offs := uint32(1), uint32(0x100)
	for sym < 0x100 {
		match <<= 1
		old := offs
		offs &= match // the match's bit while they agree, else 0
		var b uint32
		rng, code, pos = rcNorm(rng, code, in, pos)
		rng, code, b = rcSym(rng, code, &probs[old+offs+sym])
		sym = sym<<1 | b
		offs ^= old & (b - 1) // old while b is the match's bit, else 0
	}
	return rng, code, pos, sym & 0xff
}

// rcLength decodes a match length (less 2) with l. The 3-bit trees of
// the short lengths, which most matches have, are written out, without
// rcTree's call and loop.
func rcLength(rng, code uint32, in []byte, pos int, l *lenDecoder, posState uint32) (uint32, uint32, int, uint32) {
	var b, base uint32
	var p *[8]uint16
	if rng, code, pos, b = rcBit(rng, code, in, pos, &l.choice); b == 0 {
		p = &l.low[posState&15]
	} else if rng, code, pos, b = rcBit(rng, code, in, pos, &l.choice2); b == 0 {
		p, base = &l.mid[posState&15], 8
	} else {
		rng, code, pos, b = rcTree(rng, code, in, pos, l.high[:])
		return rng, code, pos, 16 + b
	}
	rng, code, pos = rcNorm(rng, code, in, pos)
	rng, code, b = rcSym(rng, code, &p[1])
	m := 2 | b
	rng, code, pos = rcNorm(rng, code, in, pos)
	rng, code, b = rcSym(rng, code, &p[m&7])
	m = m<<1 | b
	rng, code, pos = rcNorm(rng, code, in, pos)
	rng, code, b = rcSym(rng, code, &p[m&7])
	return rng, code, pos, base + (m<<1 | b) - 8
}

// lzma2Dec decodes the LZMA2 data of one block.
type lzma2Dec struct {
	dictSize uint32
	lz       lzmaDec
	// The rules of the chunk sequence, as xz's decoder enforces them.
	needDictReset, needProps bool
	// done, once closed, stops the decoding at the next chunk.
	done <-chan struct{}
}

// decodeLZMA2 decodes the LZMA2 data in[:n], which must decode to exactly
// size bytes, into out[:0] (grown as needed); in runs at least rcOverrun
// bytes past n. It returns the output (out[:size] on success, what was
// decoded on error) and the number of bytes of in used, up to and
// including the end marker. Closing done stops it at the next chunk,
// with errClosed.
//
// The output is grown as the chunks ask for room, at least doubling up to
// size: what it allocates is bounded by what the data decodes to (twice
// that, and a chunk's 2 MiB), not by the size the file claims.
func decodeLZMA2(in []byte, n int, out []byte, size int, dictSize uint32, done <-chan struct{}) ([]byte, int, error) {
	if len(in) < n+rcOverrun {
		return out[:0], 0, fmt.Errorf("%w: no room after the data", errCorrupt) // a caller's bug
	}
	d := &lzma2Dec{dictSize: dictSize, needDictReset: true, needProps: true, done: done}
	return d.decode(in, n, out, size)
}

// growOut returns out with room for need bytes, at most size, keeping
// its first keep bytes.
func growOut(out []byte, keep, need, size int) []byte {
	if need <= len(out) {
		return out
	}
	b := make([]byte, min(size, max(need, 2*cap(out), 64<<10)))
	copy(b, out[:keep])
	return b
}

func (d *lzma2Dec) decode(padded []byte, n int, out []byte, size int) (res []byte, used int, err error) {
	in := padded[:n]
	pos, outPos, dictStart := 0, 0, 0
	out = out[:min(cap(out), size)]
	defer func() { res = res[:outPos] }()
	for {
		if d.done != nil {
			select {
			case <-d.done:
				return out, pos, errClosed
			default:
			}
		}
		if pos >= len(in) {
			return out, pos, fmt.Errorf("%w: the data ends before the end marker", errCorrupt)
		}
		control := in[pos]
		pos++
		if control == 0 {
			if outPos != size {
				return out, pos, fmt.Errorf("%w: %d bytes decoded, %d expected", errCorrupt, outPos, size)
			}
			return out, pos, nil
		}
		if control >= 0xe0 || control == 1 {
			d.needProps = true
			d.needDictReset = false
			dictStart = outPos
		} else if d.needDictReset {
			return out, pos, fmt.Errorf("%w: the first chunk does not reset the dictionary", errCorrupt)
		}
		if control < 0x80 {
			if control > 2 {
				return out, pos, fmt.Errorf("%w: bad chunk control byte %#x", errCorrupt, control)
			}
			if pos+2 > len(in) {
				return out, pos, fmt.Errorf("%w: a chunk header is cut short", errCorrupt)
			}
			n := int(in[pos])<<8 | int(in[pos+1]) + 1
			pos += 2
			if pos+n > len(in) {
				return out, pos, fmt.Errorf("%w: an uncompressed chunk of %d bytes is cut short (%d left)", errCorrupt, n, len(in)-pos)
			}
			if outPos+n > size {
				return out, pos, fmt.Errorf("%w: an uncompressed chunk of %d bytes does not fit in the %d left of the block", errCorrupt, n, size-outPos)
			}
			out = growOut(out, outPos, outPos+n, size)
			copy(out[outPos:], in[pos:pos+n])
			pos += n
			outPos += n
			continue
		}
		if pos+4 > len(in) {
			return out, pos, fmt.Errorf("%w: a chunk header is cut short", errCorrupt)
		}
		unpacked := int(control&0x1f)<<16 | int(in[pos])<<8 | int(in[pos+1]) + 1
		packed := int(in[pos+2])<<8 | int(in[pos+3]) + 1
		pos += 4
		switch control >> 5 {
		case 4:
			if d.needProps {
				return out, pos, fmt.Errorf("%w: a chunk without properties where they are needed", errCorrupt)
			}
		case 5:
			if d.needProps {
				return out, pos, fmt.Errorf("%w: a chunk without properties where they are needed", errCorrupt)
			}
			d.lz.reset()
		default: // 6, 7: new properties and a state reset
			if pos >= len(in) {
				return out, pos, fmt.Errorf("%w: a chunk header is cut short", errCorrupt)
			}
			props := uint32(in[pos])
			pos++
			if props >= 9*5*5 {
				return out, pos, fmt.Errorf("%w: bad LZMA properties %#x", errCorrupt, props)
			}
			lc, lp, pb := props%9, props/9%5, props/45
			if lc+lp > 4 {
				return out, pos, fmt.Errorf("%w: lc+lp = %d exceeds 4", errCorrupt, lc+lp)
			}
			d.lz.lc, d.lz.lp, d.lz.pb = lc, lp, pb
			d.needProps = false
			d.lz.reset()
		}
		if pos+packed > len(in) {
			return out, pos, fmt.Errorf("%w: a chunk of %d bytes (to %d) is cut short (%d left)", errCorrupt, packed, unpacked, len(in)-pos)
		}
		if outPos+unpacked > size {
			return out, pos, fmt.Errorf("%w: a chunk of %d bytes to %d does not fit in the %d left of the block", errCorrupt, packed, unpacked, size-outPos)
		}
		if packed < 5 || in[pos] != 0 {
			return out, pos, fmt.Errorf("%w: bad range coder start", errCorrupt)
		}
		out = growOut(out, outPos, outPos+unpacked, size)
		rc := rangeDec{rng: 0xffffffff, in: padded, pos: pos + 5}
		rc.code = uint32(in[pos+1])<<24 | uint32(in[pos+2])<<16 | uint32(in[pos+3])<<8 | uint32(in[pos+4])
		end := pos + packed
		if err := d.lz.decodeChunk(&rc, out, outPos, outPos+unpacked, dictStart, d.dictSize, end); err != nil {
			return out, pos, err
		}
		if rc.pos != end {
			return out, pos, fmt.Errorf("%w: a chunk uses %d bytes; its header says %d", errCorrupt, rc.pos-pos, packed)
		}
		pos = end
		outPos += unpacked
	}
}

// decodeChunk decodes LZMA symbols into out[pos:end]; distances reach
// back at most to dictStart and dictSize bytes. The range decoder must
// not read past inEnd.
func (d *lzmaDec) decodeChunk(rc *rangeDec, out []byte, pos, end, dictStart int, dictSize uint32, inEnd int) error {
	pbMask := uint32(1)<<d.pb - 1
	lpMask := uint32(1)<<d.lp - 1
	lc := d.lc
	state := d.state
	rep0, rep1, rep2, rep3 := d.rep[0], d.rep[1], d.rep[2], d.rep[3]
	rng, code, rpos, in := rc.rng, rc.code, rc.pos, rc.in
	var b uint32
	for pos < end {
		if rpos > inEnd {
			return fmt.Errorf("%w: a chunk reads past its end", errCorrupt)
		}
		posState := uint32(pos-dictStart) & pbMask
		if rng, code, rpos, b = rcBit(rng, code, in, rpos, &d.isMatch[state<<4|posState]); b == 0 {
			// A literal.
			var prev uint32
			if pos > dictStart {
				prev = uint32(out[pos-1])
			}
			k := ((uint32(pos-dictStart)&lpMask)<<lc + prev>>(8-lc)) * 0x300
			probs := (*[0x300]uint16)(d.literal[k : k+0x300])
			var sym uint32
			if state < 7 {
				rng, code, rpos, sym = rcLiteral(rng, code, in, rpos, probs)
			} else {
				src := pos - int(rep0) - 1
				if src < dictStart {
					return fmt.Errorf("%w: a distance reaches before the dictionary", errCorrupt)
				}
				rng, code, rpos, sym = rcMatchedLiteral(rng, code, in, rpos, probs, uint32(out[src]))
			}
			out[pos] = byte(sym)
			pos++
			switch {
			case state < 4:
				state = 0
			case state < 10:
				state -= 3
			default:
				state -= 6
			}
			continue
		}
		var n uint32
		if rng, code, rpos, b = rcBit(rng, code, in, rpos, &d.isRep[state]); b == 0 {
			// A match with a new distance.
			rng, code, rpos, n = rcLength(rng, code, in, rpos, &d.lenDec, posState)
			if state < 7 {
				state = 7
			} else {
				state = 10
			}
			var slot, v uint32
			rng, code, rpos, slot = rcTree(rng, code, in, rpos, d.posSlot[min(n, 3)][:])
			dist := slot
			if slot >= 4 {
				direct := uint(slot>>1 - 1)
				dist = (2 | slot&1) << direct
				if slot < 14 {
					rng, code, rpos, v = rcReverse(rng, code, in, rpos, d.posSpecial[dist-slot:], direct)
					dist += v
				} else {
					rng, code, rpos, v = rcDirect(rng, code, in, rpos, direct-4)
					dist += v << 4
					rng, code, rpos, v = rcReverse(rng, code, in, rpos, d.align[:], 4)
					dist += v
				}
			}
			rep3, rep2, rep1, rep0 = rep2, rep1, rep0, dist
			if dist == 0xffffffff {
				return fmt.Errorf("%w: an end marker inside LZMA2 data", errCorrupt)
			}
		} else {
			if rng, code, rpos, b = rcBit(rng, code, in, rpos, &d.isRepG0[state]); b == 0 {
				if rng, code, rpos, b = rcBit(rng, code, in, rpos, &d.isRep0Long[state<<4|posState]); b == 0 {
					// A short rep: one byte at rep0.
					src := pos - int(rep0) - 1
					if src < dictStart || rep0 >= dictSize {
						return fmt.Errorf("%w: a distance reaches before the dictionary", errCorrupt)
					}
					if state < 7 {
						state = 9
					} else {
						state = 11
					}
					out[pos] = out[src]
					pos++
					continue
				}
			} else {
				var dist uint32
				if rng, code, rpos, b = rcBit(rng, code, in, rpos, &d.isRepG1[state]); b == 0 {
					dist = rep1
				} else {
					if rng, code, rpos, b = rcBit(rng, code, in, rpos, &d.isRepG2[state]); b == 0 {
						dist = rep2
					} else {
						dist = rep3
						rep3 = rep2
					}
					rep2 = rep1
				}
				rep1 = rep0
				rep0 = dist
			}
			rng, code, rpos, n = rcLength(rng, code, in, rpos, &d.repLenDec, posState)
			if state < 7 {
				state = 8
			} else {
				state = 11
			}
		}
		// Copy n+2 bytes from rep0+1 back.
		length := int(n) + 2
		if uint64(rep0) >= uint64(pos-dictStart) || rep0 >= dictSize {
			return fmt.Errorf("%w: distance %d at %d reaches before the dictionary", errCorrupt, rep0+1, pos-dictStart)
		}
		if pos+length > end {
			return fmt.Errorf("%w: a match runs past the end of its chunk", errCorrupt)
		}
		src := pos - int(rep0) - 1
		switch {
		case rep0 >= 7 && pos+length+8 <= len(out):
			// Eight bytes at a time: each load is of bytes already
			// written, and what is written past the match is
			// overwritten by what follows it.
			for i := 0; i < length; i += 8 {
				binary.LittleEndian.PutUint64(out[pos+i:], binary.LittleEndian.Uint64(out[src+i:]))
			}
		case rep0 == 0:
			b := out[src]
			for i := range length {
				out[pos+i] = b
			}
		default:
			for i := range length {
				out[pos+i] = out[src+i]
			}
		}
		pos += length
	}
	// The chunk ends with the range decoder normalized (as xz's does).
	if rng < 1<<24 {
		rng <<= 8
		code = code<<8 | uint32(in[rpos])
		rpos++
	}
	rc.rng, rc.code, rc.pos = rng, code, rpos
	if rpos > inEnd {
		return fmt.Errorf("%w: a chunk reads past its end", errCorrupt)
	}
	// The encoder flushes its low end exactly, which leaves the decoder
	// at code 0 (xz checks the same).
	if code != 0 {
		return fmt.Errorf("%w: the range decoder does not finish at zero", errCorrupt)
	}
	d.state = state
	d.rep = [4]uint32{rep0, rep1, rep2, rep3}
	return nil
}

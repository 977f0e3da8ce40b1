package xz

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ulxz "github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// sample returns n bytes that compress somewhat, as a kernel's do: runs,
// repeats at near and far distances, text and noise.
func sample(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, 0, n)
	words := [][]byte{[]byte("struct "), []byte("task_struct"), []byte("\x00\x00\x00\x00"), []byte("vmap_area"), []byte("\xff\xff\xff\xff\x48\x89\xe5")}
	for len(b) < n {
		switch rng.IntN(5) {
		case 0:
			b = append(b, words[rng.IntN(len(words))]...)
		case 1: // a repeat from up to 64 KiB back
			if len(b) > 0 {
				d := 1 + rng.IntN(min(len(b), 64<<10))
				l := 2 + rng.IntN(300)
				for range l {
					b = append(b, b[len(b)-d])
				}
			}
		case 2:
			b = append(b, bytes.Repeat([]byte{byte(rng.IntN(3))}, rng.IntN(100))...)
		default:
			for range rng.IntN(20) {
				b = append(b, byte(rng.Uint32()))
			}
		}
	}
	return b[:n]
}

// encode compresses data with the library's writer.
func encode(t testing.TB, data []byte, cfg ulxz.WriterConfig) []byte {
	var buf bytes.Buffer
	w, err := cfg.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decodeBoth decodes every block of the xz file data with this package's
// decoder and with the library's, and checks that they agree.
func decodeBoth(t *testing.T, name string, data []byte) []byte {
	t.Helper()
	r := bytes.NewReader(data)
	blocks, err := Blocks(r, int64(len(data)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var all []byte
	var in []byte
	for _, b := range blocks {
		ok, own, in2, err := decodeOwn(r, b, nil, in, nil)
		in = in2
		if !ok || err != nil {
			t.Fatalf("%s: block at %d: own decoder: %v, %v", name, b.Offset, ok, err)
		}
		lib, err := decodeLibrary(r, b, nil)
		if err != nil {
			t.Fatalf("%s: block at %d: library: %v", name, b.Offset, err)
		}
		if !bytes.Equal(own, lib) {
			t.Fatalf("%s: block at %d: the decoders disagree", name, b.Offset)
		}
		all = append(all, own...)
	}
	return all
}

// TestOwnDecoder: the package's LZMA2 decoder and the library's agree on
// files the library's writer made with every literal and position
// setting, every check, and several block sizes, and on the xz members of
// the fixture packages (made by xz itself).
func TestOwnDecoder(t *testing.T) {
	props := []lzma.Properties{{LC: 3, LP: 0, PB: 2}, {LC: 0, LP: 0, PB: 0}, {LC: 4, LP: 0, PB: 4}, {LC: 0, LP: 4, PB: 0}, {LC: 1, LP: 3, PB: 1}, {LC: 2, LP: 2, PB: 3}}
	checks := []byte{ulxz.CRC32, ulxz.CRC64, ulxz.SHA256}
	for i, p := range props {
		for j, c := range checks {
			data := sample(uint64(i*7+j), 50_000+i*40_000)
			cfg := ulxz.WriterConfig{Properties: &p, CheckSum: c, BlockSize: int64(20_000 + j*30_000), DictCap: 1 << 16}
			if j == 0 {
				cfg.NoCheckSum = true
			}
			if got := decodeBoth(t, "generated", encode(t, data, cfg)); !bytes.Equal(got, data) {
				t.Fatalf("props %+v, check %d: the output differs from the input", p, c)
			}
		}
	}
	debs, _ := filepath.Glob("../../testdata/deb/*.deb")
	debs2, _ := filepath.Glob("../../testdata/deb/*.ddeb")
	n := 0
	for _, path := range append(debs, debs2...) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{"control.tar.xz", "data.tar.xz"} {
			if !bytes.Contains(raw, []byte(m)) {
				continue
			}
			decodeBoth(t, path+": "+m, member(t, path, m))
			n++
		}
	}
	if n < 3 {
		t.Fatalf("only %d xz members in the fixtures", n)
	}
}

// TestOwnDecoderCorrupt: every single-byte change to a block, and every
// truncation, gives an error (the block's check catches what the decoder
// does not), never a panic or wrong output.
func TestOwnDecoderCorrupt(t *testing.T) {
	data := sample(42, 6_000)
	file := encode(t, data, ulxz.WriterConfig{CheckSum: ulxz.CRC32, DictCap: 1 << 16})
	blocks, err := Blocks(bytes.NewReader(file), int64(len(file)))
	if err != nil || len(blocks) != 1 {
		t.Fatalf("%d blocks, %v", len(blocks), err)
	}
	b := blocks[0]
	out := make([]byte, b.Uncompressed)
	for i := b.Offset; i < b.Offset+b.padded(); i++ {
		for _, x := range []byte{0x01, 0xff} {
			d := bytes.Clone(file)
			d[i] ^= x
			_, _, _, err := decodeOwn(bytes.NewReader(d), b, out, nil, nil)
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("byte %d ^ %#x: error %v", i, x, err)
			}
		}
	}
	// The index says the block is shorter or longer than it is.
	for _, delta := range []int64{-1, 1} {
		c := b
		c.Uncompressed += delta
		if _, _, _, err := decodeOwn(bytes.NewReader(file), c, nil, nil, nil); !errors.Is(err, ErrFormat) {
			t.Fatalf("uncompressed size %+d: error %v", delta, err)
		}
	}
}

// FuzzLZMA2 decodes raw LZMA2 data with the library's decoder and this
// package's: where the library decodes it, this package must give the
// same bytes, or refuse it for one of the reasons xz refuses it (see
// stricter) having decoded the same bytes up to there; where the library
// refuses it, this package must too.
func FuzzLZMA2(f *testing.F) {
	for i, p := range []lzma.Properties{{LC: 3, LP: 0, PB: 2}, {LC: 0, LP: 2, PB: 0}} {
		data := sample(uint64(i), 3000)
		var buf bytes.Buffer
		w, err := lzma.Writer2Config{Properties: &p, DictCap: 1 << 12}.NewWriter2(&buf)
		if err != nil {
			f.Fatal(err)
		}
		w.Write(data)
		w.Close()
		f.Add(buf.Bytes())
	}
	f.Add([]byte{0x01, 0x00, 0x02, 'a', 'b', 'c', 0x00})
	f.Fuzz(func(t *testing.T, in []byte) {
		const dict = 1 << 16
		lr, err := lzma.Reader2Config{DictCap: dict}.NewReader2(bytes.NewReader(in))
		if err != nil {
			return
		}
		want, libErr := io.ReadAll(io.LimitReader(lr, 1<<20))
		if len(want) >= 1<<20 {
			return
		}
		padded := append(bytes.Clone(in), make([]byte, rcOverrun)...)
		d := &lzma2Dec{dictSize: dict, needDictReset: true, needProps: true}
		out, used, err := d.decode(padded, len(in), nil, len(want))
		if libErr != nil {
			// The library refuses it: so must this package, given room
			// for what the library decoded before refusing.
			if err == nil {
				t.Fatalf("the library fails after %d bytes (%v); this package decodes them", len(want), libErr)
			}
			return
		}
		// The library can report a clean end of no data for input it
		// cannot decode: only what it decodes to some bytes is compared.
		if len(want) == 0 {
			return
		}
		if err != nil && strings.Contains(err.Error(), "does not fit") {
			// A chunk goes past the library's output: with room for it,
			// this package either decodes more than the library to an end
			// marker (a disagreement) or refuses the data for a reason of
			// its own, judged below. (A chunk decodes to 2 MiB at most.)
			d = &lzma2Dec{dictSize: dict, needDictReset: true, needProps: true}
			out, _, err = d.decode(padded, len(in), nil, len(want)+2<<20)
		}
		if err != nil {
			why := stricter(err)
			if why == "" {
				t.Fatalf("the library decodes %d bytes; this package fails after %d: %v", len(want), len(out), err)
			}
			if len(out) > len(want) || !bytes.Equal(out, want[:len(out)]) {
				t.Fatalf("the outputs differ before the refusal (%v)", err)
			}
			if why == whyNoEnd && len(out) != len(want) {
				// Every chunk was decoded; only the end marker is missing.
				t.Fatalf("the library decodes %d bytes; this package %d before: %v", len(want), len(out), err)
			}
			return
		}
		if !bytes.Equal(out, want) {
			t.Fatal("the outputs differ")
		}
		if used > len(in) {
			t.Fatalf("used %d of %d bytes", used, len(in))
		}
	})
}

// Why this package refuses LZMA2 data that the library decodes.
const (
	whyCut      = "cut short"
	whyNoEnd    = "ends before the end marker"
	whyMatch    = "runs past the end of its chunk"
	whyRange    = "does not finish at zero"
	whyLiterals = "exceeds 4"
	whyStart    = "bad range coder start"
	whyUsed     = "its header says"
)

// stricter returns which of the checks this package makes, as xz does,
// and the library does not, err is; "" if it is none of them. They are: a
// match running across a chunk's end, a range decoder that does not end
// at zero, lc+lp over 4 (LZMA2 allows no more), a compressed chunk
// shorter than the range decoder's 5 first bytes or whose first is not
// zero (the library can end cleanly before such a chunk), a chunk whose
// symbols end before the compressed size its header gives (xz requires
// the size to be exact; the library does not check it), and data that ends
// inside a chunk or before the end marker (the library reports a clean
// end for it, of what it decoded up to there). A chunk that does not fit
// in the output is not one: the output is as long as the library's.
func stricter(err error) string {
	if !errors.Is(err, errCorrupt) {
		return ""
	}
	for _, s := range []string{whyCut, whyNoEnd, whyMatch, whyRange, whyLiterals, whyStart, whyUsed} {
		if strings.Contains(err.Error(), s) {
			return s
		}
	}
	return ""
}

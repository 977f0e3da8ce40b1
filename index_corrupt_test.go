package kabi

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi/internal/index"
)

// noFirewall switches the panic firewall off for the test, so that a
// panic on bad input fails it instead of turning into an error.
func noFirewall(t testing.TB) {
	old := panicFirewall
	panicFirewall = false
	t.Cleanup(func() { panicFirewall = old })
}

// isIndexErr reports whether err is an *IndexError naming file and
// wrapping one of the index sentinels.
func isIndexErr(err error, file string) bool {
	var ie *IndexError
	return errors.As(err, &ie) && ie.File == file && strings.HasPrefix(err.Error(), file+": ") &&
		(errors.Is(err, ErrIndexCorrupt) || errors.Is(err, ErrIndexTruncated) || errors.Is(err, ErrIndexVersion))
}

// exercise calls every method of b, decoding everything, and returns the
// JSON of every function.
func exercise(b *Build) []byte {
	var out []byte
	for f := range b.Functions() {
		out = append(f.AppendJSON(out), '\n')
		for _, in := range f.Instances {
			if in.Signature != nil {
				out = append(out, in.Signature.String()...)
				for _, c := range in.Signature.Clones {
					out = append(out, c.String(in.Signature)...)
				}
			}
		}
	}
	s := b.Stats()
	out = fmt.Appendf(out, "%+v\n", s)
	for sym := range b.Symbols() {
		out = append(out, sym.String()...)
	}
	for sym := range b.UnattachedSymbols() {
		out = append(out, sym.Name...)
	}
	for _, n := range []string{"vmap", "vm_scale", "memcpy", "nothing"} {
		f, err := b.Lookup(n)
		out = fmt.Appendf(out, "%v %v %d\n", f != nil, err, len(b.Symbol(n)))
	}
	for _, p := range []string{"vm_", "k", "zz"} {
		for n := range b.FunctionNamesWithPrefix(p) {
			out = append(out, n...)
		}
	}
	for _, n := range []string{"vm_validate.cold", "vm_req_check.constprop.0", "memcpy"} {
		for _, s := range b.Symbol(n) {
			out = append(out, s.String()...)
		}
	}
	if tp, ok := b.Tracepoint("block_rq_issue"); ok {
		out = fmt.Appendf(out, "%s %v %v\n", tp.Name, tp.Probe, tp.RawSignature)
	}
	for tp := range b.Tracepoints() {
		out = fmt.Appendf(out, "%s %v %v\n", tp.Name, tp.Probe, tp.RawSignature)
	}
	for a := range b.Typedefs() {
		out = append(out, a.Name...)
	}
	for _, r := range []Ref{{KindStruct, "vm_ops"}, {KindStruct, "kfx_priv"}, {KindStruct, "nothing"}, {KindEnum, "kfx_mode"}} {
		out = fmt.Appendf(out, "%d %d\n", len(b.TypeVariants(r.Kind, r.Name)), b.TypeLen(r.Kind))
	}
	for d := range b.Types(0) {
		out = append(out, layout(d, "")...)
		out = fmt.Appendf(out, "%v\n", d.Locations)
		for _, m := range d.Members {
			f, ok := d.Field(m.Name)
			out = fmt.Appendf(out, "%v %d %v\n", ok, f.BitOffset, f.Path)
		}
	}
	return out
}

// TestIndexBadHeader checks the errors for a wrong magic, a newer
// version, a bad checksum and trailing bytes.
func TestIndexBadHeader(t *testing.T) {
	noFirewall(t)
	_, good := indexOf(t, fixture(t, "x86_64-dwarf5"), false)
	const name = "bad.kabi"
	for _, c := range []struct {
		what  string
		edit  func([]byte) []byte
		is    error
		words string
	}{
		{"wrong magic", func(d []byte) []byte { d[1] = 'X'; return d }, ErrIndexCorrupt, `the index file's magic is damaged: "\x89XABI\r\n\x1a"`},
		{"empty", func(d []byte) []byte { return nil }, ErrIndexCorrupt, "the index file is empty"},
		{"in the magic", func(d []byte) []byte { return d[:5] }, ErrIndexCorrupt, "the index file ends after 5 bytes, within its magic"},
		{"not an index", func(d []byte) []byte { return []byte("hello\n") }, ErrNotELF, `a text file (it starts "hello")`},
		{"newer version", func(d []byte) []byte { index.SetVersion(d, index.Version+1); return d }, ErrIndexVersion,
			fmt.Sprintf("format version %d; this kabi reads versions up to %d", index.Version+1, index.Version)},
		{"older version", func(d []byte) []byte { index.SetVersion(d, index.Version-1); index.Reseal(d); return d }, ErrIndexVersion,
			fmt.Sprintf("format version %d, older than this kabi's %d, which holds more: re-index the build", index.Version-1, index.Version)},
		{"version 0", func(d []byte) []byte { index.SetVersion(d, 0); return d }, ErrIndexCorrupt, "format version 0"},
		{"bad checksum", func(d []byte) []byte { d[12] ^= 1; return d }, ErrIndexCorrupt, "checksum mismatch"},
		{"flipped directory byte", func(d []byte) []byte { d[30] ^= 0x40; return d }, ErrIndexCorrupt, "checksum mismatch"},
		{"trailing bytes", func(d []byte) []byte { return append(d, 0) }, ErrIndexCorrupt, "goes on past"},
		{"header only", func(d []byte) []byte { return d[:20] }, ErrIndexTruncated, "shorter than the 28-byte header"},
		{"half", func(d []byte) []byte { return d[:len(d)/2] }, ErrIndexTruncated, fmt.Sprintf("the file is %d bytes; its header says %d", len(good)/2, len(good))},
		{"lying length", func(d []byte) []byte { d[16] = 0xff; d[20] = 0x7f; index.Reseal(d); return d }, ErrIndexTruncated, "its header says"},
	} {
		t.Run(c.what, func(t *testing.T) {
			data := c.edit(bytes.Clone(good))
			b, err := New(bytes.NewReader(data), name, nil)
			if err == nil {
				t.Fatalf("no error (%d functions)", b.Len())
			}
			if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.words) || !strings.HasPrefix(err.Error(), name+": ") {
				t.Errorf("error %q, want one wrapping %q saying %q", err, c.is, c.words)
			}
			if c.is != ErrNotELF && !isIndexErr(err, name) {
				t.Errorf("error %q is not an *IndexError naming the file", err)
			}
		})
	}
}

// TestIndexTruncated cuts an index at every byte, each section boundary
// among them, and expects an error for each.
func TestIndexTruncated(t *testing.T) {
	noFirewall(t)
	for _, store := range []bool{false, true} {
		_, data := indexOf(t, fixture(t, "x86_64-dwarf5"), store)
		f, err := index.Read(bytes.NewReader(data), "x")
		if err != nil {
			t.Fatal(err)
		}
		boundaries := map[int]bool{}
		for _, s := range f.Sections {
			boundaries[int(s.Offset)] = true
		}
		if len(boundaries) < 6 {
			t.Fatalf("only %d sections", len(boundaries))
		}
		seen := 0
		for n := range len(data) {
			_, err := New(bytes.NewReader(data[:n]), "cut.kabi", nil)
			if n >= len(index.Magic) && !isIndexErr(err, "cut.kabi") {
				t.Fatalf("store=%v, cut at %d of %d: error %v", store, n, len(data), err)
			}
			if n < len(index.Magic) && err == nil {
				t.Fatalf("cut at %d: no error", n)
			}
			if boundaries[n] {
				seen++
				if !errors.Is(err, ErrIndexTruncated) {
					t.Errorf("cut at the section boundary %d: %v, want %v", n, err, ErrIndexTruncated)
				}
			}
		}
		if seen != len(boundaries) {
			t.Errorf("cut at %d boundaries of %d", seen, len(boundaries))
		}
	}
}

// TestIndexFlippedSection damages one byte of a section: the index opens
// (only its header and directory are read), and the damage is reported,
// naming the file and the section, when the section is read.
func TestIndexFlippedSection(t *testing.T) {
	noFirewall(t)
	_, good := indexOf(t, fixture(t, "x86_64-dwarf5"), false)
	data := bytes.Clone(good)
	data[len(data)/2] ^= 0x40
	b, err := New(bytes.NewReader(data), "flip.kabi", nil)
	if err != nil {
		t.Fatalf("a damaged section fails the open: %v", err)
	}
	exercise(b)
	err = b.Err()
	if !isIndexErr(err, "flip.kabi") || !errors.Is(err, ErrIndexCorrupt) || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("Err: %v, want a checksum mismatch", err)
	}
}

// TestIndexBitFlips flips random bits: the checksums must catch them, at
// open (header and directory) or when the damaged section is read.
// Then it flips bits and reseals the checksum, so that the decoders see
// the damage: each load must give an error or a build that answers every
// call without a panic, and report damage through Err or Lookup.
func TestIndexBitFlips(t *testing.T) {
	noFirewall(t)
	rng := rand.New(rand.NewPCG(7, 11))
	for _, store := range []bool{false, true} {
		_, good := indexOf(t, fixture(t, "x86_64-dwarf5"), store)
		for i := range 300 {
			data := bytes.Clone(good)
			for range 1 + i%3 {
				bit := rng.IntN(8 * (len(data) - len(index.Magic)))
				data[len(index.Magic)+bit/8] ^= 1 << (bit % 8)
			}
			if bytes.Equal(data, good) {
				continue
			}
			b, err := New(bytes.NewReader(data), "flip.kabi", nil)
			if err == nil {
				exercise(b)
				err = b.Err()
			}
			if !isIndexErr(err, "flip.kabi") {
				t.Fatalf("store=%v: flip %d: error %v, want a checksum error", store, i, err)
			}
		}
		errs, loaded := 0, 0
		for i := range 1500 {
			data := bytes.Clone(good)
			bit := 28*8 + rng.IntN(8*(len(data)-28))
			data[bit/8] ^= 1 << (bit % 8)
			index.Reseal(data)
			b, err := New(bytes.NewReader(data), "flip.kabi", nil)
			if err != nil {
				if !isIndexErr(err, "flip.kabi") {
					t.Fatalf("store=%v: resealed flip %d at bit %d: error %v", store, i, bit, err)
				}
				errs++
				continue
			}
			loaded++
			exercise(b)
			if err := b.Err(); err != nil && !isIndexErr(err, "flip.kabi") {
				t.Fatalf("resealed flip %d: Err %v", i, err)
			}
		}
		t.Logf("store=%v: resealed flips: %d refused at open, %d loaded", store, errs, loaded)
		if errs == 0 {
			t.Errorf("store=%v: no resealed flip was refused", store)
		}
	}
}

// TestIndexBadBlock damages one block behind a valid checksum: the build
// opens, the functions of that block are absent, and Lookup and Err say
// why.
func TestIndexBadBlock(t *testing.T) {
	noFirewall(t)
	b := fixture(t, "cmp-6.1.99-1-amd64")
	_, data := indexOf(t, b, true)
	f, err := index.Read(bytes.NewReader(data), "x")
	if err != nil {
		t.Fatal(err)
	}
	var blk index.Section
	for _, s := range f.Sections {
		if s.Kind == index.KindBlock {
			blk = s
			break
		}
	}
	data[blk.Offset] = 0xff // the count of the block's string table
	index.Reseal(data)
	ib, err := New(bytes.NewReader(data), "block.kabi", nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if ib.Len() != b.Len() || ib.Err() != nil {
		t.Fatalf("Len %d, Err %v before any block is decoded", ib.Len(), ib.Err())
	}
	first := ""
	for f := range b.Functions() {
		first = f.Name
		break
	}
	if f, ok := ib.Function(first); ok || f != nil {
		t.Errorf("Function(%q) found in a damaged block", first)
	}
	if _, err := ib.Lookup(first); !isIndexErr(err, "block.kabi") || !strings.Contains(err.Error(), "block 0") || !strings.Contains(err.Error(), "strings longer than the section") {
		t.Errorf("Lookup: %v, want an error naming block 0", err)
	}
	if err := ib.Err(); !isIndexErr(err, "block.kabi") {
		t.Errorf("Err: %v", err)
	}
	n := 0
	for range ib.Functions() {
		n++
	}
	if n != 0 {
		t.Errorf("Functions yields %d functions of a one-block build whose block is damaged", n)
	}
}

// TestIndexTypeBlowUp checks the bound on types that share parts: a table
// where each function type takes the one before as its return and its
// parameter would print as a tree of 2^30 nodes. The writer refuses such
// a type, and the reader refuses such a table.
func TestIndexTypeBlowUp(t *testing.T) {
	noFirewall(t)
	typ := &Type{Kind: Base, Name: "int"}
	for range 30 {
		typ = &Type{Kind: Func, Elem: typ, Params: []Param{{Type: typ}}, Prototyped: true}
	}
	b := fixture(t, "x86_64-dwarf5")
	_, data := indexOf(t, b, true)
	f, err := index.Read(bytes.NewReader(data), "x")
	if err != nil {
		t.Fatal(err)
	}
	// Rebuild the file with a types section of the same shape.
	records := [][]byte{{byte(Base), 0, 0, 0, 0, 0, 0}} // no name: string 0
	for i := 1; i <= 30; i++ {
		var r index.Enc
		r.B = append(r.B, byte(Func), 0, 0)
		r.Uvarint(uint64(i)) // Elem: the type before
		r.Varint(0)
		r.Uvarint(1)
		r.Uvarint(0)
		r.Uvarint(uint64(i)) // the parameter: the type before
		r.Byte(sigPrototyped)
		records = append(records, r.B)
	}
	var e index.Enc
	e.Uvarint(0) // no strings
	e.Uvarint(uint64(len(records)))
	for _, r := range records {
		e.Uvarint(uint64(len(r)))
	}
	for _, r := range records {
		e.B = append(e.B, r...)
	}
	w := &index.Writer{Store: true}
	for i, s := range f.Sections {
		raw, err := f.Section(i)
		if err != nil {
			t.Fatal(err)
		}
		if s.Kind == index.KindTypes {
			raw = e.B
		}
		w.Add(s.Kind, raw)
	}
	crafted, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	ib, err := New(bytes.NewReader(crafted), "blowup.kabi", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ib.Lookup("vmap")
	if !isIndexErr(err, "blowup.kabi") || !strings.Contains(err.Error(), "more than 1024 nodes or 64 levels") {
		t.Errorf("Lookup: %v, want the types refused", err)
	}
	// The writer refuses the same type in a signature.
	x := *b
	fns := slices.Collect(b.Functions())
	fake := *fns[0]
	fake.Signature = &Signature{Name: fake.Name, Return: typ}
	inst := *fake.Instances[0]
	inst.Signature = fake.Signature
	fake.Instances = []*Instance{&inst}
	x.funcs = append([]*Function{&fake}, fns[1:]...)
	if _, err := x.indexBytes(true); err == nil || !strings.Contains(err.Error(), "cannot be indexed") {
		t.Errorf("writing a type of 2^30 nodes: %v", err)
	}
}

// TestIndexSymbolCount: a metadata section that claims more symbols than
// the sections' bytes can hold is refused when the file is opened (a small
// file could otherwise have a table of 2^30 symbols allocated).
func TestIndexSymbolCount(t *testing.T) {
	noFirewall(t)
	b := fixture(t, "x86_64-dwarf5")
	_, data := indexOf(t, b, true)
	f, err := index.Read(bytes.NewReader(data), "x")
	if err != nil {
		t.Fatal(err)
	}
	w := &index.Writer{Store: true}
	for i, s := range f.Sections {
		raw, err := f.Section(i)
		if err != nil {
			t.Fatal(err)
		}
		if s.Kind == index.KindMeta {
			// The metadata's strings, the block length, the counts of
			// functions and strings, then that of symbols (openIndex).
			d := index.NewDec(raw, "x", "meta")
			for range 11 {
				_ = d.String()
			}
			d.Uvarint()
			d.Uvarint()
			d.Uvarint()
			at := d.Offset()
			d.Uvarint()
			var e index.Enc
			e.B = append(e.B, raw[:at]...)
			e.Uvarint(1<<30 - 1)
			raw = append(e.B, raw[d.Offset():]...)
		}
		w.Add(s.Kind, raw)
	}
	crafted, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(bytes.NewReader(crafted), "count.kabi", nil)
	if !isIndexErr(err, "count.kabi") || !strings.Contains(err.Error(), "1073741823 symbols in") {
		t.Errorf("open: %v, want the symbol count refused", err)
	}
}

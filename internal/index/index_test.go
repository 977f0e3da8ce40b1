package index

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func build(t *testing.T, store bool, secs ...[]byte) []byte {
	t.Helper()
	w := &Writer{Store: store, Source: Source{Name: "vmlinux", Size: 1234, ModTime: -5, BuildID: "abcd"}}
	for i, s := range secs {
		w.Add(Kind(1+i%6), s)
	}
	data, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// text is compressible, but not beyond MaxRatio.
func text(n int) []byte {
	var b []byte
	for i := 0; len(b) < n; i++ {
		b = fmt.Appendf(b, "caller mm/vmalloc.c:vmap_%d\n", i*7919%100003)
	}
	return b[:n]
}

func TestRoundTrip(t *testing.T) {
	zeros := bytes.Repeat([]byte{0}, 1<<20)
	secs := [][]byte{{}, []byte("x"), text(100000), zeros}
	for _, store := range []bool{false, true} {
		data := build(t, store, secs...)
		f, err := Read(bytes.NewReader(data), "f")
		if err != nil {
			t.Fatal(err)
		}
		if f.Source != (Source{Name: "vmlinux", Size: 1234, ModTime: -5, BuildID: "abcd"}) || f.Version != Version || f.Size != int64(len(data)) {
			t.Errorf("header %+v %d %d", f.Source, f.Version, f.Size)
		}
		if len(f.Sections) != len(secs) {
			t.Fatalf("%d sections", len(f.Sections))
		}
		for i, want := range secs {
			got, err := f.Section(i)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("store=%v section %d: %d bytes, %v", store, i, len(got), err)
			}
			if f.Sections[i].Kind != Kind(1+i) {
				t.Errorf("section %d kind %v", i, f.Sections[i].Kind)
			}
		}
		if !store && f.Sections[2].Codec != Zstd {
			t.Errorf("the repetitive section was not compressed")
		}
		if !store && f.Sections[1].Codec != Stored {
			t.Errorf("a 1-byte section was compressed")
		}
		if f.Sections[3].Codec != Stored {
			t.Errorf("a section that compresses beyond MaxRatio was compressed")
		}
	}
}

func wantErr(t *testing.T, err error, is error, words string) {
	t.Helper()
	var fe *FormatError
	if !errors.Is(err, is) || !errors.As(err, &fe) || !strings.Contains(err.Error(), words) {
		t.Errorf("error %v, want %v saying %q", err, is, words)
	}
}

// assemble lays out a file by hand: one section of the given codec, raw
// length claimed and payload.
func assemble(codec uint8, raw int, payload []byte) []byte {
	var dir Enc
	dir.String("vmlinux")
	dir.Varint(1)
	dir.Varint(2)
	dir.String("")
	dir.Uvarint(1)
	dir.Byte(byte(KindMeta))
	dir.Byte(codec)
	dir.B = append(dir.B, 0, 0, 0, 0) // the checksum, set by Reseal
	dir.Uvarint(uint64(len(payload)))
	dir.Uvarint(uint64(raw))
	out := make([]byte, prefixLen)
	copy(out, Magic)
	binary.LittleEndian.PutUint32(out[8:], Version)
	binary.LittleEndian.PutUint64(out[16:], uint64(prefixLen+len(dir.B)+len(payload)))
	binary.LittleEndian.PutUint32(out[24:], uint32(len(dir.B)))
	out = append(append(out, dir.B...), payload...)
	Reseal(out)
	return out
}

// TestSectionErrors refuses a section that claims more than MaxRatio
// allows, a zstd frame that disagrees with the directory or decodes to
// more, a stored section whose lengths differ, and an unknown codec.
func TestSectionErrors(t *testing.T) {
	src := text(1 << 16)
	data := build(t, false, src)
	f, err := Read(bytes.NewReader(data), "f")
	if err != nil || f.Sections[0].Codec != Zstd {
		t.Fatal(err)
	}
	frame, _ := f.Section(0)
	if !bytes.Equal(frame, src) {
		t.Fatal("round trip")
	}
	z := data[f.Sections[0].Offset:]
	// A frame without a declared size that decodes to more than claimed.
	enc, _ := zstd.NewWriter(nil, zstd.WithSingleSegment(false))
	var noFCS bytes.Buffer
	enc.Reset(&noFCS)
	enc.Write(src[:100])
	enc.Flush() // the header goes out before the size is known
	enc.Write(src[100:])
	enc.Close()
	var h zstd.Header
	if err := h.Decode(noFCS.Bytes()); err != nil || h.HasFCS {
		t.Fatalf("stream frame declares its size: %v", err)
	}
	for _, c := range []struct {
		what  string
		file  []byte
		words string
	}{
		{"ratio", assemble(Zstd, MaxRatio*len(z)+1<<16+1, z), "more than the ratio"},
		{"frame size", assemble(Zstd, len(src)-1, z), "does not declare"},
		{"longer frame", assemble(Zstd, len(src)-1, noFCS.Bytes()), "zstd"},
		{"shorter frame", assemble(Zstd, len(src)+1, noFCS.Bytes()), "decompressed to"},
		{"bad frame", assemble(Zstd, 100, []byte("not zstd at all")), "zstd"},
		{"stored", assemble(Stored, 5, []byte("four")), "claims 5"},
		{"codec", assemble(7, 4, []byte("four")), "unknown codec 7"},
	} {
		f, err := Read(bytes.NewReader(c.file), "f")
		if err == nil {
			_, err = f.Section(0)
		}
		if err == nil {
			t.Errorf("%s: no error", c.what)
			continue
		}
		wantErr(t, err, ErrCorrupt, c.words)
	}
	if f, err := Read(bytes.NewReader(assemble(Zstd, len(src), noFCS.Bytes())), "f"); err != nil {
		t.Error(err)
	} else if got, err := f.Section(0); err != nil || !bytes.Equal(got, src) {
		t.Errorf("a frame without a declared size: %v", err)
	}
}

func TestDirectoryErrors(t *testing.T) {
	data := build(t, true, []byte("hello"), []byte("world"))
	for _, c := range []struct {
		what  string
		edit  func(d []byte)
		words string
	}{
		{"unknown kind", func(d []byte) { d[prefixLen+len("\x07vmlinux")+2+1+len("\x04abcd")+1] = 99 }, "unknown section kind"},
		{"dir too long", func(d []byte) { binary.LittleEndian.PutUint32(d[24:], uint32(len(d))) }, "inconsistent"},
		{"dir short", func(d []byte) { binary.LittleEndian.PutUint32(d[24:], binary.LittleEndian.Uint32(d[24:])-1) }, ""},
	} {
		bad := bytes.Clone(data)
		c.edit(bad)
		Reseal(bad)
		_, err := Read(bytes.NewReader(bad), "f")
		wantErr(t, err, ErrCorrupt, c.words)
	}
}

// TestSectionChecksum damages one section: the header and directory
// still read, the other sections too, and the damaged one fails its own
// checksum when it is read, naming the file and the section.
func TestSectionChecksum(t *testing.T) {
	data := build(t, true, []byte("hello"), []byte("world"))
	f, err := Read(bytes.NewReader(data), "f")
	if err != nil {
		t.Fatal(err)
	}
	data[f.Sections[1].Offset] ^= 1
	f, err = Read(bytes.NewReader(data), "f")
	if err != nil {
		t.Fatalf("a damaged section fails Read: %v", err)
	}
	if got, err := f.Section(0); err != nil || string(got) != "hello" {
		t.Errorf("the intact section: %q, %v", got, err)
	}
	_, err = f.Section(1)
	wantErr(t, err, ErrCorrupt, "checksum mismatch")
	if err != nil && !strings.HasPrefix(err.Error(), "f: strings at offset 0: ") {
		t.Errorf("error %q does not name the file and section", err)
	}
	// A damaged directory fails Read.
	data[prefixLen+2] ^= 1
	_, err = Read(bytes.NewReader(data), "f")
	wantErr(t, err, ErrCorrupt, "checksum mismatch")
}

func TestDec(t *testing.T) {
	var e Enc
	e.Uvarint(3)
	e.Byte(1)
	e.String("ab")
	e.Varint(-7)
	d := NewDec(e.B, "f", "s")
	if d.Count(1) != 3 || d.Byte() != 1 || d.String() != "ab" || d.Varint() != -7 || d.Done() != nil {
		t.Fatal("round trip")
	}
	// A count the bytes left cannot hold.
	e = Enc{}
	e.Uvarint(1 << 40)
	d = NewDec(append(e.B, 1, 2, 3), "f", "s")
	if n := d.Count(1); n != 0 {
		t.Errorf("count %d", n)
	}
	wantErr(t, d.Err(), ErrCorrupt, "exceeds the 3 bytes left")
	// Sticky: later reads give zero.
	if d.Byte() != 0 || d.Uvarint() != 0 || d.String() != "" {
		t.Error("reads after an error are not zero")
	}
	d = NewDec([]byte{0x80, 0x80}, "f", "s")
	d.Uvarint()
	wantErr(t, d.Err(), ErrCorrupt, "data ends early")
	d = NewDec(bytes.Repeat([]byte{0xff}, 11), "f", "s")
	d.Uvarint()
	wantErr(t, d.Err(), ErrCorrupt, "overflows")
	d = NewDec([]byte{5}, "f", "s")
	d.Ref(5)
	wantErr(t, d.Err(), ErrCorrupt, "outside a table of 5")
	d = NewDec([]byte{1, 2}, "f", "s")
	d.Byte()
	wantErr(t, d.Done(), ErrCorrupt, "1 bytes left over")
	if !strings.HasPrefix(d.Err().Error(), "f: s at offset ") {
		t.Errorf("error %q does not name the file and section", d.Err())
	}
}

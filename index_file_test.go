package kabi

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kabi-dev/kabi/internal/index"

	"github.com/kabi-dev/kabi/internal/fuzzcount"
)

// copyFixture copies testdata/NAME.elf into dir.
func copyFixture(t *testing.T, name, dir string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".elf"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name+".elf")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestIndexFileUpToDate writes an index file, opens it by path, and
// follows IndexUpToDate as the source changes.
func TestIndexFileUpToDate(t *testing.T) {
	dir := t.TempDir()
	src := copyFixture(t, "x86_64-dwarf5", dir)
	b, err := Open(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(src)
	if s := b.Source(); s.File != src || s.Size != fi.Size() || !s.ModTime.Equal(fi.ModTime()) || s.BuildID != b.Meta.BuildID || s.BuildID == "" {
		t.Fatalf("Source %+v, want the file's size %d, time %v and build ID", s, fi.Size(), fi.ModTime())
	}
	ixPath := filepath.Join(dir, IndexName(b.Meta))
	if ok, err := IndexUpToDate(ixPath, src); ok || err != nil {
		t.Errorf("no index yet: IndexUpToDate = %v, %v", ok, err)
	}
	if err := WriteIndexFile(ixPath, b); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("the folder holds %d files, want the source and the index (no temporary file)", len(ents))
	}
	if fi, _ := os.Stat(ixPath); fi.Mode().Perm() != 0o644 {
		t.Errorf("index mode %v", fi.Mode())
	}
	ib, err := Open(ixPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ib.Meta.File != ixPath {
		t.Errorf("Meta.File %q, want the index's path", ib.Meta.File)
	}
	compareBuilds(t, b, ib)
	if ok, _ := IsIndexFile(ixPath); !ok {
		t.Error("IsIndexFile(index) = false")
	}
	if ok, _ := IsIndexFile(src); ok {
		t.Error("IsIndexFile(vmlinux) = true")
	}
	m, err := ReadMetadata(ixPath, nil)
	if err != nil || m != ib.Meta {
		t.Errorf("ReadMetadata(index) = %+v, %v; want %+v", m, err, ib.Meta)
	}
	m, err = ReadMetadata(src, nil)
	if err != nil || m != b.Meta {
		t.Errorf("ReadMetadata(vmlinux) = %+v, %v; want %+v", m, err, b.Meta)
	}
	if ok, err := IndexUpToDate(ixPath, src); !ok || err != nil {
		t.Errorf("fresh index: IndexUpToDate = %v, %v", ok, err)
	}

	// A new modification time makes it stale; so does another size.
	later := fi.ModTime().Add(time.Hour)
	if err := os.Chtimes(src, later, later); err != nil {
		t.Fatal(err)
	}
	if ok, err := IndexUpToDate(ixPath, src); ok || err != nil {
		t.Errorf("touched source: IndexUpToDate = %v, %v", ok, err)
	}
	b2, err := Open(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteIndexFile(ixPath, b2); err != nil {
		t.Fatal(err)
	}
	if ok, err := IndexUpToDate(ixPath, src); !ok || err != nil {
		t.Errorf("rewritten index: IndexUpToDate = %v, %v", ok, err)
	}
	// Another build under the same size and time: the build ID tells.
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := hex.DecodeString(b.Meta.BuildID)
	at := bytes.Index(data, id)
	if len(id) == 0 || at < 0 {
		t.Fatalf("build ID %s not found in the file", b.Meta.BuildID)
	}
	data[at] ^= 0xff
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(src, later, later); err != nil {
		t.Fatal(err)
	}
	if ok, err := IndexUpToDate(ixPath, src); ok || err != nil {
		t.Errorf("another build ID under the same size and time: IndexUpToDate = %v, %v", ok, err)
	}
	// A corrupt index is not up to date.
	data, _ = os.ReadFile(ixPath)
	data[len(data)-1] ^= 1
	os.WriteFile(ixPath, data, 0o644)
	if ok, err := IndexUpToDate(ixPath, src); ok || err != nil {
		t.Errorf("corrupt index: IndexUpToDate = %v, %v", ok, err)
	}
	if _, err := IndexUpToDate(ixPath, filepath.Join(dir, "missing")); err == nil {
		t.Error("missing source: no error")
	}
	// A failed write leaves what was there.
	if err := WriteIndexFile(filepath.Join(dir, "no such folder", "x.kabi"), b); err == nil {
		t.Error("writing into a missing folder: no error")
	}
	if err := os.WriteFile(filepath.Join(dir, "keep.kabi"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	if os.Geteuid() != 0 { // root writes anywhere
		if err := WriteIndexFile(filepath.Join(dir, "keep.kabi"), b); err == nil {
			t.Error("writing into a read-only folder: no error")
		}
		if got, _ := os.ReadFile(filepath.Join(dir, "keep.kabi")); string(got) != "old" {
			t.Errorf("a failed write changed the file: %q", got)
		}
	}
}

// TestIndexName checks the names of index files.
func TestIndexName(t *testing.T) {
	for _, c := range []struct {
		m    Metadata
		want string
	}{
		{Metadata{Release: "6.1.0-47-amd64", Arch: "amd64"}, "6.1.0-47-amd64.kabi"},
		{Metadata{Release: "6.1.0-47-cloud-amd64", Arch: "amd64"}, "6.1.0-47-cloud-amd64.kabi"},
		{Metadata{Release: "6.1.0-47-rt-amd64-foo", Arch: "amd64"}, "6.1.0-47-rt-amd64-foo.kabi"},
		{Metadata{Release: "6.1.0-47-686-pae", Arch: "i386"}, "6.1.0-47-686-pae_i386.kabi"},
		{Metadata{Release: "5.4.0-26-generic", Arch: "amd64"}, "5.4.0-26-generic_amd64.kabi"},
		{Metadata{File: "/x/vmlinux", Arch: "arm64"}, "vmlinux_arm64.kabi"},
		{Metadata{Release: "a/b", Arch: ""}, "a_b.kabi"},
	} {
		if got := IndexName(c.m); got != c.want {
			t.Errorf("IndexName(%+v) = %q, want %q", c.m, got, c.want)
		}
	}
}

// TestIndexOverrides checks that Options override an index's metadata as
// they do a vmlinux's.
func TestIndexOverrides(t *testing.T) {
	b := fixture(t, "x86_64-dwarf5")
	_, data := indexOf(t, b, false)
	for _, o := range []*Options{{Release: "6.2.0-3-cloud-arm64"}, {Arch: "riscv64", Flavor: "x"}} {
		want, err := Open("testdata/x86_64-dwarf5.elf", o)
		if err != nil {
			t.Fatal(err)
		}
		got, err := New(bytes.NewReader(data), "testdata/x86_64-dwarf5.elf", o)
		if err != nil {
			t.Fatal(err)
		}
		if got.Meta != want.Meta {
			t.Errorf("%+v: Meta %+v, want %+v", o, got.Meta, want.Meta)
		}
	}
}

// TestIndexConcurrent decodes a fresh index from many goroutines at once
// (run with -race): every goroutine must see what the analysis gives.
func TestIndexConcurrent(t *testing.T) {
	for _, name := range []string{"x86_64-dwarf5", "rust", "cmp-6.3.1-2-amd64"} {
		b := fixture(t, name)
		_, data := indexOf(t, b, false)
		want := map[string]string{}
		var names []string
		for f := range b.Functions() {
			want[f.Name] = string(f.AppendJSON(nil))
			names = append(names, f.Name)
		}
		for round := range 5 {
			ib, err := New(bytes.NewReader(data), name, nil)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 64)
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(round), uint64(g)))
					switch g % 4 {
					case 0:
						for f := range ib.Functions() {
							if string(f.AppendJSON(nil)) != want[f.Name] {
								errs <- errors.New(f.Name + ": Functions differs")
							}
						}
					case 1:
						if s := ib.Stats(); s.Functions != len(names) || s.Symbols != b.Stats().Symbols {
							errs <- errors.New("Stats differs")
						}
						for range ib.Symbols() {
						}
					}
					for _, i := range rng.Perm(len(names)) {
						f, ok := ib.Function(names[i])
						if !ok || string(f.AppendJSON(nil)) != want[names[i]] {
							errs <- errors.New(names[i] + ": Function differs")
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
}

// FuzzIndex loads arbitrary bytes as an index. The checksum is resealed
// first, so that the decoders behind it are reached. Whatever loads must
// answer every call without a panic, and, when nothing was found wrong,
// write an index that loads back to the same answers.
func FuzzIndex(f *testing.F) {
	for _, name := range []string{"x86_64-dwarf5", "rust", "cmp-6.1.99-1-amd64", "types-v1"} {
		b := fixture(f, name)
		for _, store := range []bool{true, false} {
			data, err := b.indexBytes(store)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzcount.Count("FuzzIndex")
		noFirewall(t)
		data = bytes.Clone(data)
		index.Reseal(data)
		if !index.IsIndex(bytes.NewReader(data)) {
			return // the ELF path has its own fuzz tests (dwarfx)
		}
		b, err := New(bytes.NewReader(data), "fuzz.kabi", nil)
		if err != nil {
			if !isIndexErr(err, "fuzz.kabi") {
				t.Fatalf("error %v is not an index error naming the file", err)
			}
			return
		}
		got := exercise(b)
		if err := b.Err(); err != nil {
			if !isIndexErr(err, "fuzz.kabi") {
				t.Fatalf("Err %v is not an index error naming the file", err)
			}
			return
		}
		again, err := b.indexBytes(true)
		if err != nil {
			t.Fatalf("rewriting a good index: %v", err)
		}
		b2, err := New(bytes.NewReader(again), "fuzz.kabi", nil)
		if err != nil {
			t.Fatalf("loading the rewritten index: %v", err)
		}
		if got2 := exercise(b2); !bytes.Equal(got, got2) {
			t.Fatalf("the rewritten index answers differently:\n%s\n----\n%s", got, got2)
		}
	})
}

// TestIndexOtherRules checks that an index written under other surface
// rules loads, but is not up to date.
func TestIndexOtherRules(t *testing.T) {
	dir := t.TempDir()
	src := copyFixture(t, "i386", dir)
	b, err := Open(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	ixPath := filepath.Join(dir, "i.kabi")
	if err := WriteIndexFile(ixPath, b); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(ixPath)
	f, err := index.Read(bytes.NewReader(data), ixPath)
	if err != nil {
		t.Fatal(err)
	}
	w := &index.Writer{Source: f.Source}
	for i, s := range f.Sections {
		raw, err := f.Section(i)
		if err != nil {
			t.Fatal(err)
		}
		if s.Kind == index.KindMeta {
			// The metadata ends in the rules, the attach sources and
			// the count of modules (none).
			if raw[len(raw)-3] != surfaceRules || raw[len(raw)-1] != 0 {
				t.Fatalf("the metadata does not end in the rules, a byte and no modules")
			}
			raw = append(bytes.Clone(raw[:len(raw)-3]), surfaceRules+1, raw[len(raw)-2], 0)
		}
		w.Add(s.Kind, raw)
	}
	other, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := IndexUpToDate(ixPath, src); !ok || err != nil {
		t.Fatalf("IndexUpToDate = %v, %v before the change", ok, err)
	}
	os.WriteFile(ixPath, other, 0o644)
	if ok, err := IndexUpToDate(ixPath, src); ok || err != nil {
		t.Errorf("other rules: IndexUpToDate = %v, %v", ok, err)
	}
	ib, err := Open(ixPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	compareBuilds(t, b, ib)
}

// TestOpenContextIndex checks that OpenContext loads an index file as
// Open does, reading it as it is asked: it answers as the analysis, and
// once the file is overwritten a block not yet read is an error (a build
// read whole into memory would still answer).
func TestOpenContextIndex(t *testing.T) {
	dir := t.TempDir()
	b := fixture(t, "x86_64-dwarf5")
	ixPath := filepath.Join(dir, "x.kabi")
	if err := WriteIndexFile(ixPath, b); err != nil {
		t.Fatal(err)
	}
	ib, err := OpenContext(context.Background(), ixPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	compareBuilds(t, b, ib)

	lazy, err := OpenContext(context.Background(), ixPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(ixPath, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	xf, err := index.Read(f, ixPath)
	if err != nil {
		t.Fatal(err)
	}
	// Every section, past the header and directory.
	at := xf.Sections[0].Offset
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xa5}, int(xf.Size-at)), at); err != nil {
		t.Fatal(err)
	}
	name := slices.Collect(b.FunctionNames())[0]
	if _, err := lazy.Lookup(name); !errors.Is(err, ErrIndexCorrupt) {
		t.Errorf("Lookup(%q) after the file was overwritten: %v, want an error wrapping ErrIndexCorrupt", name, err)
	}
}

package kabi

import (
	"debug/elf"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseRelease(t *testing.T) {
	for _, c := range []struct {
		release, version, revision, flavor, why string
	}{
		{"6.1.0-47-amd64", "6.1.0", "47", "amd64", "Debian 12: Debian's flavor is named for the architecture"},
		{"6.12.111+deb12-cloud-amd64", "6.12.111", "deb12", "cloud-amd64", "Debian's newer ABI names: +debN instead of a number"},
		{"6.12.38+deb13-rt-arm64", "6.12.38", "deb13", "rt-arm64", "a Debian realtime flavor"},
		{"5.4.0-26-generic", "5.4.0", "26", "generic", "Ubuntu"},
		{"5.4.0-1009-aws", "5.4.0", "1009", "aws", "an Ubuntu cloud kernel"},
		{"6.8.0-31-generic-64k", "6.8.0", "31", "generic-64k", "a flavor with a dash"},
		{"5.10.0-0.deb10.16-amd64", "5.10.0", "0.deb10.16", "amd64", "a Debian backport ABI"},
		{"6.1.99-1-686-pae", "6.1.99", "1", "686-pae", "a flavor that starts with a digit"},
		{"6.1.0", "6.1.0", "", "", "a bare upstream release"},
		{"6.1.0-rt-amd64", "6.1.0", "", "rt-amd64", "no ABI number"},
		{"", "", "", "", "nothing"},
	} {
		v, r, f := ParseRelease(c.release)
		if v != c.version || r != c.revision || f != c.flavor {
			t.Errorf("ParseRelease(%q) = %q, %q, %q; want %q, %q, %q (%s)", c.release, v, r, f, c.version, c.revision, c.flavor, c.why)
		}
	}
}

func TestPathRules(t *testing.T) {
	const deb = "debian/build/build_amd64_none_amd64"
	for _, c := range []struct {
		rule    PathRule
		name    string
		p, comp string
		want    string
		why     string
	}{
		{SourceRootRule, "SourceRoot", "/build/reproducible-path/linux-6.1.192/mm/vmalloc.c", deb, "mm/vmalloc.c", "Debian's absolute names: the fourth component starts with linux-"},
		{SourceRootRule, "SourceRoot", "/build/linux-aws-5.4/mm/vmalloc.c", "", "mm/vmalloc.c", "a tree one level higher (third component)"},
		{SourceRootRule, "SourceRoot", "/build/linux-aws-5.4-ZpKq/linux-aws-5.4-5.4.0/mm/vmalloc.c", "", "mm/vmalloc.c", "Ubuntu: the fourth component wins over the third"},
		{SourceRootRule, "SourceRoot", "mm/vmalloc.c", deb, "mm/vmalloc.c", "relative names stay (not joined to the comp dir as DepSurf did)"},
		{SourceRootRule, "SourceRoot", "/usr/include/linux/types.h", "", "/usr/include/linux/types.h", "linux without a dash is not a tree"},
		{SourceRootRule, "SourceRoot", "/build/linux-6.1", "", "/build/linux-6.1", "too few components"},
		{SourceRootRule, "SourceRoot", "/rustc/5980/library/core/src/num/mod.rs", "", "/rustc/5980/library/core/src/num/mod.rs", "not a kernel tree"},
		{CompDirRule, "CompDir", "/home/me/src/mm/vmalloc.c", "/home/me/src", "mm/vmalloc.c", "an in-tree build"},
		{CompDirRule, "CompDir", "/home/me/srcx/mm/vmalloc.c", "/home/me/src", "/home/me/srcx/mm/vmalloc.c", "a prefix must end at a component"},
		{CompDirRule, "CompDir", "/build/reproducible-path/linux-6.1.99/mm/x.c", "/elsewhere", "mm/x.c", "falls back to the source-root rule"},
		{StripPrefixRule("/src/linux/"), "StripPrefix", "/src/linux/mm/vmalloc.c", "", "mm/vmalloc.c", "the given prefix"},
		{StripPrefixRule("/src/linux"), "StripPrefix", "/src/linuxy/mm/vmalloc.c", "", "/src/linuxy/mm/vmalloc.c", "whole components only"},
	} {
		if got := c.rule(c.p, c.comp); got != c.want {
			t.Errorf("%s(%q, %q) = %q, want %q (%s)", c.name, c.p, c.comp, got, c.want, c.why)
		}
	}
}

func TestParseSuffix(t *testing.T) {
	for _, c := range []struct {
		name, stem, suffix string
		t                  Transform
	}{
		{"vmap", "vmap", "", 0},
		{"vm_req_cost.isra.0", "vm_req_cost", ".isra.0", TransformISRA},
		{"vm_scale.constprop.0", "vm_scale", ".constprop.0", TransformConstProp},
		{"vm_check_range.part.0", "vm_check_range", ".part.0", TransformPart},
		{"vm_validate.cold", "vm_validate", ".cold", TransformCold},
		{"foo.isra.0.cold", "foo", ".isra.0.cold", TransformISRA | TransformCold},
		{"vm_req_check.constprop.0.cold", "vm_req_check", ".constprop.0.cold", TransformConstProp | TransformCold},
		{"memcpy.localalias", "memcpy", ".localalias", TransformLocalAlias},
		{"do_work.llvm.2042245047875376709", "do_work", ".llvm.2042245047875376709", TransformLLVM},
		{"foo.lto_priv.0", "foo", ".lto_priv.0", TransformOther},
		{"foo.12", "foo", ".12", 0},
	} {
		stem, suffix, tr := parseSuffix(c.name)
		if stem != c.stem || suffix != c.suffix || tr != c.t {
			t.Errorf("parseSuffix(%q) = %q, %q, %v; want %q, %q, %v", c.name, stem, suffix, tr, c.stem, c.suffix, c.t)
		}
	}
	if got := (TransformISRA | TransformCold).String(); got != "isra+cold" {
		t.Errorf("String = %q", got)
	}
	if n := (TransformConstProp | TransformCold | TransformLLVM).Count(); n != 3 {
		t.Errorf("Count = %d", n)
	}
}

func TestParseBanner(t *testing.T) {
	const deb = "Linux version 6.1.0-47-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.170-3 (2026-05-08)"
	rel, cc := parseBanner(deb)
	if rel != "6.1.0-47-amd64" || cc != "gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40" {
		t.Errorf("parseBanner = %q, %q", rel, cc)
	}
	if rel, cc := parseBanner("Linux version 5.4.0 (me@host) #1"); rel != "5.4.0" || cc != "" {
		t.Errorf("parseBanner without a compiler = %q, %q", rel, cc)
	}
	if rel, cc := parseBanner("Linux version 5.4.0 (unbalanced (x"); rel != "5.4.0" || cc != "" {
		t.Errorf("parseBanner unbalanced = %q, %q", rel, cc)
	}
	if rel, _ := parseBanner("not a banner"); rel != "" {
		t.Errorf("parseBanner(not a banner) = %q", rel)
	}
	if got := scanBanner(strings.NewReader(strings.Repeat("x", 3<<20) + "\x00" + deb + "\n\x00tail")); got != deb {
		t.Errorf("scanBanner across chunks = %q", got)
	}
}

// TestMetadata checks the metadata of each fixture: the banner gen.sh
// wrote, the ELF machine, and the build ID read back with debug/elf.
func TestMetadata(t *testing.T) {
	for _, c := range []struct {
		fixture, release, flavor, arch, compiler string
	}{
		{"x86_64-dwarf5", "6.1.99-1-amd64", "amd64", "amd64", "gcc (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40"},
		{"i386", "6.1.99-1-686-pae", "686-pae", "i386", "i686-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40"},
		{"aarch64", "6.1.99-1-arm64", "arm64", "arm64", "aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40"},
		{"s390x", "6.1.99-1-s390x", "s390x", "s390x", "s390x-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40"},
		{"clang", "6.1.99-1-amd64", "amd64", "amd64", "Debian clang version 14.0.6, Debian LLD 14.0.6 (compatible with GNU linkers)"},
	} {
		m := fixture(t, c.fixture).Meta
		want := Metadata{
			File: filepath.Join("testdata", c.fixture+".elf"), Release: c.release, Version: "6.1.99", Revision: "1",
			Flavor: c.flavor, Arch: c.arch, Compiler: c.compiler,
			Banner:  "Linux version " + c.release + " (fixture@kabi) (" + c.compiler + ") #1 SMP PREEMPT_DYNAMIC Debian 6.1.99-1 (2024-07-27)",
			BuildID: buildIDOf(t, c.fixture),
		}
		if m != want {
			t.Errorf("%s: metadata\n got %+v\nwant %+v", c.fixture, m, want)
		}
	}
}

// buildIDOf reads the build ID the way readelf -n prints it: the
// descriptor of the .note.gnu.build-id section (16-byte header, "GNU\0").
func buildIDOf(t *testing.T, fixture string) string {
	ef, err := elf.Open(filepath.Join("testdata", fixture+".elf"))
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	s := ef.Section(".note.gnu.build-id")
	if s == nil {
		t.Fatalf("%s: no .note.gnu.build-id", fixture)
	}
	data, err := s.Data()
	if err != nil || len(data) < 16+20 {
		t.Fatalf("%s: build-id note: %v", fixture, err)
	}
	return hex.EncodeToString(data[16:])
}

func TestOverrides(t *testing.T) {
	b, err := Open(filepath.Join("testdata", "x86_64-dwarf5.elf"), &Options{Release: "5.4.0-1009-aws", Arch: "armhf"})
	if err != nil {
		t.Fatal(err)
	}
	if m := b.Meta; m.Release != "5.4.0-1009-aws" || m.Version != "5.4.0" || m.Revision != "1009" || m.Flavor != "aws" || m.Arch != "armhf" {
		t.Errorf("overridden metadata: %+v", m)
	}
	b, err = Open(filepath.Join("testdata", "x86_64-dwarf5.elf"), &Options{Flavor: "cloud", Paths: StripPrefixRule("mm")})
	if err != nil {
		t.Fatal(err)
	}
	if b.Meta.Flavor != "cloud" || b.Meta.Release != "6.1.99-1-amd64" {
		t.Errorf("flavor override: %+v", b.Meta)
	}
	if f, _ := b.Function("vmap"); f.Instances[0].File != "vmalloc_fix.c" || f.Instances[0].Location.String() != "vmalloc_fix.c:173" {
		t.Errorf("StripPrefixRule(mm): vmap in %s at %s", f.Instances[0].File, f.Instances[0].Location)
	}
}

func TestStrings(t *testing.T) {
	var got []string
	for _, c := range Collisions() {
		got = append(got, c.String())
	}
	for _, k := range InlineKinds() {
		got = append(got, k.String())
	}
	for i := IssueDuplicate; i <= IssueAbsent; i++ {
		got = append(got, i.String())
	}
	want := "Unique Global|Unique Static|Static Duplication|Static-Static Collision|Static-Global Collision|No|Selective|Full|" +
		"Duplicate|Collision|Full Inline|Selective Inline|Transformation|Absent"
	if s := strings.Join(got, "|"); s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}
	if s := Collision(9).String(); s != "Collision(9)" {
		t.Errorf("unknown collision: %s", s)
	}
	if s := (Location{File: "mm/vmalloc.c", Line: 2843}).String(); s != "mm/vmalloc.c:2843" {
		t.Error(s)
	}
	if s := (Caller{File: "kernel/relay.c", Function: "relay_open_buf"}).String(); s != "kernel/relay.c:relay_open_buf" {
		t.Error(s)
	}
	s := Symbol{Name: "vmap", Address: 0xffffffff811ceec0, Size: 0xae, Bind: elf.STB_GLOBAL}
	if got := s.String(); got != "ffffffff811ceec0-ffffffff811cef6e: vmap (STB_GLOBAL)" {
		t.Error(got)
	}
}

package kabi

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kabi-dev/kabi/internal/kmem"
)

// A ConfigOption is one option of the build's kernel configuration, as
// the .config file states it. eBPF programs read them as
// "extern ... CONFIG_X __kconfig".
type ConfigOption struct {
	Name string // with its prefix: "CONFIG_BPF"
	// Value as written: "y", "m", a number, or a string with its quotes;
	// "n" for an option the file lists as "# CONFIG_X is not set" (as
	// libbpf reads it). An option the file does not list is not there.
	Value string
}

// ConfigOption returns the configuration option named name ("CONFIG_BPF").
func (b *Build) ConfigOption(name string) (ConfigOption, bool) {
	return findByName(b.hooks().config, name, func(o ConfigOption) string { return o.Name })
}

// Config yields the build's configuration options in name order. It
// yields none when the configuration could not be had (see ConfigSource).
func (b *Build) Config() iter.Seq[ConfigOption] { return seqOf(b.hooks().config) }

// ConfigSource says where the configuration was read from: "embedded"
// (the kernel's own copy, CONFIG_IKCONFIG), or the path of the
// config-<release> file; "" when the build has none: its configuration
// is then unknown, not empty.
func (b *Build) ConfigSource() string { return b.hooks().configFrom }

// maxConfigSize bounds a configuration, compressed or not (a Debian
// kernel's is about 280 KB).
const maxConfigSize = 16 << 20

// readEmbeddedConfig reads the gzip blob between kernel_config_data and
// kernel_config_data_end (after the IKCFG_ST marker), when the kernel
// embeds its configuration.
func (h *hookSet) readEmbeddedConfig(img *kmem.Image, syms *hookSymbols) {
	start, ok1 := syms.byName["kernel_config_data"]
	end, ok2 := syms.byName["kernel_config_data_end"]
	if !ok1 || !ok2 {
		return
	}
	if end.Value <= start.Value || end.Value-start.Value > maxConfigSize {
		h.skip(KindConfig, "kernel_config_data", "a blob of %d bytes", int64(end.Value-start.Value))
		return
	}
	blob, err := img.Read(start.Value, int(end.Value-start.Value))
	if err != nil {
		h.skip(KindConfig, "kernel_config_data", "%v", err)
		return
	}
	opts, err := parseGzipConfig(blob)
	if err != nil {
		h.skip(KindConfig, "kernel_config_data", "%v", err)
		return
	}
	h.config, h.configFrom = opts, "embedded"
}

func parseGzipConfig(blob []byte) ([]ConfigOption, error) {
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		return nil, fmt.Errorf("not gzip data: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, maxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("decompressing: %w", err)
	}
	if len(data) > maxConfigSize {
		return nil, fmt.Errorf("more than %d bytes decompressed", maxConfigSize)
	}
	return ParseConfig(bytes.NewReader(data))
}

// ParseConfig reads a kernel configuration in the .config format:
// "CONFIG_X=value" lines and "# CONFIG_X is not set" lines; other
// comments and blank lines are skipped. Options come back in name order;
// an option set twice keeps its last value, as Kconfig does. Lines that
// are neither fail.
func ParseConfig(r io.Reader) ([]ConfigOption, error) {
	sc := bufio.NewScanner(io.LimitReader(r, maxConfigSize))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	vals := map[string]string{}
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(s, "# "); ok {
			if name, ok := strings.CutSuffix(rest, " is not set"); ok && strings.HasPrefix(name, "CONFIG_") && !strings.ContainsAny(name, " =") {
				vals[name] = "n"
			}
			continue
		}
		if s[0] == '#' {
			continue
		}
		name, val, ok := strings.Cut(s, "=")
		if !ok || !strings.HasPrefix(name, "CONFIG_") || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("line %d: not a configuration line: %.60q", line, s)
		}
		vals[name] = val
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	out := make([]ConfigOption, 0, len(vals))
	for n, v := range vals {
		out = append(out, ConfigOption{Name: n, Value: v})
	}
	slices.SortFunc(out, func(a, b ConfigOption) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// ErrNoConfig means a configuration file named by Options.Config could
// not be read.
var ErrNoConfig = errors.New("no kernel configuration")

// readConfigFile reads the configuration of a build that does not embed
// it: the file Options.Config names, else a config-<release> file in the
// build file's directory, when there is one.
func (h *hookSet) readConfigFile(file, release, given string) error {
	if h.configFrom != "" {
		return nil
	}
	path := given
	if path == "" {
		if release == "" || file == "" {
			return nil
		}
		path = filepath.Join(filepath.Dir(file), "config-"+release)
		if _, err := os.Stat(path); err != nil {
			return nil // none there: the configuration is unknown
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoConfig, err)
	}
	defer f.Close()
	opts, err := ParseConfig(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	h.config, h.configFrom = opts, path
	return nil
}

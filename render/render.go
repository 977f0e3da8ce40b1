package render

import (
	"fmt"
	"io"

	"github.com/kabi-dev/kabi/diff"
)

// A FunctionRenderer writes function reports in one format.
type FunctionRenderer interface {
	Function(w io.Writer, r *diff.FunctionReport) error
}

// A SurfaceRenderer writes surface diffs in one format.
type SurfaceRenderer interface {
	Surface(w io.Writer, d *diff.SurfaceDiff) error
}

// ForFunction returns the renderer of function reports for a format name:
// "md" (or "markdown"), "html", "json" or "text" (or "").
func ForFunction(format string) (FunctionRenderer, error) {
	switch format {
	case "md", "markdown":
		return Markdown{}, nil
	case "html":
		return HTML{}, nil
	case "json":
		return JSON{}, nil
	case "text", "":
		return Text{Signatures: true}, nil
	}
	return nil, fmt.Errorf("unknown format %q (want md, html, json or text)", format)
}

// ForSurface returns the renderer of surface diffs for a format name:
// "json" or "text".
func ForSurface(format string) (SurfaceRenderer, error) {
	switch format {
	case "json":
		return JSON{}, nil
	case "text", "":
		return Text{}, nil
	}
	return nil, fmt.Errorf("unknown format %q (want json or text)", format)
}

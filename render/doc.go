// Package render turns the reports of package diff into what people
// read: Markdown pages laid out exactly like DepSurf's published function
// pages, and other formats.
//
// Renderers read report values only; they never open files or parse text.
//
// The JSON documents are versioned (FunctionSchema, SurfaceSchema) and
// described field by field in docs/json.md; DecodeFunction and
// DecodeSurface read them back.
package render

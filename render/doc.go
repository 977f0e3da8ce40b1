// Package render turns the reports of package diff into what people
// read: Markdown pages laid out exactly like DepSurf's published function
// pages, and other formats.
//
// Renderers read report values only; they never open files or parse text.
package render

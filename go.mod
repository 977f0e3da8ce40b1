module github.com/kabi-dev/kabi

go 1.24

require (
	github.com/ianlancetaylor/demangle v0.0.0-20260724033716-83e58baca724
	github.com/klauspost/compress v1.18.2
)

require github.com/google/go-cmp v0.7.0

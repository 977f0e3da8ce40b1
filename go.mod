module github.com/kabi-dev/kabi

go 1.24

require github.com/klauspost/compress v1.18.2

require github.com/google/go-cmp v0.7.0

module picket

go 1.26

require (
	github.com/google/go-cmp v0.7.0
	github.com/klauspost/compress v1.20.4
	go.yaml.in/yaml/v3 v3.0.6
)

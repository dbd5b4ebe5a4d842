# picket as a container: a static binary on an empty base image, run as a non-root user.
#   docker build -t picket .
#   docker run --rm -v picket-data:/data -v $PWD/picket.yaml:/etc/picket/picket.yaml:ro picket
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/picket ./cmd/picket \
 && mkdir -p /out/data /out/etc/picket

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /out/picket /picket
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/etc/picket /etc/picket
USER 65532:65532
WORKDIR /data
# The server listens on loopback by default; in a container set server.listen: 0.0.0.0:8089
# together with server.tokens or server.users (required for any non-loopback address).
EXPOSE 8089
HEALTHCHECK --interval=30s --timeout=5s CMD ["/picket", "healthcheck", "--url", "http://127.0.0.1:8089/healthz"]
ENTRYPOINT ["/picket"]
CMD ["run", "--config", "/etc/picket/picket.yaml"]

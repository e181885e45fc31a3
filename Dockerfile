# syntax=docker/dockerfile:1
#
# profile-export as a small, static, non-root image:
#   docker build --build-arg VERSION=v1.2.3 --build-arg COMMIT=$(git rev-parse --short=12 HEAD) -t profile-export:v1.2.3 .
#   docker run --rm profile-export:v1.2.3 version
#
# The build stage runs scripts/build, the same command the README documents and a
# test runs (CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=…
# -X main.commit=…"), so the image holds what a local build makes.

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# Modules first: this layer is reused as long as go.mod and go.sum do not change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# .git is not sent (see .dockerignore): the version and commit come from here.
ARG VERSION=dev
ARG COMMIT=unknown
ARG TARGETOS=linux
ARG TARGETARCH=amd64
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    GOOS=${TARGETOS} GOARCH=${TARGETARCH} VERSION=${VERSION} COMMIT=${COMMIT} OUT=/out/profile-export \
    scripts/build

# distroless/static: CA certificates, tzdata and /etc/passwd with the nonroot user
# (65532), and nothing else: no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/profile-export /usr/local/bin/profile-export
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/profile-export"]
CMD ["--help"]

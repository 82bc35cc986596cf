# The actionsd container image: a static binary (cgo off) in an empty (scratch) final stage, with
# no shell, running as uid 65532, its data in the /var/lib/actionsd volume; the root filesystem
# can be mounted read-only. See docs/deploy.md.
#
# From source (pulls the Go image):
#   podman build -t actionsd .
# From a binary built on this machine (pulls nothing: the right choice where no registry is
# reachable):
#   CGO_ENABLED=0 go build -trimpath -o dist/actionsd ./cmd/actionsd
#   cp /etc/ssl/certs/ca-certificates.crt dist/    # the CA bundle for Vault, git and npm over HTTPS
#   podman build --build-arg SOURCE=local -t actionsd .
# BINARY and CA_CERTS name other files of the build context.

# SOURCE picks the stage that provides the root filesystem's binary and CA bundle: build or local.
ARG SOURCE=build
ARG GO_IMAGE=golang:1.26-bookworm

FROM ${GO_IMAGE} AS build
ARG CREATED=
WORKDIR /src
COPY go.mod go.sum ./
COPY third_party/goja third_party/goja
RUN go mod download
COPY . .
# The build context holds no .git (.dockerignore), so no commit is stamped: the image's revision
# label says it.
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/actionsd/actionsd/internal/buildinfo.date=${CREATED}" \
      -o /rootfs/usr/local/bin/actionsd ./cmd/actionsd && \
    mkdir -p /rootfs/etc/ssl/certs && \
    cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ca-certificates.crt

FROM scratch AS local
ARG BINARY=dist/actionsd
ARG CA_CERTS=dist/ca-certificates.crt
COPY ${BINARY} /rootfs/usr/local/bin/actionsd
COPY ${CA_CERTS} /rootfs/etc/ssl/certs/ca-certificates.crt

FROM ${SOURCE} AS source

FROM scratch
ARG VERSION=
ARG REVISION=
ARG CREATED=
LABEL org.opencontainers.image.title="actionsd" \
      org.opencontainers.image.description="Runs Auth0-style Actions and Action Modules from a git repository, with secrets from Vault" \
      org.opencontainers.image.source="https://github.com/actionsd/actionsd" \
      org.opencontainers.image.url="https://github.com/actionsd/actionsd" \
      org.opencontainers.image.documentation="https://github.com/actionsd/actionsd/blob/main/docs/deploy.md" \
      org.opencontainers.image.vendor="actionsd" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
COPY --from=source /rootfs/ /
# uid and gid 65532 have a name (some libraries look the user up) and a home: the data volume.
COPY deploy/image/passwd deploy/image/group /etc/
# The data folder, empty and owned by 65532, so that a fresh volume is writable by the daemon
# (.dockerignore keeps the files of deploy/image/data/ out).
COPY --chown=65532:65532 deploy/image/data/ /var/lib/actionsd/
USER 65532:65532
WORKDIR /var/lib/actionsd
# The daemon writes only under its data dir: temporary files and $HOME (~/.npmrc,
# ~/.ssh/known_hosts) included, so the root filesystem can be read-only.
ENV ACTIONSD_DATA_DIR=/var/lib/actionsd \
    ACTIONSD_ADDR=:8080 \
    HOME=/var/lib/actionsd \
    TMPDIR=/var/lib/actionsd
VOLUME ["/var/lib/actionsd"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/actionsd"]
CMD ["serve"]

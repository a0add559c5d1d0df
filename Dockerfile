# Static scoregate binary in a small image. Build: docker build -t scoregate .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/scoregate ./cmd/scoregate \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/scoregate /usr/local/bin/scoregate
COPY --from=build --chown=nonroot:nonroot /out/data /data
ENV SCOREGATE_ADDR=:8080 \
    SCOREGATE_DATA_DIR=/data \
    SCOREGATE_LOG_FORMAT=json
VOLUME /data
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/usr/local/bin/scoregate"]
CMD ["serve"]

# syntax=docker/dockerfile:1
# clearance: multi-stage build. The build steps are docker/build.sh, which CI runs too
# (see .ci/run), so what this image builds is tested without a Docker engine.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Dependencies first: this layer is rebuilt only when the manifest, lock file or protos change.
COPY Cargo.toml Cargo.lock build.rs ./
COPY proto proto
COPY docker/build.sh docker/build.sh
RUN docker/build.sh deps
# Then the crate itself, with the word tables it embeds (src/engine/lexicon/).
COPY data/lexicon data/lexicon
COPY src src
COPY benches benches
RUN docker/build.sh app

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin clearance
COPY --from=build /src/target/release/clearance /usr/local/bin/clearance
# The bundled sample list and its config: demonstration data, not a current list, which
# the default command serves. For real screening run
#   serve --config /opt/clearance/config/official.toml   (downloads the official lists into
#                                                          /opt/clearance/cache: mount a volume)
#   serve --snapshot /path/to/current.clr                 (a file `clearance build` wrote)
COPY data /opt/clearance/data
COPY config/sample.toml config/official.toml /opt/clearance/config/
RUN mkdir /opt/clearance/cache && chown 10001:10001 /opt/clearance/cache
USER 10001:10001
WORKDIR /opt/clearance
# Screening (gRPC, health, reflection), Admin (gRPC; publish it only on a private network),
# HTTP (/metrics, /healthz, /readyz).
EXPOSE 50051 50052 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["clearance", "health", "--addr", "http://127.0.0.1:50051"]
ENTRYPOINT ["clearance"]
CMD ["serve", "--config", "/opt/clearance/config/sample.toml", \
     "--listen", "0.0.0.0:50051", "--admin-listen", "0.0.0.0:50052", \
     "--http-listen", "0.0.0.0:8080", "--log-json"]

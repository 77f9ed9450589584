# Build and run the registry. docker-compose.yml runs it beside PostgreSQL 16.
FROM swift:6.2-bookworm AS build
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product registry --static-swift-stdlib \
 && mkdir /out && cp .build/release/registry /out/ && cp -R .build/release/*.resources /out/ 2>/dev/null || true

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libcurl4 libxml2 tzdata \
 && rm -rf /var/lib/apt/lists/* && useradd --system --home /app registry
WORKDIR /app
COPY --from=build /out/ /app/
COPY Schema ./Schema
COPY Config ./Config
USER registry
ENV REGISTRY_SERVER_HOST=0.0.0.0
EXPOSE 8080
ENTRYPOINT ["/app/registry"]
CMD ["serve"]

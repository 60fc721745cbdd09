# Tandem node image: builds the CLI with Maven, runs it on a JRE.
# Build: docker build -t tandem:dev .   (used by devnet/docker-compose.yml)
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -q -B -DskipTests -pl devnet -am package \
 && mkdir -p /opt/tandem/lib \
 && tr ':' '\n' < devnet/target/launcher-classpath.txt | xargs -I{} cp {} /opt/tandem/lib/ \
 && for m in tandem-core tandem-client p2p da-client atomic-bundles rollup-adapters shared-sequencer/bft shared-sequencer/node devnet; do \
      cp "$m"/target/*.jar /opt/tandem/lib/ ; done

FROM eclipse-temurin:17-jre
COPY --from=build /opt/tandem/lib /opt/tandem/lib
RUN printf '#!/bin/sh\nexec java --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED $TANDEM_JAVA_OPTS -cp "/opt/tandem/lib/*" dev.tandem.node.cli.TandemCli "$@"\n' > /usr/local/bin/tandem \
 && chmod +x /usr/local/bin/tandem
VOLUME /data
ENTRYPOINT ["tandem"]

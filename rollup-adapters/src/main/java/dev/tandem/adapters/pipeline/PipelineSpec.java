package dev.tandem.adapters.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.core.Namespace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an {@link AdapterPipeline} runs: the DA layers by name, and which namespace goes to which
 * adapter (docs/adapters.md). Parsed strictly: an unknown field, a bad value or a rollup naming a
 * DA layer that does not exist is a {@link SpecException} naming the field's path.
 *
 * @param checkpointDir where the adapters keep their progress and the DA layers their send journals
 * @param pollInterval how often the pipeline looks for new blocks and retries failed adapters
 */
public record PipelineSpec(Path checkpointDir, Duration pollInterval, Map<String, DaLayerSpec> daLayers,
    List<RollupSpec> rollups) {
  public PipelineSpec {
    Objects.requireNonNull(checkpointDir, "checkpointDir");
    daLayers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(daLayers));
    rollups = List.copyOf(rollups);
  }

  /** The rollup spec for {@code namespace}, if the pipeline serves it. */
  public java.util.Optional<RollupSpec> rollup(Namespace namespace) {
    return rollups.stream().filter(r -> r.namespace().equals(namespace)).findFirst();
  }

  /**
   * Parses the section at {@code path} (e.g. {@code adapters} in a node config, empty for a file of
   * its own). Relative paths resolve against {@code base}; {@code checkpointDir} falls back to
   * {@code defaultCheckpointDir}, and is required when that is null.
   */
  public static PipelineSpec parse(JsonNode node, String path, Path base, Path defaultCheckpointDir) {
    Fields f = Fields.of(node, path);
    Path checkpointDir = f.has("checkpointDir") || defaultCheckpointDir == null ? f.file("checkpointDir", base)
        : defaultCheckpointDir;
    Duration poll = Duration.ofMillis(f.integer("pollIntervalMillis", 500, 10, 60_000));
    Map<String, DaLayerSpec> layers = new LinkedHashMap<>();
    if (f.has("daLayers")) {
      Fields section = f.object("daLayers");
      JsonNode raw = f.raw("daLayers");
      for (Iterator<String> names = raw.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,31}")) {
          throw section.error(name, "is not a usable DA layer name: use 1 to 32 letters, digits, '-' or '_'");
        }
        section.allow(name);
        layers.put(name, DaLayerSpec.parse(name, Fields.of(raw.get(name), section.path(name)), base));
      }
    }
    JsonNode rawRollups = f.raw("rollups");
    if (rawRollups == null || !rawRollups.isArray() || rawRollups.isEmpty()) {
      throw f.error("rollups", "must be a non-empty list of {namespace, kind, ...}");
    }
    List<RollupSpec> rollups = new ArrayList<>();
    for (int i = 0; i < rawRollups.size(); i++) {
      String at = f.path("rollups") + "[" + i + "]";
      RollupSpec rollup = RollupSpec.parse(Fields.of(rawRollups.get(i), at));
      for (RollupSpec earlier : rollups) {
        if (earlier.namespace().equals(rollup.namespace())) {
          throw new SpecException("config field '" + at + ".namespace' repeats " + rollup.namespace()
              + "; map each namespace to one adapter");
        }
      }
      checkDa(rollup, layers, at);
      rollups.add(rollup);
    }
    f.done();
    return new PipelineSpec(checkpointDir, poll, layers, rollups);
  }

  private static void checkDa(RollupSpec rollup, Map<String, DaLayerSpec> layers, String at) {
    String da = rollup instanceof RollupSpec.Generic g ? g.da()
        : rollup instanceof RollupSpec.OpStack o ? o.da() : null;
    if (da == null) {
      return;
    }
    DaLayerSpec layer = layers.get(da);
    if (layer == null) {
      throw new SpecException("config field '" + at + ".da' names DA layer '" + da + "', which is not in daLayers "
          + layers.keySet() + "; add it there or fix the name");
    }
    if (rollup instanceof RollupSpec.OpStack op && layer instanceof DaLayerSpec.Ethereum eth
        && (eth.mode() == dev.tandem.da.eth.EthereumDa.Mode.BLOBS) != op.blobs()) {
      throw new SpecException("config field '" + at + ".submission' is " + (op.blobs() ? "blobs" : "calldata")
          + " but DA layer '" + da + "' posts " + (op.blobs() ? "calldata" : "blobs")
          + "; make them agree (type ethereum-blobs with submission blobs, ethereum-calldata with calldata)");
    }
  }
}

package dev.tandem.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates the repository checkout and the npm-installed test tools inside it. */
public final class RepoPaths {
  private RepoPaths() {}

  /**
   * The repository root: the {@code tandem.root} system property that Surefire sets, or else the
   * nearest ancestor of the working directory that holds {@code package-lock.json}.
   */
  public static Path root() {
    String configured = System.getProperty("tandem.root");
    if (configured != null && Files.isRegularFile(Paths.get(configured, "package-lock.json"))) {
      return Paths.get(configured).toAbsolutePath();
    }
    Path dir = Paths.get("").toAbsolutePath();
    while (dir != null) {
      if (Files.isRegularFile(dir.resolve("package-lock.json")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("cannot find the Tandem repository root above " + Paths.get("").toAbsolutePath());
  }

  /** node_modules at the repository root; the root build installs it from package-lock.json. */
  public static Path nodeModules() {
    Path modules = root().resolve("node_modules");
    if (!Files.isDirectory(modules)) {
      throw new IllegalStateException(
          "npm test tools are not installed; run scripts/npm-install.sh (the root Maven build does it)");
    }
    return modules;
  }

  /** The real anvil binary from the npm package {@code @foundry-rs/anvil-linux-amd64}. */
  public static Path anvilBinary() {
    Path anvil = nodeModules().resolve("@foundry-rs/anvil-linux-amd64/bin/anvil");
    if (!Files.isExecutable(anvil)) {
      throw new IllegalStateException("anvil binary missing or not executable at " + anvil);
    }
    return anvil;
  }
}

package dev.tandem.adapters.opstack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** Reads the vector files under src/test/resources/opstack: "|"-separated rows, "#" comments. */
final class Vectors {
  private Vectors() {}

  static List<String[]> rows(String name) {
    try (InputStream in = Vectors.class.getResourceAsStream("/opstack/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing vector file " + name);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text.lines()
          .map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .map(l -> Arrays.stream(l.split("\\|")).map(String::strip).toArray(String[]::new))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses "aa bb cc*3 -" notation: hex chunks, "xx*N" repeats, "-" empty. */
  static byte[] bytes(String notation) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (notation.equals("-")) {
      return new byte[0];
    }
    for (String chunk : notation.split("\\s+")) {
      int star = chunk.indexOf('*');
      if (star >= 0) {
        byte b = HexFormat.of().parseHex(chunk.substring(0, star))[0];
        int count = Integer.parseInt(chunk.substring(star + 1));
        for (int i = 0; i < count; i++) {
          out.write(b);
        }
      } else {
        out.writeBytes(HexFormat.of().parseHex(chunk));
      }
    }
    return out.toByteArray();
  }

  static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex.startsWith("0x") ? hex.substring(2) : hex);
  }
}

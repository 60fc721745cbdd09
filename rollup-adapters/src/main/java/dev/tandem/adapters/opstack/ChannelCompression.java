package dev.tandem.adapters.opstack;

/** How a channel's RLP batches are compressed. */
public enum ChannelCompression {
  /** Legacy format: a bare zlib stream (RFC 1950); its first byte has low nibble 8 or 15. */
  ZLIB,
  /** Fjord versioned format: channel version byte 1 followed by a Brotli stream (RFC 7932). */
  BROTLI
}

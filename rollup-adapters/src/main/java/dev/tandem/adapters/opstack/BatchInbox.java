package dev.tandem.adapters.opstack;

import java.math.BigInteger;
import java.util.HexFormat;
import org.web3j.crypto.Hash;

/**
 * The standard batch inbox address of an OP Stack chain, as OPContractsManager derives it:
 * {@code 0x00 ++ keccak256(uint256(chainId))[0:19]}.
 */
public final class BatchInbox {
  private static final int VERSION_BYTE = 0x00;

  private BatchInbox() {}

  /** The 20-byte inbox address for an L2 chain id. */
  public static byte[] address(BigInteger l2ChainId) {
    if (l2ChainId.signum() < 0 || l2ChainId.bitLength() > 256) {
      throw new IllegalArgumentException("chain id must be a uint256");
    }
    byte[] word = new byte[32];
    byte[] value = l2ChainId.toByteArray();
    int copy = Math.min(value.length, 32);
    System.arraycopy(value, value.length - copy, word, 32 - copy, copy);
    byte[] hash = Hash.sha3(word);
    byte[] address = new byte[20];
    address[0] = VERSION_BYTE;
    System.arraycopy(hash, 0, address, 1, 19);
    return address;
  }

  /** The inbox address as lower-case {@code 0x} hex. */
  public static String addressHex(long l2ChainId) {
    return "0x" + HexFormat.of().formatHex(address(BigInteger.valueOf(l2ChainId)));
  }
}

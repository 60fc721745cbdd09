package dev.tandem.adapters.evm;

import java.math.BigInteger;
import java.security.SignatureException;
import java.util.Optional;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.SignedRawTransaction;
import org.web3j.crypto.TransactionDecoder;
import org.web3j.crypto.transaction.type.Transaction1559;
import org.web3j.crypto.transaction.type.Transaction2930;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.utils.Numeric;

/**
 * A rollup payload decoded as a raw signed Ethereum transaction, with its sender recovered from
 * the signature: what a simulation needs to run it as a call.
 *
 * @param chainId the chain id it is signed for; empty for a legacy transaction without EIP-155
 */
record SignedEthTx(SignedRawTransaction tx, String from, Optional<Long> chainId) {

  /**
   * Decodes and recovers the sender.
   *
   * @throws IllegalArgumentException saying what is wrong, if the bytes are not a signed transaction
   */
  static SignedEthTx decode(byte[] raw) {
    if (raw.length == 0) {
      throw new IllegalArgumentException("empty payload is not an Ethereum transaction");
    }
    RawTransaction decoded;
    try {
      decoded = TransactionDecoder.decode(Numeric.toHexString(raw));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a decodable Ethereum transaction: " + e, e);
    }
    if (!(decoded instanceof SignedRawTransaction signed)) {
      throw new IllegalArgumentException("transaction is not signed");
    }
    Optional<Long> chainId = signed.getTransaction() instanceof Transaction2930 typed
        ? Optional.of(typed.getChainId())
        : Optional.ofNullable(signed.getChainId());
    try {
      return new SignedEthTx(signed, signed.getFrom(), chainId);
    } catch (SignatureException | RuntimeException e) {
      throw new IllegalArgumentException("cannot recover the sender of the transaction: " + e.getMessage(), e);
    }
  }

  /** The recipient, or null for a contract creation. */
  String to() {
    String to = tx.getTo();
    return to == null || to.isEmpty() || to.equals("0x") ? null : to;
  }

  /** The transaction as an {@code eth_call} request: sender, recipient, calldata, value, gas and fees. */
  Transaction callRequest() {
    BigInteger gasPrice = null;
    BigInteger maxPriorityFee = null;
    BigInteger maxFee = null;
    if (tx.getTransaction() instanceof Transaction1559 dynamic) {
      maxPriorityFee = dynamic.getMaxPriorityFeePerGas();
      maxFee = dynamic.getMaxFeePerGas();
    } else {
      gasPrice = tx.getGasPrice();
    }
    return new Transaction(from, null, gasPrice, tx.getGasLimit(), to(), tx.getValue(),
        Numeric.prependHexPrefix(tx.getData()), null, maxPriorityFee, maxFee);
  }
}

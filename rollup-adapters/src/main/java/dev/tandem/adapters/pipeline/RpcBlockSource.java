package dev.tandem.adapters.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.adapters.generic.FinalizedBlockSource;
import dev.tandem.client.TandemClient;
import dev.tandem.core.Block;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.BoundedMap;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import dev.tandem.core.Verification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A node's finalized log read over JSON-RPC ({@code tandem_blockNumber},
 * {@code tandem_getBlockByHeight} with full transactions), trusting nothing it is told: each block
 * is rebuilt from the raw transaction encodings, its header from the header fields; the header
 * must hash to the block hash the node gave, the body must match the header's transaction count
 * and namespace root (which is what every namespace proof is checked against), the height and
 * chain must be the ones asked for, the parent hash must link to the block below when that one was
 * read, and the {@link FinalityCheck} must accept the header. A node that serves anything else
 * gets an {@link IllegalStateException} naming the height and what was wrong. Keeps the last
 * blocks read, since every adapter of the pipeline reads the same heights.
 */
public final class RpcBlockSource implements FinalizedBlockSource {
  private static final int CACHED_BLOCKS = 256;

  private final TandemClient client;
  private final long chainId;
  private final FinalityCheck finality;
  private final Map<Long, Block> recent = BoundedMap.accessOrdered(CACHED_BLOCKS);

  /** @param chainId the sequencer chain the blocks must belong to */
  public RpcBlockSource(TandemClient client, long chainId, FinalityCheck finality) {
    this.client = client;
    this.chainId = chainId;
    this.finality = finality;
  }

  @Override
  public long finalizedHeight() {
    return finality.provableHeight(client.blockNumber());
  }

  @Override
  public synchronized Block block(long height) {
    Block cached = recent.get(height);
    if (cached != null) {
      return cached;
    }
    JsonNode json = client.block(height, true);
    if (json == null || json.isNull()) {
      throw new IllegalStateException("the node has no block " + height + " although it reported it final");
    }
    Block block;
    try {
      block = rebuild(json);
    } catch (DecodingException | IllegalArgumentException e) {
      throw new IllegalStateException("block " + height + " from the node does not check out: " + e.getMessage(), e);
    }
    BlockHeader header = block.header();
    if (header.height() != height || header.chainId() != chainId) {
      throw new IllegalStateException("asked the node for block " + height + " of chain " + chainId + ", got block "
          + header.height() + " of chain " + header.chainId());
    }
    Block below = recent.get(height - 1);
    if (below != null && !header.parentHash().equals(below.hash())) {
      throw new IllegalStateException("block " + height + " from the node does not extend block " + (height - 1)
          + " it served before: the node's log changed under a finalized height");
    }
    Verification check = finality.verify(header);
    if (!check.valid()) {
      throw new IllegalStateException("block " + height + " from the node is not proven final: " + check.reason());
    }
    recent.put(height, block);
    return block;
  }

  /** The block's QC as the {@link FinalityCheck} verified it (read the block first); empty when it has none. */
  @Override
  public byte[] certificate(long height) {
    block(height);
    return finality.certificate(height);
  }

  /** The block from its JSON: header fields, raw transactions, and the hash the node claims. */
  static Block rebuild(JsonNode json) {
    BlockHeader header = new BlockHeader(quantity(json, "chainId"), quantity(json, "height"),
        Hash.fromHex(text(json, "parentHash")), quantity(json, "timestamp"), PublicKey.fromHex(text(json, "proposer")),
        Hash.fromHex(text(json, "namespaceRoot")), Math.toIntExact(quantity(json, "txCount")));
    Hash claimed = Hash.fromHex(text(json, "hash"));
    if (!header.hash().equals(claimed)) {
      throw new DecodingException("the header fields hash to " + header.hash() + ", not to the block hash " + claimed);
    }
    JsonNode txs = json.get("transactions");
    if (txs == null || !txs.isArray()) {
      throw new DecodingException("no transactions list");
    }
    List<Transaction> transactions = new ArrayList<>(txs.size());
    for (JsonNode tx : txs) {
      if (!tx.isObject()) {
        throw new DecodingException("transactions are hashes only; the source asks for full transactions");
      }
      transactions.add(Transaction.decode(Hex.decode(text(tx, "raw"), Transaction.MAX_ENCODED_BYTES)));
    }
    return Block.assemble(header, transactions);
  }

  private static String text(JsonNode json, String field) {
    JsonNode value = json.get(field);
    if (value == null || !value.isTextual()) {
      throw new DecodingException("field " + field + " is missing or not a string");
    }
    return value.asText();
  }

  private static long quantity(JsonNode json, String field) {
    return Hex.parseQuantity(text(json, field));
  }
}

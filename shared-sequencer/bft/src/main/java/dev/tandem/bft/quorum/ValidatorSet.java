package dev.tandem.bft.quorum;

import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hashing;
import dev.tandem.core.PublicKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sequencer set of one epoch: distinct Ed25519 keys with positive stake, kept sorted by key.
 * A quorum is strictly more than 2/3 of the total stake.
 *
 * <p>Encoding: {@code u32 count, count x (bytes32 key, u64 stake)}, keys strictly increasing.
 */
public final class ValidatorSet {
  public static final int MAX_VALIDATORS = 1024;
  /** Keeps {@code 3 * stake} inside a long. */
  public static final long MAX_TOTAL_STAKE = Long.MAX_VALUE / 4;
  private static final byte[] LEADER_TAG = "tandem/leader/v1".getBytes(StandardCharsets.US_ASCII);

  /** One member and its stake. */
  public record Member(PublicKey key, long stake) {}

  private final List<Member> members;
  private final Map<PublicKey, Long> stakes = new LinkedHashMap<>();
  private final long totalStake;

  private ValidatorSet(List<Member> sorted) {
    if (sorted.isEmpty() || sorted.size() > MAX_VALIDATORS) {
      throw new IllegalArgumentException("a validator set has 1 to " + MAX_VALIDATORS + " members, got " + sorted.size());
    }
    long total = 0;
    for (int i = 0; i < sorted.size(); i++) {
      Member member = sorted.get(i);
      if (member.stake() <= 0) {
        throw new IllegalArgumentException("stake must be positive for " + member.key());
      }
      if (i > 0 && sorted.get(i - 1).key().compareTo(member.key()) >= 0) {
        throw new IllegalArgumentException("duplicate validator " + member.key());
      }
      total += member.stake();
      if (total > MAX_TOTAL_STAKE || total < 0) {
        throw new IllegalArgumentException("total stake exceeds " + MAX_TOTAL_STAKE);
      }
      stakes.put(member.key(), member.stake());
    }
    this.members = List.copyOf(sorted);
    this.totalStake = total;
  }

  /** Builds a set from members in any order; rejects duplicates and non-positive stake. */
  public static ValidatorSet of(List<Member> members) {
    List<Member> sorted = new ArrayList<>(members);
    sorted.sort((a, b) -> a.key().compareTo(b.key()));
    return new ValidatorSet(sorted);
  }

  /** Equal stake 1 for every key. */
  public static ValidatorSet equalStake(List<PublicKey> keys) {
    List<Member> members = new ArrayList<>();
    for (PublicKey key : keys) {
      members.add(new Member(key, 1));
    }
    return of(members);
  }

  public List<Member> members() {
    return members;
  }

  public int size() {
    return members.size();
  }

  public long totalStake() {
    return totalStake;
  }

  public boolean contains(PublicKey key) {
    return stakes.containsKey(key);
  }

  /** The key's stake, 0 for a non-member. */
  public long stakeOf(PublicKey key) {
    return stakes.getOrDefault(key, 0L);
  }

  /** Strictly more than 2/3 of the total stake. */
  public boolean isQuorum(long stake) {
    return 3 * stake > 2 * totalStake;
  }

  /** Strictly more than 1/3 of the total stake: at least one honest member among them. */
  public boolean isValidity(long stake) {
    return 3 * stake > totalStake;
  }

  /** Leader of a view: SHA-256 of the view picks a point in the cumulative stake, members sorted by key. */
  public PublicKey leader(long view) {
    byte[] input = new CanonicalWriter(LEADER_TAG.length + 8).fixed(LEADER_TAG).u64(view).toByteArray();
    byte[] digest = Hashing.sha256(input);
    long x = 0;
    for (int i = 0; i < 8; i++) {
      x = (x << 8) | (digest[i] & 0xff);
    }
    long point = Long.remainderUnsigned(x, totalStake);
    for (Member member : members) {
      if (point < member.stake()) {
        return member.key();
      }
      point -= member.stake();
    }
    throw new IllegalStateException("unreachable: point beyond total stake");
  }

  public Optional<Member> member(PublicKey key) {
    Long stake = stakes.get(key);
    return stake == null ? Optional.empty() : Optional.of(new Member(key, stake));
  }

  public void writeTo(CanonicalWriter writer) {
    writer.u32(members.size());
    for (Member member : members) {
      writer.fixed(member.key().toBytes()).u64(member.stake());
    }
  }

  public byte[] encode() {
    CanonicalWriter writer = new CanonicalWriter(4 + members.size() * 40);
    writeTo(writer);
    return writer.toByteArray();
  }

  public static ValidatorSet read(CanonicalReader reader) {
    int count = reader.count(MAX_VALIDATORS, "validator");
    if ((long) count * 40 > reader.remaining()) {
      throw new DecodingException("truncated validator set: " + count + " members");
    }
    List<Member> members = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      PublicKey key = PublicKey.of(reader.fixed(PublicKey.LENGTH, "validator key"));
      long stake = reader.unsigned63("stake");
      if (i > 0 && members.get(i - 1).key().compareTo(key) >= 0) {
        throw new DecodingException("validator keys must be strictly increasing at index " + i);
      }
      members.add(new Member(key, stake));
    }
    try {
      return new ValidatorSet(members);
    } catch (IllegalArgumentException e) {
      throw new DecodingException("invalid validator set: " + e.getMessage());
    }
  }

  public static ValidatorSet decode(byte[] encoded) {
    CanonicalReader reader = new CanonicalReader(encoded);
    ValidatorSet set = read(reader);
    reader.end();
    return set;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ValidatorSet && members.equals(((ValidatorSet) other).members);
  }

  @Override
  public int hashCode() {
    return members.hashCode();
  }

  @Override
  public String toString() {
    return "ValidatorSet(" + members.size() + " members, stake " + totalStake + ")";
  }

  /** Members' keys, sorted. */
  public List<PublicKey> keys() {
    List<PublicKey> keys = new ArrayList<>();
    for (Member member : members) {
      keys.add(member.key());
    }
    return Collections.unmodifiableList(keys);
  }
}

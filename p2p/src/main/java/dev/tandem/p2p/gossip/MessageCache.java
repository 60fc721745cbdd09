package dev.tandem.p2p.gossip;

import com.google.protobuf.ByteString;
import dev.tandem.p2p.proto.RpcProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Recent messages by id, in heartbeat windows: served to IWANT, advertised in IHAVE. Not thread-safe. */
final class MessageCache {
  private final int historyLength;
  private final int historyGossip;
  private final Map<ByteString, RpcProto.Message> messages = new HashMap<>();
  private final ArrayDeque<List<ByteString>> windows = new ArrayDeque<>();

  MessageCache(int historyLength, int historyGossip) {
    this.historyLength = historyLength;
    this.historyGossip = historyGossip;
    windows.addFirst(new ArrayList<>());
  }

  void put(ByteString id, RpcProto.Message message) {
    if (messages.putIfAbsent(id, message) == null) {
      windows.getFirst().add(id);
    }
  }

  RpcProto.Message get(ByteString id) {
    return messages.get(id);
  }

  /** Ids of the last {@code historyGossip} windows on {@code topic}. */
  List<ByteString> gossipIds(String topic) {
    List<ByteString> out = new ArrayList<>();
    Iterator<List<ByteString>> it = windows.iterator();
    for (int i = 0; i < historyGossip && it.hasNext(); i++) {
      for (ByteString id : it.next()) {
        RpcProto.Message m = messages.get(id);
        if (m != null && m.getTopic().equals(topic)) {
          out.add(id);
        }
      }
    }
    return out;
  }

  /** Starts a new window, forgetting the oldest beyond {@code historyLength}. */
  void shift() {
    windows.addFirst(new ArrayList<>());
    while (windows.size() > historyLength) {
      for (ByteString id : windows.removeLast()) {
        messages.remove(id);
      }
    }
  }
}

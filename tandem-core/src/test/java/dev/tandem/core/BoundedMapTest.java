package dev.tandem.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BoundedMapTest {
  @Test
  void insertionOrderedDropsTheOldestInsertEvenWhenItWasReadSince() {
    Map<Integer, String> map = BoundedMap.insertionOrdered(2);
    map.put(1, "a");
    map.put(2, "b");
    map.get(1);
    map.put(3, "c");
    assertThat(map).containsOnlyKeys(2, 3);
  }

  @Test
  void accessOrderedDropsTheLeastRecentlyUsed() {
    Map<Integer, String> map = BoundedMap.accessOrdered(2);
    map.put(1, "a");
    map.put(2, "b");
    map.get(1);
    map.put(3, "c");
    assertThat(map).containsOnlyKeys(1, 3);
  }

  @Test
  void refusesANonPositiveCapacity() {
    assertThatThrownBy(() -> BoundedMap.insertionOrdered(0)).isInstanceOf(IllegalArgumentException.class);
  }
}

package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.guest.truth.GuestExpectation;
import dev.vmhotplug.guest.truth.GuestFacts;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * When guest verification of a memory change counts as done (the states seen on a real guest in
 * the VM lab: 4 boot blocks of 128 MiB, a 512 MiB add gives blocks 32-35).
 */
class MemoryGuestCheckTest {

  static GuestFacts facts(long memTotalKiB, int online, int offline) {
    Map<Integer, String> m = new TreeMap<>();
    for (int i = 0; i < online; i++) {
      m.put(i < 4 ? i : 28 + i, "online");
    }
    for (int i = 0; i < offline; i++) {
      m.put(100 + i, "offline");
    }
    return GuestFacts.builder().memTotalKiB(memTotalKiB).memoryBlockStates(m).blockSizeBytes(128L << 20).build();
  }

  static final GuestFacts BASE = facts(401368, 4, 0);
  static final GuestExpectation ADD_512 = GuestExpectation.builder().memoryKiB(1048576).addedKiB(524288)
      .baselineMemTotalKiB(401368).build();

  @Test
  void add_allNewBlocksOnlineAndMemTotalGrew_isDone() {
    assertThat(MemoryOperation.guestShows(true, BASE, facts(401368 + 524288, 8, 0), 4, ADD_512)).isTrue();
  }

  @Test
  void add_blocksStillOffline_isNotDone() {
    assertThat(MemoryOperation.guestShows(true, BASE, facts(401368, 4, 4), 4, ADD_512)).isFalse();
  }

  @Test
  void add_blocksOnlineButMemTotalLagging_isNotDoneYet() {
    // seen on the lab guest: the block states were all online while MemTotal showed half the DIMMs
    assertThat(MemoryOperation.guestShows(true, BASE, facts(401368 + 262144, 8, 0), 4, ADD_512)).isFalse();
  }

  @Test
  void remove_blocksGone_isDone() {
    GuestExpectation e = GuestExpectation.builder().memoryKiB(786432).build();
    assertThat(MemoryOperation.guestShows(false, facts(401368 + 524288, 8, 0), facts(401368 + 262144, 6, 0), 2, e))
        .isTrue();
    assertThat(MemoryOperation.guestShows(false, facts(401368 + 524288, 8, 0), facts(401368 + 524288, 8, 0), 2, e))
        .isFalse();
  }

  @Test
  void noBlockStates_isNotDone() {
    assertThat(MemoryOperation.guestShows(true, BASE, GuestFacts.builder().memTotalKiB(1).build(), 4, ADD_512))
        .isFalse();
  }
}

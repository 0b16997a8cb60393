package dev.vmhotplug.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DomainLocksTest {
  @Test
  void withLock_nested_isReentrantAndReleasedAfterwards() {
    DomainLocks locks = new DomainLocks();
    String r = locks.withLock("u1", () -> {
      assertThat(locks.heldByCurrentThread("u1")).isTrue();
      assertThat(locks.heldByCurrentThread("u2")).isFalse();
      return locks.withLock("u1", () -> "inner");
    });
    assertThat(r).isEqualTo("inner");
    assertThat(locks.heldByCurrentThread("u1")).isFalse();
  }

  @Test
  void withLock_actionThrows_releasesTheLock() {
    DomainLocks locks = new DomainLocks();
    try {
      locks.withLock("u1", () -> {
        throw new IllegalStateException("boom");
      });
    } catch (IllegalStateException expected) {
      // fine
    }
    assertThat(locks.heldByCurrentThread("u1")).isFalse();
  }
}

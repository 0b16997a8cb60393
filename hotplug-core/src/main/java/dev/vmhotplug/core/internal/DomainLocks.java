package dev.vmhotplug.core.internal;

import dev.vmhotplug.core.HotplugException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Serializes operations per domain: actions on the same domain (keyed by UUID) run one at a
 * time, in arrival order (fair locks); actions on different domains run in parallel. Locks are
 * reentrant, so an operation may run another one on the same domain (a desired-state apply that
 * sets vCPUs). One lock object per domain seen, kept for the life of the client.
 */
public final class DomainLocks {
  private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  /** An empty lock table (the same as the implicit constructor, written out for the Javadoc). */
  public DomainLocks() {}

  /**
   * Runs an action while holding the domain's lock.
   *
   * @param domainKey the domain's UUID
   * @param action what to run
   * @param <T> its result
   * @return the action's result
   * @throws HotplugException if interrupted while waiting for the lock (flag set again)
   */
  public <T> T withLock(String domainKey, Supplier<T> action) {
    ReentrantLock lock = locks.computeIfAbsent(domainKey, k -> new ReentrantLock(true));
    try {
      lock.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HotplugException("interrupted while waiting for another operation on domain "
          + domainKey + " to finish; nothing was changed by this one", e);
    }
    try {
      return action.get();
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@return whether the current thread holds the domain's lock}
   *
   * @param domainKey the domain's UUID
   */
  public boolean heldByCurrentThread(String domainKey) {
    ReentrantLock lock = locks.get(domainKey);
    return lock != null && lock.isHeldByCurrentThread();
  }
}

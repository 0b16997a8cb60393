package dev.vmhotplug.guest;

/** What a distribution release ships for one kind of hot-added device (CPU or memory). */
public enum Coverage {
  /** A shipped rule onlines it on a KVM guest. */
  COVERED,
  /** Nothing shipped onlines it. */
  NOT_COVERED,
  /** A shipped rule exists but applies only on other hypervisors (Hyper-V, Xen), not on KVM. */
  NOT_ON_KVM,
  /** Whether it is onlined depends on something the table cannot know (kernel policy, package update). */
  CONDITIONAL,
  /** The table has no knowledge of this release. */
  UNKNOWN;

  /** {@return whether a KVM guest needs our rule for this device kind, answering conservatively} */
  public boolean needsRule() {
    return this != COVERED;
  }
}

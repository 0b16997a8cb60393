package dev.vmhotplug.guest.truth;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What the hypervisor says the guest should have: the live vCPU count, the memory it gave, and
 * optionally the guest's {@code MemTotal} before a hot-add and the amount added (for a precise
 * memory check).
 *
 * <p>Immutable; build with {@link #builder()}.
 */
public final class GuestExpectation {

  private final OptionalInt vcpus;
  private final OptionalLong memoryKiB;
  private final OptionalLong baselineMemTotalKiB;
  private final OptionalLong addedKiB;

  private GuestExpectation(Builder b) {
    this.vcpus = b.vcpus;
    this.memoryKiB = b.memoryKiB;
    this.baselineMemTotalKiB = b.baselineMemTotalKiB;
    this.addedKiB = b.addedKiB;
  }

  /** {@return a builder with nothing expected} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return live vCPUs the hypervisor gives the guest} */
  public OptionalInt vcpus() {
    return vcpus;
  }

  /** {@return total memory the hypervisor gives the guest, in KiB (boot memory plus DIMMs)} */
  public OptionalLong memoryKiB() {
    return memoryKiB;
  }

  /** {@return the guest's {@code MemTotal} before the hot-add, in KiB} */
  public OptionalLong baselineMemTotalKiB() {
    return baselineMemTotalKiB;
  }

  /** {@return memory hot-added since the baseline, in KiB} */
  public OptionalLong addedKiB() {
    return addedKiB;
  }

  /** Builder for {@link GuestExpectation}. */
  public static final class Builder {
    private OptionalInt vcpus = OptionalInt.empty();
    private OptionalLong memoryKiB = OptionalLong.empty();
    private OptionalLong baselineMemTotalKiB = OptionalLong.empty();
    private OptionalLong addedKiB = OptionalLong.empty();

    private Builder() {}

    /**
     * Live vCPU count.
     *
     * @param n the live vCPU count, at least 1
     * @return this builder
     * @throws IllegalArgumentException when below 1
     */
    public Builder vcpus(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("vcpus " + n + " is below 1: a running guest has at least one vCPU");
      }
      this.vcpus = OptionalInt.of(n);
      return this;
    }

    /**
     * Total memory given to the guest, in KiB.
     *
     * @param kib the amount in KiB, at least 1
     * @return this builder
     * @throws IllegalArgumentException when below 1
     */
    public Builder memoryKiB(long kib) {
      if (kib < 1) {
        throw new IllegalArgumentException("memoryKiB " + kib + " is below 1 KiB");
      }
      this.memoryKiB = OptionalLong.of(kib);
      return this;
    }

    /**
     * The guest's {@code MemTotal} before the hot-add, in KiB; needs {@link #addedKiB(long)}.
     *
     * @param kib the amount in KiB, at least 1
     * @return this builder
     * @throws IllegalArgumentException when below 1
     */
    public Builder baselineMemTotalKiB(long kib) {
      if (kib < 1) {
        throw new IllegalArgumentException("baselineMemTotalKiB " + kib + " is below 1 KiB");
      }
      this.baselineMemTotalKiB = OptionalLong.of(kib);
      return this;
    }

    /**
     * Memory hot-added since the baseline, in KiB.
     *
     * @param kib the amount in KiB, at least 1
     * @return this builder
     * @throws IllegalArgumentException when below 1
     */
    public Builder addedKiB(long kib) {
      if (kib < 1) {
        throw new IllegalArgumentException("addedKiB " + kib + " is below 1 KiB");
      }
      this.addedKiB = OptionalLong.of(kib);
      return this;
    }

    /**
     * Builds the expectation.
     *
     * @return the expectation
     * @throws IllegalArgumentException when nothing is expected, or a baseline is given without the
     *     amount added
     */
    public GuestExpectation build() {
      if (vcpus.isEmpty() && memoryKiB.isEmpty() && addedKiB.isEmpty()) {
        throw new IllegalArgumentException("nothing is expected: give vcpus(n), memoryKiB(kib) or"
            + " addedKiB(kib) (with baselineMemTotalKiB)");
      }
      if (baselineMemTotalKiB.isPresent() && addedKiB.isEmpty()) {
        throw new IllegalArgumentException("baselineMemTotalKiB is given without addedKiB: say how"
            + " much memory was added since the baseline");
      }
      return new GuestExpectation(this);
    }
  }
}

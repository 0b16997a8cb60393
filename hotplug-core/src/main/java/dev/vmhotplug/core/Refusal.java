package dev.vmhotplug.core;

/**
 * Why a request was refused before any change was made (see {@link PreconditionException}).
 */
public enum Refusal {
  /** A live change was asked for a domain that is not running. */
  NOT_RUNNING,
  /** A config change was asked for a transient domain (no persistent definition). */
  NOT_PERSISTENT,
  /** A vCPU count below 1 was asked. */
  COUNT_BELOW_ONE,
  /** The count asked is above the maximum the domain was defined with. */
  ABOVE_MAXIMUM,
  /** The domain is not prepared for the hotplug asked (no maxMemory/slots, no NUMA cell…). */
  NOT_PREPARED,
  /** The new memory total would exceed maxMemory. */
  ABOVE_MAX_MEMORY,
  /** Every memory slot is in use. */
  NO_FREE_SLOT,
  /** The NUMA node asked does not exist in the domain. */
  NODE_OUT_OF_RANGE,
  /** The size is not a multiple of the guest's memory block size. */
  NOT_BLOCK_ALIGNED,
  /** A size was given without a unit. */
  NO_UNIT,
  /** Nothing matching the removal request is present. */
  NOTHING_TO_REMOVE,
  /** The hotplug-xml preparer refused the domain definition. */
  PREPARATION_REFUSED,
  /** The domain type or hypervisor cannot do what was asked. */
  NOT_SUPPORTED,
  /** The request itself is malformed (missing or contradictory values). */
  INVALID_REQUEST,
  /** A change was asked through a client opened read-only. */
  READ_ONLY,
  /** A plan was applied after the domain changed in what the plan read: plan again. */
  STALE_PLAN,
  /** Onlining through the QEMU guest agent was asked for a domain without the agent channel. */
  NO_GUEST_AGENT
}

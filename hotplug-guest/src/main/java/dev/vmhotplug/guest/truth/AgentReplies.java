package dev.vmhotplug.guest.truth;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the QEMU guest agent's replies to {@code guest-get-vcpus}, {@code guest-get-memory-blocks},
 * {@code guest-get-memory-block-info}, {@code guest-set-vcpus} and {@code guest-set-memory-blocks},
 * as defined in QEMU's {@code qga/qapi-schema.json}:
 * <pre>
 * GuestLogicalProcessor { logical-id: int, online: bool, *can-offline: bool }
 * GuestMemoryBlock      { phys-index: uint64, online: bool, *can-offline: bool }
 * </pre>
 * A reply is {@code {"return": [ ... ]}}; a bare array (what {@code virsh qemu-agent-command}
 * users often save after extracting {@code return}) is accepted too. An error reply
 * {@code {"error": {"class": ..., "desc": ...}}} becomes a {@link GuestDataException} with the
 * agent's description. Unknown members are ignored (newer agents may add some).
 */
public final class AgentReplies {

  private AgentReplies() {}

  /**
   * One vCPU as the guest agent reports it.
   *
   * @param logicalId the guest's CPU number (cpuN in sysfs)
   * @param online whether the guest has it online
   * @param canOffline whether the guest could offline it; empty when the agent did not say
   */
  public record AgentVcpu(int logicalId, boolean online, Optional<Boolean> canOffline) {}

  /**
   * One memory block as the guest agent reports it.
   *
   * @param physIndex the block number (memoryN in sysfs)
   * @param online whether the block is online
   * @param canOffline whether the guest could offline it; empty when the agent did not say
   */
  public record AgentMemoryBlock(long physIndex, boolean online, Optional<Boolean> canOffline) {}

  /**
   * Parses a {@code guest-get-vcpus} reply.
   *
   * @param json the reply text
   * @return the vCPUs in reply order
   * @throws GuestDataException when the text is not JSON, is an error reply, or does not follow the schema
   */
  public static List<AgentVcpu> parseVcpus(String json) {
    String what = "guest-get-vcpus reply";
    List<AgentVcpu> out = new ArrayList<>();
    for (Map<String, Object> m : entries(json, what)) {
      long id = integer(m, "logical-id", what, Integer.MAX_VALUE);
      out.add(new AgentVcpu((int) id, bool(m, "online", what), optionalBool(m, "can-offline", what)));
    }
    return List.copyOf(out);
  }

  /**
   * Parses a {@code guest-get-memory-blocks} reply.
   *
   * @param json the reply text
   * @return the memory blocks in reply order
   * @throws GuestDataException when the text is not JSON, is an error reply, or does not follow the schema
   */
  public static List<AgentMemoryBlock> parseMemoryBlocks(String json) {
    String what = "guest-get-memory-blocks reply";
    List<AgentMemoryBlock> out = new ArrayList<>();
    for (Map<String, Object> m : entries(json, what)) {
      long idx = integer(m, "phys-index", what, Long.MAX_VALUE);
      out.add(new AgentMemoryBlock(idx, bool(m, "online", what), optionalBool(m, "can-offline", what)));
    }
    return List.copyOf(out);
  }

  /**
   * Parses a {@code guest-get-memory-block-info} reply ({@code {"return": {"size": N}}}).
   *
   * @param json the reply text
   * @return the memory block size in bytes
   * @throws GuestDataException when the text is not JSON, is an error reply, or has no positive size
   */
  public static long parseMemoryBlockSize(String json) {
    String what = "guest-get-memory-block-info reply";
    Object v = unwrap(Json.parse(json, what), what);
    if (!(v instanceof Map)) {
      throw new GuestDataException(what + " is not an object with a size: " + describe(v));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) v;
    long size = integer(m, "size", what, Long.MAX_VALUE);
    if (size <= 0) {
      throw new GuestDataException(what + " gives the block size " + size + ": expected a positive size");
    }
    return size;
  }

  /**
   * One entry of a {@code guest-set-memory-blocks} reply:
   * {@code GuestMemoryBlockResponse { phys-index: uint64, response: GuestMemoryBlockResponseType, *error-code: int }}
   * with response {@code success}, {@code not-found}, {@code operation-not-supported} or
   * {@code operation-failed}.
   *
   * @param physIndex the block number
   * @param response the agent's verdict, as the agent spells it
   * @param errorCode the errno the agent saw, empty when it gave none
   */
  public record AgentMemoryBlockResponse(long physIndex, String response, Optional<Long> errorCode) {
    /** {@return true when the agent says {@code success}} */
    public boolean success() {
      return "success".equals(response);
    }
  }

  /**
   * Parses a {@code guest-set-vcpus} reply ({@code {"return": N}}: how many of the requested vCPUs
   * the agent processed; it stops at the first one it cannot change).
   *
   * @param json the reply text
   * @return the count processed
   * @throws GuestDataException when the text is not JSON, is an error reply, or is not a count
   */
  public static int parseSetVcpus(String json) {
    String what = "guest-set-vcpus reply";
    Object v = unwrap(Json.parse(json, what), what);
    if (!(v instanceof BigDecimal)) {
      throw new GuestDataException(what + " holds " + describe(v) + ": expected {\"return\": N}");
    }
    try {
      int n = ((BigDecimal) v).intValueExact();
      if (n < 0) {
        throw new ArithmeticException();
      }
      return n;
    } catch (ArithmeticException e) {
      throw new GuestDataException(what + " gives the count " + ((BigDecimal) v).toPlainString()
          + ": expected a whole number from 0", e);
    }
  }

  /**
   * Parses a {@code guest-set-memory-blocks} reply: one response per block asked, in request order.
   *
   * @param json the reply text
   * @return the responses
   * @throws GuestDataException when the text is not JSON, is an error reply, or does not follow the schema
   */
  public static List<AgentMemoryBlockResponse> parseSetMemoryBlocks(String json) {
    String what = "guest-set-memory-blocks reply";
    List<AgentMemoryBlockResponse> out = new ArrayList<>();
    for (Map<String, Object> m : entries(json, what)) {
      long idx = integer(m, "phys-index", what, Long.MAX_VALUE);
      Object r = m.get("response");
      if (!(r instanceof String)) {
        throw new GuestDataException(what + ": \"response\" is " + (r == null ? "missing" : describe(r))
            + ", expected a string such as \"success\"");
      }
      Optional<Long> code = Optional.empty();
      Object c = m.get("error-code");
      if (c != null) {
        if (!(c instanceof BigDecimal)) {
          throw new GuestDataException(what + ": \"error-code\" is " + describe(c) + ", expected an integer");
        }
        try {
          code = Optional.of(((BigDecimal) c).longValueExact());
        } catch (ArithmeticException e) {
          throw new GuestDataException(what + ": \"error-code\" is " + ((BigDecimal) c).toPlainString()
              + ", expected an integer", e);
        }
      }
      out.add(new AgentMemoryBlockResponse(idx, (String) r, code));
    }
    return List.copyOf(out);
  }

  private static Object unwrap(Object v, String what) {
    if (v instanceof Map) {
      Map<?, ?> m = (Map<?, ?>) v;
      if (m.containsKey("error")) {
        Object err = m.get("error");
        String desc = err instanceof Map ? String.valueOf(((Map<?, ?>) err).get("desc")) : String.valueOf(err);
        String cls = err instanceof Map ? String.valueOf(((Map<?, ?>) err).get("class")) : "?";
        throw new GuestDataException(what + " is an error from the guest agent (" + cls + "): " + desc);
      }
      if (m.containsKey("return")) {
        return m.get("return");
      }
    }
    return v;
  }

  private static List<Map<String, Object>> entries(String json, String what) {
    Object v = unwrap(Json.parse(json, what), what);
    if (!(v instanceof List)) {
      throw new GuestDataException(what + " holds " + describe(v)
          + ": expected {\"return\": [ ... ]} or a JSON array");
    }
    List<Map<String, Object>> out = new ArrayList<>();
    int i = 0;
    for (Object e : (List<?>) v) {
      if (!(e instanceof Map)) {
        throw new GuestDataException(what + " entry " + i + " is " + describe(e) + ": expected an object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) e;
      out.add(m);
      i++;
    }
    return out;
  }

  private static long integer(Map<String, Object> m, String key, String what, long max) {
    Object v = m.get(key);
    if (v == null) {
      throw new GuestDataException(what + ": an entry has no \"" + key + "\" (members: " + m.keySet() + ")");
    }
    if (!(v instanceof BigDecimal)) {
      throw new GuestDataException(what + ": \"" + key + "\" is " + describe(v) + ", expected an integer");
    }
    BigDecimal d = (BigDecimal) v;
    try {
      long l = d.longValueExact();
      if (l < 0 || l > max) {
        throw new ArithmeticException();
      }
      return l;
    } catch (ArithmeticException e) {
      throw new GuestDataException(what + ": \"" + key + "\" is " + d.toPlainString()
          + ", expected an integer from 0 to " + max, e);
    }
  }

  private static boolean bool(Map<String, Object> m, String key, String what) {
    Object v = m.get(key);
    if (!(v instanceof Boolean)) {
      throw new GuestDataException(what + ": \"" + key + "\" is " + (v == null ? "missing" : describe(v))
          + ", expected true or false");
    }
    return (Boolean) v;
  }

  private static Optional<Boolean> optionalBool(Map<String, Object> m, String key, String what) {
    if (!m.containsKey(key)) {
      return Optional.empty();
    }
    return Optional.of(bool(m, key, what));
  }

  private static String describe(Object v) {
    if (v instanceof Map) {
      return "an object";
    }
    if (v instanceof List) {
      return "an array";
    }
    if (v instanceof String) {
      return "the string \"" + CpuList.shorten((String) v) + "\"";
    }
    return String.valueOf(v);
  }
}

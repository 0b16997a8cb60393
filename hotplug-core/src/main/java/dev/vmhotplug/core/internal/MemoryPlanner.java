package dev.vmhotplug.core.internal;

import dev.vmhotplug.core.MemoryPlan;
import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.Refusal;
import dev.vmhotplug.core.Scope;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MaxMemory;
import dev.vmhotplug.xml.MemoryAmount;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.NumaCell;
import dev.vmhotplug.xml.internal.SafeText;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Pure planning of memory hot-add and hot-remove: parsed domain XML + request → {@link MemoryPlan}
 * or a {@link PreconditionException} that says what was found, why it blocks and what to do. No
 * libvirt in here.
 */
public final class MemoryPlanner {

  /** The default guest memory block size on x86_64 ({@code /sys/devices/system/memory/block_size_bytes}). */
  public static final MemorySize DEFAULT_BLOCK = MemorySize.ofMiB(128);

  /** Most DIMMs one request may be split into (QEMU/libvirt allow at most 256 slots). */
  static final int MAX_DIMMS_PER_REQUEST = 256;

  private MemoryPlanner() {}

  /**
   * A hot-add request.
   *
   * @param size the total to add
   * @param node the guest NUMA node; empty = node 0
   * @param chunk split into DIMMs of this size; empty = one DIMM (unless firstDimm)
   * @param firstDimm oVirt-style: a first DIMM of this size, the rest as chunk(s)
   * @param blockSize the guest memory block size every DIMM must be a multiple of
   * @param scope where the change goes
   */
  public record AddRequest(
      MemorySize size,
      OptionalInt node,
      Optional<MemorySize> chunk,
      Optional<MemorySize> firstDimm,
      MemorySize blockSize,
      Scope scope) {
    /**
     * Validates that no component is null.
     *
     * @param size the total to add
     * @param node the guest NUMA node; empty = node 0
     * @param chunk split into DIMMs of this size; empty = one DIMM (unless firstDimm)
     * @param firstDimm oVirt-style: a first DIMM of this size, the rest as chunk(s)
     * @param blockSize the guest memory block size every DIMM must be a multiple of
     * @param scope where the change goes
     */
    public AddRequest {
      Objects.requireNonNull(size, "size");
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(chunk, "chunk");
      Objects.requireNonNull(firstDimm, "firstDimm");
      Objects.requireNonNull(blockSize, "blockSize");
      Objects.requireNonNull(scope, "scope");
    }
  }

  /**
   * A hot-remove request.
   *
   * @param size the total to remove (a sum of whole DIMMs)
   * @param node only DIMMs on this node; empty = any node
   * @param scope where the change goes
   */
  public record RemoveRequest(MemorySize size, OptionalInt node, Scope scope) {
    /**
     * Validates that no component is null.
     *
     * @param size the total to remove (a sum of whole DIMMs)
     * @param node only DIMMs on this node; empty = any node
     * @param scope where the change goes
     */
    public RemoveRequest {
      Objects.requireNonNull(size, "size");
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(scope, "scope");
    }
  }

  static boolean hasLive(Scope scope) {
    return scope.includesLive();
  }

  static boolean hasConfig(Scope scope) {
    return scope.includesConfig();
  }

  /**
   * Plans a hot-add.
   *
   * @param request what to add
   * @param live the parsed live XML; required when the scope includes live
   * @param config the parsed inactive XML; required when the scope includes config
   * @return the plan (at least one DIMM)
   * @throws PreconditionException when the request cannot succeed (not prepared, above maxMemory,
   *     no free slot, node out of range, size not block-aligned, invalid request)
   */
  public static MemoryPlan planAdd(AddRequest request, Optional<DomainXml> live, Optional<DomainXml> config) {
    List<Copy> copies = copies(request.scope(), live, config);
    String name = copies.get(0).xml.name();
    MemorySize size = request.size();
    MemorySize block = request.blockSize();
    if (block.bytes() <= 0) {
      throw refuse(Refusal.INVALID_REQUEST,
          "memory block size must be positive, got " + block + "; use 128 MiB on x86_64 (the default)");
    }
    if (size.bytes() <= 0) {
      throw refuse(Refusal.INVALID_REQUEST,
          "cannot add " + size + " to domain " + SafeText.quote(name) + ": the size must be positive, e.g. "
              + "memory().add(MemorySize.ofGiB(1))");
    }
    int node = request.node().orElse(0);
    if (node < 0) {
      throw refuse(Refusal.NODE_OUT_OF_RANGE,
          "NUMA node " + node + " is negative; use a cell id of the domain, e.g. node(0)");
    }
    for (Copy c : copies) {
      checkPrepared(c, name);
    }
    for (Copy c : copies) {
      checkNode(c, name, node);
    }
    // the maximum before the split: a size too large to fit is refused as that, whatever its alignment
    for (Copy c : copies) {
      checkMaximum(c, name, size);
    }
    List<MemorySize> sizes = split(name, size, request.chunk(), request.firstDimm(), block);
    for (Copy c : copies) {
      checkSlots(c, name, sizes.size());
    }

    List<MemoryPlan.Step> steps = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (sizes.size() == 1) {
      notes.add("one DIMM of " + size + " on node " + node + " (no split asked)");
    } else {
      notes.add("split into " + sizes.size() + " DIMMs as asked ("
          + request.firstDimm().map(f -> "first DIMM " + f + ", ").orElse("")
          + request.chunk().map(ch -> "chunks of " + ch).orElse("the rest in one DIMM") + ")");
    }
    for (int i = 0; i < sizes.size(); i++) {
      MemorySize s = sizes.get(i);
      String reason;
      if (sizes.size() == 1) {
        reason = "the whole request";
      } else if (i == 0 && request.firstDimm().isPresent()) {
        reason = "small first DIMM as asked";
      } else {
        reason = "part " + (i + 1) + " of " + sizes.size();
      }
      steps.add(new MemoryPlan.Step(MemoryPlan.Action.ATTACH, MemoryDevice.dimm(s, node), OptionalInt.empty(), reason));
    }
    return new MemoryPlan(name, MemoryPlan.Operation.ADD, request.scope(), size, steps,
        memoryOf(copies, true), memoryOf(copies, false), notes);
  }

  /**
   * Plans a hot-remove: chooses hot-plugged {@code dimm} devices whose sizes add up exactly to the
   * request. Order of preference: one DIMM of exactly the size, else the fewest DIMMs that sum to it
   * (newest sizes first). With both scopes, only DIMMs present in the live and the persistent
   * definition (same size and node) are candidates.
   *
   * <p>The detach XML is the minimal form (model, size, node), so libvirt removes the <em>first</em>
   * DIMM of that size and node in the definition (observed with libvirt 9.0 + QEMU 7.2); the plan
   * reports that DIMM's slot, not a preferred one. DIMMs of equal size and node are interchangeable
   * for the host.
   *
   * @param request what to remove
   * @param live the parsed live XML; required when the scope includes live
   * @param config the parsed inactive XML; required when the scope includes config
   * @return the plan
   * @throws PreconditionException NOTHING_TO_REMOVE when no set of DIMMs matches, NOT_BLOCK_ALIGNED /
   *     INVALID_REQUEST for a bad size
   */
  public static MemoryPlan planRemove(RemoveRequest request, Optional<DomainXml> live, Optional<DomainXml> config) {
    List<Copy> copies = copies(request.scope(), live, config);
    String name = copies.get(0).xml.name();
    MemorySize size = request.size();
    if (size.bytes() <= 0) {
      throw refuse(Refusal.INVALID_REQUEST,
          "cannot remove " + size + " from domain " + SafeText.quote(name) + ": the size must be positive, e.g. "
              + "memory().remove(MemorySize.ofGiB(1))");
    }
    // candidates: DIMMs of the first copy that also exist (same model/size/node) in every other copy
    List<Candidate> candidates = new ArrayList<>();
    List<MemoryDevice> first = copies.get(0).xml.memoryDevices();
    List<List<MemoryDevice>> others = new ArrayList<>();
    for (int i = 1; i < copies.size(); i++) {
      others.add(new ArrayList<>(copies.get(i).xml.memoryDevices()));
    }
    int skippedOtherModels = 0;
    int skippedMissingElsewhere = 0;
    int skippedNode = 0;
    for (MemoryDevice d : first) {
      if (!"dimm".equals(d.model()) || d.targetSize().isEmpty() || d.targetNode().isEmpty()) {
        skippedOtherModels++;
        continue;
      }
      if (request.node().isPresent() && d.targetNode().getAsInt() != request.node().getAsInt()) {
        skippedNode++;
        continue;
      }
      boolean everywhere = true;
      for (List<MemoryDevice> other : others) {
        int idx = indexOfSame(other, d);
        if (idx < 0) {
          everywhere = false;
        } else {
          other.remove(idx);
        }
      }
      if (!everywhere) {
        skippedMissingElsewhere++;
        continue;
      }
      candidates.add(new Candidate(d.targetSize().get(), d.targetNode().getAsInt(), d.slot(), candidates.size()));
    }
    // newest first: highest slot, then later in the document
    candidates.sort(Comparator.comparingInt((Candidate c) -> c.slot.orElse(-1))
        .thenComparingInt(c -> c.order).reversed());

    List<Candidate> chosen = null;
    String why = null;
    for (Candidate c : candidates) {
      if (c.size.equals(size)) {
        chosen = List.of(c);
        why = "exact size match";
        break;
      }
    }
    if (chosen == null) {
      chosen = fewestSumming(candidates, size);
      why = "part of the fewest DIMMs that add up to " + size;
    }
    if (chosen == null) {
      StringBuilder found = new StringBuilder();
      for (Candidate c : candidates) {
        found.append(found.length() == 0 ? "" : ", ").append(c.size).append(" on node ").append(c.node)
            .append(c.slot.isPresent() ? " (slot " + c.slot.getAsInt() + ")" : "");
      }
      StringBuilder msg = new StringBuilder("cannot remove " + size + " from domain " + SafeText.quote(name) + " (scope "
          + request.scope() + "): no set of hot-plugged DIMMs adds up to exactly " + size + "; ");
      msg.append(candidates.isEmpty() ? "there are no removable DIMMs" : "removable DIMMs: " + found);
      if (skippedMissingElsewhere > 0) {
        msg.append("; ").append(skippedMissingElsewhere)
            .append(" DIMM(s) exist only in the live or only in the persistent definition (see drift())");
      }
      if (skippedNode > 0) {
        msg.append("; ").append(skippedNode).append(" DIMM(s) are on other nodes");
      }
      if (skippedOtherModels > 0) {
        msg.append("; ").append(skippedOtherModels).append(" other memory device(s) (not model 'dimm') are not removed");
      }
      msg.append(". Ask for a size that is a sum of whole DIMMs");
      if (!candidates.isEmpty()) {
        msg.append(", e.g. remove(").append(candidates.get(0).size).append(')');
      }
      msg.append(" (memory that was not hot-plugged as a DIMM cannot be unplugged; a balloon can shrink it: virsh setmem)");
      throw refuse(Refusal.NOTHING_TO_REMOVE, msg.toString());
    }
    List<MemoryPlan.Step> steps = new ArrayList<>();
    List<MemoryDevice> pool = new ArrayList<>(first);
    for (Candidate c : chosen) {
      MemoryDevice spec = MemoryDevice.dimm(c.size, c.node);
      int idx = indexOfSame(pool, spec);
      OptionalInt slot = idx >= 0 ? pool.get(idx).slot() : c.slot;
      if (idx >= 0) {
        pool.remove(idx);
      }
      String reason = why + "; libvirt detaches the first DIMM of " + c.size + " on node " + c.node
          + (slot.isPresent() ? " (slot " + slot.getAsInt() + ")" : "");
      steps.add(new MemoryPlan.Step(MemoryPlan.Action.DETACH, spec, slot, reason));
    }
    List<String> notes = new ArrayList<>();
    notes.add(candidates.size() + " removable DIMM(s) in scope " + request.scope() + "; chose " + chosen.size()
        + " (" + why + ")");
    notes.add("detach uses the minimal DIMM XML (model, size, node): it matches in the live and the persistent definition");
    notes.add("the guest must release the memory: DIMMs onlined as 'online' (ZONE_NORMAL) are refused; "
        + "use the online_movable udev rule or memhp_default_state=online_movable");
    return new MemoryPlan(name, MemoryPlan.Operation.REMOVE, request.scope(), size, steps,
        memoryOf(copies, true), memoryOf(copies, false), notes);
  }

  // ---------------------------------------------------------------- internals

  private record Copy(boolean live, DomainXml xml) {
    String label() {
      return live ? "live" : "persistent (config)";
    }
  }

  private record Candidate(MemorySize size, int node, OptionalInt slot, int order) {}

  private static List<Copy> copies(Scope scope, Optional<DomainXml> live, Optional<DomainXml> config) {
    Objects.requireNonNull(scope, "scope");
    List<Copy> copies = new ArrayList<>(2);
    if (hasLive(scope)) {
      copies.add(new Copy(true, live.orElseThrow(() -> new IllegalArgumentException("scope " + scope + " needs the live XML"))));
    }
    if (hasConfig(scope)) {
      copies.add(new Copy(false, config.orElseThrow(() -> new IllegalArgumentException("scope " + scope + " needs the inactive XML"))));
    }
    return copies;
  }

  private static Optional<MemorySize> memoryOf(List<Copy> copies, boolean live) {
    for (Copy c : copies) {
      if (c.live == live) {
        return Optional.of(totalMemory(c.xml));
      }
    }
    return Optional.empty();
  }

  /**
   * {@return the {@code <memory>} total (initial memory incl. all memory devices), or the NUMA + devices sum}
   *
   * @param xml the domain definition
   */
  public static MemorySize totalMemory(DomainXml xml) {
    Optional<MemoryAmount> m = xml.memory();
    if (m.isPresent()) {
      return m.get().size();
    }
    MemorySize sum = MemorySize.ofBytes(0);
    for (NumaCell cell : xml.numaCells()) {
      sum = sum.plus(cell.memory());
    }
    for (MemoryDevice d : xml.memoryDevices()) {
      if (d.targetSize().isPresent()) {
        sum = sum.plus(d.targetSize().get());
      }
    }
    return sum;
  }

  /**
   * {@return slots taken by memory devices: every {@code <memory>} device counts, virtio-mem and
   * virtio-pmem included (libvirt 9.0 refuses a definition with more memory devices than slots:
   * "memory device count '2' exceeds slots count '1'", one virtio-mem device and one DIMM)}
   *
   * @param xml the domain definition
   */
  public static int slotsUsed(DomainXml xml) {
    return xml.memoryDevices().size();
  }

  /**
   * {@return whether the definition has {@code <maxMemory slots>} with at least one slot and a NUMA cell}
   *
   * @param xml the domain definition
   */
  public static boolean isPrepared(DomainXml xml) {
    Optional<MaxMemory> max = xml.maxMemory();
    return max.isPresent() && max.get().slots().isPresent() && max.get().slots().getAsInt() > 0
        && !xml.numaCells().isEmpty();
  }

  private static void checkPrepared(Copy c, String name) {
    Optional<MaxMemory> max = c.xml.maxMemory();
    boolean hasSlots = max.isPresent() && max.get().slots().isPresent() && max.get().slots().getAsInt() > 0;
    boolean hasCell = !c.xml.numaCells().isEmpty();
    if (hasSlots && hasCell) {
      return;
    }
    List<String> missing = new ArrayList<>();
    if (max.isEmpty()) {
      missing.add("no <maxMemory>");
    } else if (!hasSlots) {
      missing.add("<maxMemory> without slots");
    }
    if (!hasCell) {
      missing.add("no NUMA cell under <cpu><numa>");
    }
    MemorySize current = totalMemory(c.xml);
    String cellXml = "<cpu><numa><cell id='0' cpus='0-N' memory='" + current.toKiB() + "' unit='KiB'/></numa></cpu>";
    String how = "Prepare it: domain.prepare(HotplugLimits.builder().maxVcpus(N).maxMemory(MemorySize.ofGiB(16)).slots(16).build())"
        + " or `hotplug prepare-domain " + ScopeCheck.shell(name) + " --max-vcpus N --max-memory 16GiB --slots 16`; it adds e.g. "
        + "<maxMemory slots='16' unit='KiB'>16777216</maxMemory> and " + cellXml
        + " (cell memory = current memory) to the persistent definition, effective after the next cold boot (shutdown + start)";
    throw refuse(Refusal.NOT_PREPARED,
        "domain " + SafeText.quote(name) + " is not prepared for memory hotplug in its " + c.label() + " definition: "
            + String.join(" and ", missing) + ". " + how);
  }

  private static void checkNode(Copy c, String name, int node) {
    List<NumaCell> cells = c.xml.numaCells();
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < cells.size(); i++) {
      ids.add(cells.get(i).id().orElse(i));
    }
    if (!ids.contains(node)) {
      throw refuse(Refusal.NODE_OUT_OF_RANGE,
          "NUMA node " + node + " does not exist in the " + c.label() + " definition of domain " + SafeText.quote(name)
              + " (cells: " + ids + "); use node(" + ids.get(0) + ")"
              + (ids.size() > 1 ? " or another listed cell id" : "")
              + ", or add a <cell id='" + node + "' …/> under <cpu><numa> in the persistent definition (cold boot needed)");
    }
  }

  private static void checkMaximum(Copy c, String name, MemorySize add) {
    MaxMemory max = c.xml.maxMemory().orElseThrow();
    MemorySize current = totalMemory(c.xml);
    MemorySize room = max.size().compareTo(current) > 0 ? max.size().minus(current) : MemorySize.ofBytes(0);
    if (add.compareTo(room) > 0) {
      // current + add may not even be representable (sizes are at most 2^63-1 bytes): say "too large"
      String wanted = add.bytes() > Long.MAX_VALUE - current.bytes()
          ? "more than " + MemorySize.ofBytes(Long.MAX_VALUE) + " (too large)" : current.plus(add).toString();
      throw refuse(Refusal.ABOVE_MAX_MEMORY,
          "cannot add " + add + " to domain " + SafeText.quote(name) + ": too large, the " + c.label() + " memory would be "
              + wanted + ", above <maxMemory> " + max.size() + " (now " + current + ", room for " + room
              + "). Add at most " + room + ", or raise the maximum in the persistent definition: "
              + "domain.prepare(HotplugLimits…maxMemory(…)) / `hotplug prepare-domain " + ScopeCheck.shell(name)
              + " --max-memory SIZE`, effective after the next cold boot");
    }
  }

  private static void checkSlots(Copy c, String name, int needed) {
    MaxMemory max = c.xml.maxMemory().orElseThrow();
    int slots = max.slots().getAsInt();
    int used = slotsUsed(c.xml);
    int free = Math.max(0, slots - used);
    if (needed > free) {
      throw refuse(Refusal.NO_FREE_SLOT,
          "no free memory slot for " + needed + (needed == 1 ? " DIMM" : " DIMMs") + " in the " + c.label()
              + " definition of domain " + SafeText.quote(name) + ": " + used + " of " + slots + " slots are used by memory devices ("
              + free + " free). Add the memory in fewer, larger DIMMs"
              + (needed > 1 ? " (drop or enlarge the split)" : "")
              + ", remove a DIMM first (memory().remove(…)), or raise slots in the persistent definition "
              + "(<maxMemory slots='…'>, `hotplug prepare-domain " + ScopeCheck.shell(name) + " --slots N`; cold boot needed)");
    }
  }

  private static List<MemorySize> split(
      String name, MemorySize size, Optional<MemorySize> chunk, Optional<MemorySize> first, MemorySize block) {
    List<MemorySize> sizes = new ArrayList<>();
    MemorySize rest = size;
    if (first.isPresent()) {
      MemorySize f = first.get();
      checkAligned(name, f, block, "first DIMM");
      if (f.compareTo(size) >= 0) {
        throw refuse(Refusal.INVALID_REQUEST,
            "the first DIMM (" + f + ") must be smaller than the request (" + size + "); drop firstDimm(…) "
                + "to add one DIMM, or ask for more");
      }
      sizes.add(f);
      rest = size.minus(f);
    }
    if (chunk.isPresent()) {
      MemorySize ch = chunk.get();
      checkAligned(name, ch, block, "split chunk");
      if (!rest.isMultipleOf(ch)) {
        throw refuse(Refusal.INVALID_REQUEST,
            "cannot split " + rest + " into DIMMs of " + ch + ": not a whole multiple; choose a chunk that divides "
                + rest + " (e.g. " + block + ") or a request that is a multiple of " + ch);
      }
      long n = BigInteger.valueOf(rest.bytes()).divide(BigInteger.valueOf(ch.bytes())).longValueExact();
      if (n + sizes.size() > MAX_DIMMS_PER_REQUEST) {
        throw refuse(Refusal.INVALID_REQUEST,
            "splitting " + rest + " into DIMMs of " + ch + " gives " + n + " DIMMs, more than the "
                + MAX_DIMMS_PER_REQUEST + " slots a domain can have; use a larger chunk");
      }
      for (long i = 0; i < n; i++) {
        sizes.add(ch);
      }
    } else {
      checkAligned(name, rest, block, first.isPresent() ? "rest after the first DIMM" : "size");
      sizes.add(rest);
    }
    return sizes;
  }

  private static void checkAligned(String name, MemorySize s, MemorySize block, String what) {
    if (s.bytes() <= 0) {
      throw refuse(Refusal.INVALID_REQUEST, "the " + what + " must be positive, got " + s);
    }
    if (!s.isMultipleOf(block)) {
      long b = block.bytes();
      long down = s.bytes() / b * b;
      boolean upFits = down <= Long.MAX_VALUE - b;
      String suggestion = (down > 0 ? MemorySize.ofBytes(down) + (upFits ? " or " : "") : "")
          + (upFits ? MemorySize.ofBytes(down + b).toString() : "");
      throw refuse(Refusal.NOT_BLOCK_ALIGNED,
          "the " + what + " " + s + " for domain " + SafeText.quote(name) + " is not a multiple of the guest memory block ("
              + block + "): the guest could only online whole blocks. Use " + suggestion
              + " (or set another block size with blockSize(…) / HotplugClient.builder().memoryBlockSize(…) "
              + "if the guest's /sys/devices/system/memory/block_size_bytes differs)");
    }
  }

  private static int indexOfSame(List<MemoryDevice> list, MemoryDevice d) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).sameDevice(d)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The fewest candidates (in the given newest-first order) whose sizes sum to exactly target, or
   * null. Depth-first search by increasing count; candidates are at most a few hundred (slots).
   */
  private static List<Candidate> fewestSumming(List<Candidate> candidates, MemorySize target) {
    int n = candidates.size();
    long[] sizes = new long[n];
    for (int i = 0; i < n; i++) {
      sizes[i] = candidates.get(i).size.bytes();
    }
    // suffix sums for pruning
    long[] suffix = new long[n + 1];
    for (int i = n - 1; i >= 0; i--) {
      suffix[i] = suffix[i + 1] + sizes[i];
    }
    if (suffix[0] < target.bytes()) {
      return null;
    }
    int[] budget = {200_000};
    for (int k = 2; k <= n; k++) {
      int[] pick = new int[k];
      if (search(sizes, suffix, target.bytes(), 0, 0, k, pick, budget)) {
        List<Candidate> out = new ArrayList<>();
        for (int i : pick) {
          out.add(candidates.get(i));
        }
        return out;
      }
      if (budget[0] <= 0) {
        return null;
      }
    }
    return null;
  }

  private static boolean search(long[] sizes, long[] suffix, long remaining, int from, int depth, int k, int[] pick, int[] budget) {
    if (depth == k) {
      return remaining == 0;
    }
    if (--budget[0] <= 0) {
      return false;
    }
    for (int i = from; i <= sizes.length - (k - depth); i++) {
      if (sizes[i] > remaining || suffix[i] < remaining) {
        if (suffix[i] < remaining) {
          return false;
        }
        continue;
      }
      pick[depth] = i;
      if (search(sizes, suffix, remaining - sizes[i], i + 1, depth + 1, k, pick, budget)) {
        return true;
      }
    }
    return false;
  }

  static PreconditionException refuse(Refusal refusal, String message) {
    return new PreconditionException(refusal, message);
  }
}

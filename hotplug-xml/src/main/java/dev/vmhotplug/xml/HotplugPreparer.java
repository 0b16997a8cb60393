package dev.vmhotplug.xml;

import dev.vmhotplug.xml.PreparationRefusedException.Refusal;
import dev.vmhotplug.xml.internal.SafeText;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * Prepares a domain definition for CPU and memory hotplug: the guide's two "domain XML change"
 * steps, as a pure transform.
 *
 * <p>{@link #prepare(DomainXml, HotplugLimits)} never changes its input; it works on a copy and
 * returns it in a {@link PreparedDomain}. Everything it does not target stays as it was. The result
 * has:
 * <ul>
 *   <li>{@code <vcpu placement='static' current='N'>MAX</vcpu>}: N is the number of vCPUs the
 *       domain has now (the {@code current} attribute, else the element's value, or, when
 *       {@code <vcpus>} lists individual vCPUs, the number of enabled ones, which libvirt takes as
 *       master); MAX is {@link HotplugLimits#maxVcpus()}. A domain without {@code <vcpu>} has one
 *       vCPU, as in libvirt. An existing {@code placement='auto'} and {@code cpuset} are kept;
 *       {@code <vcpus>} is not touched (vCPUs it does not list are offline and hotpluggable in
 *       libvirt, which is what the new ones must be).</li>
 *   <li>{@code <maxMemory slots='S' unit='KiB'>MAX</maxMemory>} from the limits.</li>
 *   <li>NUMA: libvirt's QEMU driver requires at least one guest NUMA cell for memory hotplug on
 *       x86. A domain without cells gets {@code <cell id='0' cpus='0-(MAX-1)' memory='M' unit='KiB'/>}
 *       where M is the boot memory: {@code <memory>} minus the memory devices already present,
 *       because libvirt's rule is {@code <memory>} = sum of the cells + memory devices (at start the
 *       QEMU driver recomputes {@code <memory>} this way). Existing cells are kept with their
 *       memory, attributes and children; the new vCPU ids (old maximum .. new maximum - 1) are all
 *       added to the cell that holds the highest existing vCPU id. That keeps each cell a single
 *       range when it was one ("4-7" becomes "4-31"), which matches the usual layout of one socket
 *       range per cell, and never moves an existing vCPU to another node. (libvirt's own fallback
 *       for vCPUs no cell lists is to put them into cell 0, which it logs as deprecated.) When the
 *       maximum is lowered, ids at or above it are removed from the cells.</li>
 *   <li>{@code <memory>} equal to the sum of the cells plus the memory devices;
 *       {@code <currentMemory>} (the balloon target) is kept when it is below that, as libvirt does:
 *       a balloon below {@code <memory>} is a runtime setting of the running guest, not its boot
 *       memory, so the cell takes {@code <memory>} minus devices, not {@code <currentMemory>}. A
 *       {@code <currentMemory>} above {@code <memory>} is lowered to it (libvirt clamps it the same
 *       way).</li>
 * </ul>
 * An element whose value already equals the target is not rewritten (its unit stays as written),
 * so preparing a prepared domain again with the same limits gives byte-identical XML and no change.
 *
 * <p>Refusals ({@link PreparationRefusedException}, thrown before anything is produced): a domain
 * type other than {@code kvm} or {@code qemu}; a maximum below the vCPUs the domain has; a
 * {@code <cpu><topology>} whose product is not the new maximum (the message offers a topology that
 * fits); NUMA cells whose cpus overlap, leave vCPUs out or lie above the maximum, a cell that would
 * lose all its vCPUs, a memory device on a node that has no cell; sizes in the domain that are not
 * whole KiB; a maximum memory below {@code <memory>} (cells + devices); fewer slots than memory
 * devices; a domain libvirt itself would reject in these respects (no memory size, devices larger
 * than {@code <memory>}, current vCPUs above the maximum).
 *
 * <p>Not checked here: the machine type's vCPU limit (for example more than 255 vCPUs on x86 needs a
 * q35 machine and an IOMMU with extended interrupt mode), and memory alignment, which libvirt's QEMU
 * driver applies itself at start (cells and {@code <maxMemory>} rounded up to 1 MiB, DIMMs to 2 MiB).
 *
 * <p>The changes take effect at the next cold boot of the domain (define the XML, then shut the
 * domain down and start it; a reboot from inside the guest keeps the old definition).
 */
public final class HotplugPreparer {

    private static final List<String> HOTPLUG_TYPES = List.of("kvm", "qemu");

    /** libvirt's test driver ({@code test:///default}): prepared so that tests run against real libvirt. */
    static final String TEST_TYPE = "test";

    /** What {@link PreparedDomain#notes()} says for a {@code type='test'} domain. */
    static final String TEST_DRIVER_NOTE = "<domain type='test'> is libvirt's test driver: it keeps the prepared"
            + " definition and changes the vCPU count of a running domain, but it hot-plugs no memory (it cannot"
            + " attach memory devices nor resize virtio-mem); use a kvm or qemu domain for memory hotplug";

    private HotplugPreparer() {
    }

    /**
     * Prepares a copy of {@code domain} for hotplug up to {@code limits}.
     *
     * @param domain the domain definition; not changed
     * @param limits the maximum vCPUs, maximum memory and slots to prepare for
     * @return the prepared copy, its XML and the list of changes
     * @throws PreparationRefusedException when the domain cannot be prepared sensibly for these
     *     limits; {@link PreparationRefusedException#refusal()} says which rule refused
     * @throws NullPointerException if an argument is null
     */
    public static PreparedDomain prepare(DomainXml domain, HotplugLimits limits) {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(limits, "limits");
        PreparationPlan plan = PreparationPlan.of(domain, limits);
        DomainXml out = domain.copy();
        List<String> changes = plan.applyTo(out);
        return new PreparedDomain(out, out.toXml(), changes, plan.notes);
    }

    /** Everything decided before the copy is touched: refusals all happen while building this. */
    private static final class PreparationPlan {
        private final HotplugLimits limits;
        private Optional<Vcpu> oldVcpu;
        private Vcpu newVcpu;
        private Optional<MaxMemory> oldMaxMemory;
        private Optional<MemoryAmount> oldMemory;
        private MemorySize newMemory;
        private Optional<MemoryAmount> oldCurrentMemory;
        private List<NumaCell> oldCells;
        private List<NumaCell> newCells;
        private MemorySize deviceMemory;
        private int deviceCount;
        private Optional<CpuTopology> oldTopology = Optional.empty();
        private CpuTopology newTopology;
        private final List<MemoryDevice> newDevices = new ArrayList<>();
        private MemorySize newCurrentMemory;
        private final List<String> notes = new ArrayList<>();

        private PreparationPlan(HotplugLimits limits) {
            this.limits = limits;
        }

        static PreparationPlan of(DomainXml d, HotplugLimits limits) {
            PreparationPlan p = new PreparationPlan(limits);
            p.checkType(d);
            p.planVcpus(d);
            p.planMemory(d);
            if (limits.virtioMem()) {
                p.planVirtioMem(d);
            }
            return p;
        }

        private void checkType(DomainXml d) {
            String type = read(d::type); // a missing type attribute is refused as INVALID_DOMAIN by read
            if (type.equals(TEST_TYPE)) {
                notes.add(TEST_DRIVER_NOTE);
                return;
            }
            if (!HOTPLUG_TYPES.contains(type)) {
                throw new PreparationRefusedException(Refusal.DOMAIN_TYPE_CANNOT_HOTPLUG,
                        "the domain type is " + SafeText.quote(type)
                                + "; only <domain type='kvm'> and <domain type='qemu'> (libvirt's QEMU driver)"
                                + " can hot-add vCPUs and memory (and <domain type='test'>, libvirt's test driver, is"
                                + " prepared for tests): prepare a kvm or qemu domain");
            }
        }

        // ---------------------------------------------------------------- vCPUs

        private void planVcpus(DomainXml d) {
            oldVcpu = read(d::vcpu);
            List<VcpuEntry> entries = read(d::vcpus);
            int oldMax = oldVcpu.map(Vcpu::maximum).orElse(1);
            int current;
            String currentSource;
            if (!entries.isEmpty()) {
                current = (int) entries.stream().filter(VcpuEntry::enabled).count();
                currentSource = current + " enabled in <vcpus>";
                if (current == 0) {
                    throw new PreparationRefusedException(Refusal.INVALID_DOMAIN,
                            "<vcpus> enables no vCPU; libvirt needs at least one: set enabled='yes' on <vcpu id='0'>");
                }
            } else {
                current = oldVcpu.map(Vcpu::effectiveCurrent).orElse(1);
                currentSource = oldVcpu.isEmpty() ? "no <vcpu> element: libvirt's default of 1"
                        : oldVcpu.get().current().isPresent() ? "<vcpu current='" + current + "'>"
                        : "<vcpu>" + oldMax + "</vcpu>";
            }
            if (current > oldMax) {
                throw new PreparationRefusedException(Refusal.INVALID_DOMAIN,
                        "the domain has " + current + " vCPUs present (" + currentSource + ", i.e. current='"
                                + current + "') but a maximum of " + oldMax
                                + "; libvirt refuses that: fix <vcpu> first");
            }
            int newMax = limits.maxVcpus();
            if (newMax < current) {
                throw new PreparationRefusedException(Refusal.MAX_VCPUS_BELOW_CURRENT,
                        "a maximum of " + newMax + " vCPUs is below the " + current + " vCPUs the domain has now ("
                                + currentSource + "); hot-unplug is a separate step: use a maximum of " + current
                                + " or more");
            }
            List<VcpuEntry> enabledFirst = new ArrayList<>(entries);
            enabledFirst.sort((a, b) -> Boolean.compare(b.enabled(), a.enabled()));
            for (VcpuEntry e : enabledFirst) {
                if (e.id() >= newMax) {
                    throw new PreparationRefusedException(Refusal.MAX_VCPUS_BELOW_CURRENT,
                            "<vcpus> lists vCPU id " + e.id() + (e.enabled() ? " as enabled" : "")
                                    + "; a maximum of " + newMax + " allows only ids 0-" + (newMax - 1)
                                    + " and libvirt refuses ids at or above the maximum: use a maximum of "
                                    + (e.id() + 1) + " or more"
                                    + (e.enabled() ? "" : ", or remove <vcpu id='" + e.id() + "'/> from <vcpus>"));
                }
            }
            oldTopology = read(d::topology);
            if (oldTopology.isPresent()) {
                newTopology = planTopology(oldTopology.get(), newMax, current);
            }

            Vcpu.Builder b = oldVcpu.map(Vcpu::toBuilder).orElseGet(Vcpu::builder);
            b.maximum(newMax).current(current)
                    .placement(oldVcpu.flatMap(Vcpu::placement).orElse("static"));
            newVcpu = b.build();
        }

        /**
         * The topology for the new maximum: the socket count changes, nothing else (what oVirt and
         * KubeVirt do, KubeVirt's maxSockets); refused when no socket count gives the maximum.
         */
        private static CpuTopology planTopology(CpuTopology t, int newMax, int current) {
            int perSocket = read(t::perSocket);
            int total = read(t::total);
            if (total == newMax) {
                return t;
            }
            if (newMax % perSocket == 0) {
                return t.toBuilder().sockets(newMax / perSocket).build();
            }
            String shape = "dies × " + (t.clusters() == 1 ? "" : "clusters × ") + "cores × threads = " + t.dies() + " × "
                    + (t.clusters() == 1 ? "" : t.clusters() + " × ") + t.cores() + " × " + t.threads() + " = " + perSocket;
            int below = newMax / perSocket * perSocket;
            int above = below + perSocket;
            String options = (below >= Math.max(1, current) ? below + " (" + below / perSocket + " sockets) or " : "")
                    + above + " (" + above / perSocket + " sockets)";
            throw new PreparationRefusedException(Refusal.TOPOLOGY_MISMATCH,
                    "a maximum of " + newMax + " vCPUs does not fit the <cpu><topology> (" + t.sockets() + " socket(s) of "
                            + shape + " vCPUs): libvirt requires the maximum to equal sockets × " + shape.substring(0,
                            shape.indexOf(" = ")) + ", and preparation only changes the socket count, keeping dies,"
                            + " clusters, cores and threads: use a maximum of " + options
                            + ", or change the cores or threads of the topology yourself");
        }

        // ---------------------------------------------------------------- memory and NUMA

        private void planMemory(DomainXml d) {
            oldMemory = read(d::memory);
            oldCurrentMemory = read(d::currentMemory);
            oldMaxMemory = read(d::maxMemory);
            oldCells = read(d::numaCells);
            List<MemoryDevice> devices = read(d::memoryDevices);
            deviceCount = devices.size();

            oldMemory.ifPresent(m -> wholeKiB(m.size(), "<memory>"));
            oldCurrentMemory.ifPresent(m -> wholeKiB(m.size(), "<currentMemory>"));
            for (int i = 0; i < oldCells.size(); i++) {
                wholeKiB(oldCells.get(i).memory(), "NUMA " + cellName(oldCells.get(i), i) + " memory");
            }
            deviceMemory = MemorySize.ZERO;
            for (int i = 0; i < devices.size(); i++) {
                MemoryDevice m = devices.get(i);
                int n = i + 1;
                MemorySize size = m.targetSize().orElseThrow(() -> new PreparationRefusedException(
                        Refusal.INVALID_DOMAIN, "memory device " + n + " (<memory model=" + SafeText.quote(m.model())
                                + ">) has no <target><size>; libvirt requires it: add the size"));
                wholeKiB(size, "memory device " + n + " (" + m.model() + ") size");
                deviceMemory = deviceMemory.plus(size);
            }

            int newMax = limits.maxVcpus();
            int oldMax = oldVcpu.map(Vcpu::maximum).orElse(1);
            if (oldCells.isEmpty()) {
                MemorySize memory = oldMemory.map(MemoryAmount::size).orElseThrow(() ->
                        new PreparationRefusedException(Refusal.INVALID_DOMAIN,
                                "the domain has neither <memory> nor NUMA cells, so its memory size is unknown"
                                        + " (libvirt refuses it too): add <memory unit='KiB'>…</memory>"));
                if (deviceMemory.compareTo(memory) > 0) {
                    throw new PreparationRefusedException(Refusal.INVALID_DOMAIN,
                            "the memory devices (" + deviceMemory + " in " + deviceCount + ") exceed <memory> ("
                                    + memory + "), which includes them; libvirt refuses that: set <memory> to the"
                                    + " boot memory plus " + deviceMemory);
                }
                MemorySize boot = memory.minus(deviceMemory);
                if (boot.bytes() == 0) {
                    throw new PreparationRefusedException(Refusal.INVALID_DOMAIN,
                            "<memory> (" + memory + ") leaves no boot memory besides the memory devices ("
                                    + deviceMemory + "); libvirt refuses that: raise <memory>");
                }
                newCells = List.of(NumaCell.builder().id(0).cpus(CpuSet.range(0, newMax - 1)).memory(boot).build());
                newMemory = memory;
            } else {
                newCells = planCells(oldMax, newMax);
                MemorySize cells = MemorySize.ZERO;
                for (NumaCell c : oldCells) {
                    cells = cells.plus(c.memory());
                }
                newMemory = cells.plus(deviceMemory);
            }
            for (int i = 0; i < devices.size(); i++) {
                OptionalInt node = devices.get(i).targetNode();
                if (node.isPresent() && node.getAsInt() >= newCells.size()) {
                    throw new PreparationRefusedException(Refusal.NUMA_UNASSIGNABLE,
                            "memory device " + (i + 1) + " (" + devices.get(i).model() + ") is on guest NUMA node "
                                    + node.getAsInt() + ", but the domain has " + newCells.size() + " cell(s) (ids 0-"
                                    + (newCells.size() - 1) + "); libvirt refuses that: set its <target><node> to an"
                                    + " existing cell or add the cell");
                }
            }
            if (limits.maxMemory().compareTo(newMemory) < 0) {
                throw new PreparationRefusedException(Refusal.MAX_MEMORY_BELOW_CURRENT,
                        "a maximum memory of " + limits.maxMemory() + " is below the " + newMemory
                                + " the domain has (" + (oldCells.isEmpty() ? "<memory>" : "its NUMA cells")
                                + (deviceCount == 0 ? "" : ", including " + deviceMemory + " in " + deviceCount
                                        + " memory device(s)")
                                + "); use a maximum memory of " + newMemory + " or more");
            }
            if (deviceCount > limits.slots()) {
                throw new PreparationRefusedException(Refusal.SLOTS_OUT_OF_RANGE,
                        "the domain already has " + deviceCount + " memory devices and each takes a slot; "
                                + limits.slots() + " slot(s) would not hold them: use slots " + deviceCount
                                + " or more (at most " + HotplugLimits.MAX_SLOTS + ")");
            }
        }

        private List<NumaCell> planCells(int oldMax, int newMax) {
            CpuSet union = CpuSet.empty();
            int highestCell = -1;
            for (int i = 0; i < oldCells.size(); i++) {
                NumaCell c = oldCells.get(i);
                CpuSet cpus = c.cpus();
                if (!cpus.isEmpty() && cpus.max() >= oldMax) {
                    throw new PreparationRefusedException(Refusal.INVALID_DOMAIN,
                            "NUMA " + cellName(c, i) + " lists vCPU " + cpus.max() + " but the domain's maximum is "
                                    + oldMax + " (ids 0-" + (oldMax - 1) + "); libvirt refuses that: fix the cell's cpus"
                                    + " or <vcpu>");
                }
                for (int j = 0; j < i; j++) {
                    CpuSet both = intersection(oldCells.get(j).cpus(), cpus);
                    if (!both.isEmpty()) {
                        throw new PreparationRefusedException(Refusal.NUMA_UNASSIGNABLE,
                                "NUMA " + cellName(oldCells.get(j), j) + " and " + cellName(c, i)
                                        + " overlap on vCPU(s) " + both + "; a vCPU belongs to one node and libvirt"
                                        + " refuses overlapping cells: give each vCPU to one cell");
                    }
                }
                union = union.union(cpus);
                if (cpus.contains(oldMax - 1)) {
                    highestCell = i;
                }
            }
            CpuSet missing = CpuSet.range(0, oldMax - 1).minus(union);
            if (!missing.isEmpty()) {
                throw new PreparationRefusedException(Refusal.NUMA_UNASSIGNABLE,
                        (missing.size() == 1 ? "vCPU " : "vCPUs ") + missing + " of the domain's " + oldMax
                                + " are in no NUMA cell (libvirt's QEMU driver would put them into cell 0, a"
                                + " deprecated fallback), so it is unclear where new vCPUs belong: add them to"
                                + " a cell's cpus, then prepare again");
            }
            List<NumaCell> out = new ArrayList<>(oldCells.size());
            if (newMax >= oldMax) {
                for (int i = 0; i < oldCells.size(); i++) {
                    NumaCell c = oldCells.get(i);
                    out.add(i == highestCell && newMax > oldMax
                            ? c.toBuilder().cpus(c.cpus().union(CpuSet.range(oldMax, newMax - 1))).build() : c);
                }
                return out;
            }
            CpuSet removed = CpuSet.range(newMax, oldMax - 1);
            for (int i = 0; i < oldCells.size(); i++) {
                NumaCell c = oldCells.get(i);
                CpuSet kept = c.cpus().minus(removed);
                if (!c.cpus().isEmpty() && kept.isEmpty()) {
                    throw new PreparationRefusedException(Refusal.NUMA_UNASSIGNABLE,
                            "with a maximum of " + newMax + " vCPUs, NUMA " + cellName(c, i) + " (cpus " + c.cpus()
                                    + ") would keep no vCPU: use a maximum of " + (c.cpus().min() + 1)
                                    + " or more, or move its memory to another cell first");
                }
                out.add(kept.equals(c.cpus()) ? c : c.toBuilder().cpus(kept).build());
            }
            return out;
        }

        private static CpuSet intersection(CpuSet a, CpuSet b) {
            return a.minus(a.minus(b));
        }

        private static String cellName(NumaCell c, int index) {
            return "cell " + (c.id().isPresent() ? c.id().getAsInt() : index);
        }

        private static void wholeKiB(MemorySize size, String what) {
            if (!size.isWholeKiB()) {
                throw new PreparationRefusedException(Refusal.NOT_WHOLE_KIB,
                        what + " is " + size.bytes() + " bytes, not a whole number of KiB; libvirt keeps memory"
                                + " in KiB and would round it up to " + size.toKiB() + " KiB: write it in KiB"
                                + " (unit='KiB') first");
            }
        }

        // ---------------------------------------------------------------- virtio-mem

        /**
         * One virtio-mem device per NUMA cell that has none, sharing the headroom up to maxMemory,
         * requested 0. What libvirt 9.0's QEMU driver requires around it (checked with its embedded
         * driver): {@code <maxMemory>} with {@code slots} (each virtio-mem device takes one), at least one
         * NUMA cell and a {@code <target><node>}, a block of at least 2 MiB on x86_64, and
         * {@code <maxMemory>} at least {@code <memory>}, which counts each device's full size.
         */
        private void planVirtioMem(DomainXml d) {
            String type = read(d::type);
            if (!type.equals(TEST_TYPE)) {
                String arch = read(d::osArch).orElse("x86_64");
                if (!arch.equals("x86_64")) {
                    throw new PreparationRefusedException(Refusal.VIRTIO_MEM_UNSUPPORTED,
                            "virtio-mem is prepared for x86_64 guests only, and this domain's <os><type arch> is "
                                    + SafeText.quote(arch) + " (Linux's virtio_mem driver needs a 64-bit guest; other"
                                    + " architectures need a newer QEMU than 7.2): prepare it with DIMMs instead"
                                    + " (HotplugLimits without virtioMem)");
                }
                String machine = read(d::machine).orElse("pc");
                if (!(machine.equals("pc") || machine.startsWith("pc-") || machine.equals("q35"))) {
                    throw new PreparationRefusedException(Refusal.VIRTIO_MEM_UNSUPPORTED,
                            "virtio-mem is a PCI device and needs a pc (i440fx) or q35 machine; this domain's machine"
                                    + " is " + SafeText.quote(machine) + ": change <os><type machine> to q35 or pc, or"
                                    + " prepare it with DIMMs instead (HotplugLimits without virtioMem)");
                }
            }
            MemorySize block = limits.virtioMemBlock();
            List<MemoryDevice> existing = read(d::memoryDevices);
            java.util.Set<Integer> covered = new java.util.HashSet<>();
            for (MemoryDevice m : existing) {
                if ("virtio-mem".equals(m.model()) && m.targetNode().isPresent()) {
                    covered.add(m.targetNode().getAsInt());
                }
            }
            List<Integer> nodes = new ArrayList<>();
            for (int i = 0; i < newCells.size(); i++) {
                int id = newCells.get(i).id().orElse(i);
                if (!covered.contains(id)) {
                    nodes.add(id);
                }
            }
            if (nodes.isEmpty()) {
                return; // already prepared: every cell has its virtio-mem device (kept as it is)
            }
            if (deviceCount + nodes.size() > limits.slots()) {
                throw new PreparationRefusedException(Refusal.SLOTS_OUT_OF_RANGE,
                        "virtio-mem needs " + nodes.size() + " more memory device(s), one per NUMA cell, and libvirt"
                                + " counts each against <maxMemory slots>; with the " + deviceCount + " device(s) the"
                                + " domain has, " + limits.slots() + " slot(s) are too few: use slots "
                                + (deviceCount + nodes.size()) + " or more");
            }
            MemorySize headroom = limits.maxMemory().minus(newMemory);
            long blocksEach = headroom.bytes() / block.bytes() / nodes.size();
            if (blocksEach == 0) {
                throw new PreparationRefusedException(Refusal.MAX_MEMORY_BELOW_CURRENT,
                        "a maximum memory of " + limits.maxMemory() + " leaves " + headroom + " above the " + newMemory
                                + " the domain has, less than one " + block + " block for each of the " + nodes.size()
                                + " virtio-mem device(s): raise maxMemory to at least "
                                + newMemory.plus(block.times(nodes.size())) + " (the headroom is what the devices can"
                                + " plug later)");
            }
            MemorySize each = block.times(blocksEach);
            for (int node : nodes) {
                newDevices.add(MemoryDevice.virtioMem(each, node, block, MemorySize.ZERO));
            }
            MemorySize boot = newMemory;
            newMemory = newMemory.plus(each.times(nodes.size()));
            MemorySize balloon = oldCurrentMemory.map(MemoryAmount::size).orElse(boot);
            newCurrentMemory = balloon.compareTo(boot) > 0 ? boot : balloon;
            if (!each.times(nodes.size()).equals(headroom)) {
                notes.add("the virtio-mem devices take " + each.times(nodes.size()) + " of the " + headroom
                        + " headroom (whole " + block + " blocks, the same size on each node)");
            }
            if (!type.equals(TEST_TYPE)) {
                notes.add("virtio-mem needs the guest's virtio_mem driver (Linux 5.8+, x86_64); memory is added by"
                        + " raising <requested> (virDomainUpdateDeviceFlags, virsh update-memory-device), in " + block
                        + " blocks, up to " + each + " per node");
            }
        }

        // ---------------------------------------------------------------- applying

        List<String> applyTo(DomainXml out) {
            List<String> changes = new ArrayList<>();
            if (!oldVcpu.map(v -> sameVcpu(v, newVcpu)).orElse(false)) {
                out.setVcpu(newVcpu);
                changes.add("<vcpu>: " + oldVcpu.map(v -> "maximum " + v.maximum() + " → " + newVcpu.maximum())
                        .orElse("added (libvirt's default was 1 vCPU), maximum " + newVcpu.maximum())
                        + ", " + newVcpu.effectiveCurrent() + " present at boot: " + describe(newVcpu));
            }
            if (newTopology != null && !newTopology.equals(oldTopology.orElse(null))) {
                out.setTopology(newTopology);
                CpuTopology was = oldTopology.get();
                changes.add("<cpu><topology>: sockets " + was.sockets() + " → " + newTopology.sockets() + " ("
                        + newTopology.total() + " vCPUs = the new maximum; dies, clusters, cores and threads kept)");
            }
            boolean sameMax = oldMaxMemory.map(m -> m.size().equals(limits.maxMemory())
                    && m.slots().equals(OptionalInt.of(limits.slots()))).orElse(false);
            if (!sameMax) {
                out.setMaxMemory(limits.maxMemory(), limits.slots());
                changes.add("<maxMemory>: " + oldMaxMemory.map(m -> m.size() + " with "
                        + (m.slots().isPresent() ? m.slots().getAsInt() + " slots" : "no slots") + " → ").orElse("added, ")
                        + limits.maxMemory() + " with " + limits.slots() + " slots");
            }
            if (!oldMemory.map(m -> m.size().equals(newMemory)).orElse(false)) {
                out.setMemory(newMemory);
                changes.add("<memory>: " + oldMemory.map(m -> m.size() + " → ").orElse("added, ") + newMemory
                        + " = NUMA cells + memory devices, as libvirt computes it at start");
            }
            if (newCurrentMemory != null) {
                if (!oldCurrentMemory.map(m -> m.size().equals(newCurrentMemory)).orElse(false)) {
                    out.setCurrentMemory(newCurrentMemory);
                    changes.add("<currentMemory>: " + oldCurrentMemory.map(m -> m.size() + " → ").orElse("added, ")
                            + newCurrentMemory + " (the memory plugged at boot; virtio-mem memory is plugged later)");
                }
            } else if (oldCurrentMemory.isPresent() && oldCurrentMemory.get().size().compareTo(newMemory) > 0) {
                out.setCurrentMemory(newMemory);
                changes.add("<currentMemory>: " + oldCurrentMemory.get().size() + " → " + newMemory
                        + " (it cannot exceed <memory>)");
            }
            if (!newCells.equals(oldCells)) {
                out.setNumaCells(newCells);
                if (oldCells.isEmpty()) {
                    NumaCell c = newCells.get(0);
                    changes.add("<cpu><numa>: added NUMA cell 0 with vCPUs " + c.cpus() + " and " + c.memory()
                            + " (the boot memory: <memory> minus memory devices)");
                } else {
                    for (int i = 0; i < newCells.size(); i++) {
                        NumaCell was = oldCells.get(i);
                        NumaCell now = newCells.get(i);
                        if (!was.cpus().equals(now.cpus())) {
                            changes.add("<cpu><numa>: NUMA " + cellName(was, i) + " vCPUs " + was.cpus() + " → "
                                    + now.cpus());
                        }
                    }
                }
            }
            for (MemoryDevice m : newDevices) {
                out.addMemoryDevice(m);
                changes.add("<devices>: added " + m.model() + " device on node " + m.targetNode().getAsInt() + ", size "
                        + m.targetSize().orElseThrow() + ", block " + m.blockSize().orElseThrow() + ", requested 0");
            }
            return List.copyOf(changes);
        }

        private static boolean sameVcpu(Vcpu a, Vcpu b) {
            return a.maximum() == b.maximum() && a.current().equals(b.current())
                    && a.placement().equals(b.placement());
        }

        private static String describe(Vcpu v) {
            return "<vcpu" + v.placement().map(p -> " placement=" + SafeText.quote(p)).orElse("")
                    + v.cpuset().map(c -> " cpuset=" + SafeText.quote(c)).orElse("")
                    + " current='" + v.effectiveCurrent() + "'>" + v.maximum() + "</vcpu>";
        }
    }

    /** Reads a part; a part libvirt would not accept becomes an INVALID_DOMAIN refusal. */
    private static <T> T read(Supplier<T> part) {
        try {
            return part.get();
        } catch (PreparationRefusedException e) {
            throw e;
        } catch (DomainXmlException e) {
            throw new PreparationRefusedException(Refusal.INVALID_DOMAIN,
                    "the domain cannot be prepared: " + e.getMessage(), e);
        }
    }
}
